// A real OpenID provider for the tests: panva's certified oidc-provider, configured from a JSON
// file (the path is the first argument). The pytest fixture in tests/registry/oidc.py writes
// that file and starts this script on a free port; nothing here is for production.
//
// The file holds: {"issuer", "port", "clients": [...oidc-provider client metadata, plus
// "id_token_ttl" in seconds], "accounts": {"<login>": {claims}}}. A login at the provider's
// development login page is the account's subject; any password is accepted (these are the
// provider's own development interactions). Consent is granted at once for every client, as a
// staff member's own organisation's provider does for its own applications.
import { readFileSync } from 'node:fs';
import Provider from 'oidc-provider';

const settings = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const ttlByClient = Object.fromEntries(
  settings.clients.map((client) => [client.client_id, client.id_token_ttl ?? 600]),
);
const clients = settings.clients.map(({ id_token_ttl: _ttl, ...metadata }) => metadata);

const provider = new Provider(settings.issuer, {
  clients,
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  scopes: ['openid', 'email', 'profile'],
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  pkce: { required: () => true, methods: ['S256'] },
  cookies: { keys: ['nettungen-test-only-cookie-key'] },
  ttl: { IdToken: (_ctx, _token, client) => ttlByClient[client.clientId] ?? 600 },
  async findAccount(_ctx, id) {
    const claims = settings.accounts[id] ?? {};
    return { accountId: id, async claims() { return { sub: id, ...claims }; } };
  },
  async loadExistingGrant(ctx) {
    const { client, session } = ctx.oidc;
    const grantId = ctx.oidc.result?.consent?.grantId || session.grantIdFor(client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
    grant.addOIDCScope('openid email profile');
    await grant.save();
    return grant;
  },
});
provider.proxy = false;
provider.listen(settings.port, '127.0.0.1', () => {
  process.stdout.write(`listening ${settings.issuer}\n`);
});
