"""E-mail: an outbox written in the transaction that causes a mail, and the sender that
delivers it over SMTP."""
