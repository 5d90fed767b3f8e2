"""Single sign-on: OpenID Connect identity providers configured by node administrators, the
e-mail domains each organisation accepts through them, and people's bound identities."""
