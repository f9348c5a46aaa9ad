// tests/interop/provider.mjs - a real OpenID Provider (node-oidc-provider 9)
// on 127.0.0.1 for the interoperability test of endsession.
//
//   node tests/interop/provider.mjs READY_FILE [ISSUER]
//
// Listens on a free port of 127.0.0.1 (port 0, so there is no race for a
// port), then writes "PORT ISSUER" to READY_FILE.  The issuer is
// http://127.0.0.1:PORT unless ISSUER is given: a second instance with
// fresh keys but the first one's issuer plays an impostor whose tokens
// must be refused.
//
// Each instance makes a fresh RSA 2048 signing key (kid "op-<random>"), so
// two instances never share keys.  One client is registered: demo-rp, with
// a redirect_uri and post_logout_redirect_uris; other-rp as a second one.
//
// How the test gets a real ID Token without a browser: the route
// GET /test/id_token?client_id=C&sub=S&sid=SID makes one with the
// provider's own IdToken class - the same code the token endpoint uses -
// (new provider.IdToken({sub}, {client}); scope openid; sid set; then
// .issue({use: 'idtoken'})), so it is signed by the provider's keystore
// under the client's id_token_signed_response_alg (RS256, the default)
// with the kid the provider publishes at its jwks_uri.  This avoids
// driving a login interaction, which adds nothing to what endsession sees.
//
// GET /test/clients.json renders the provider's client registrations in
// endsession's clients-file format (docs/design.md section 4), for clients_url.
import { randomBytes, generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import { writeFileSync, renameSync } from 'node:fs';
import Provider from 'oidc-provider';

const [readyFile, issuerArg] = process.argv.slice(2);
if (!readyFile) {
  console.error('usage: node provider.mjs READY_FILE [ISSUER]');
  process.exit(2);
}

// Never outlive the test that started us.
setTimeout(() => { console.error('provider: time limit'); process.exit(3); }, 300_000).unref();
for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(sig, () => process.exit(0));

const CLIENTS = [
  {
    client_id: 'demo-rp',
    client_name: 'Demo Relying Party',
    client_secret: randomBytes(24).toString('base64url'),
    redirect_uris: ['https://rp.example/cb'],
    post_logout_redirect_uris: [
      process.env.ES_RP_URI || 'https://rp.example/signed-out',
      'https://rp.example/cb?x=1',
    ],
    grant_types: ['authorization_code'],
    response_types: ['code'],
  },
  {
    client_id: 'other-rp',
    client_name: 'Other RP',
    client_secret: randomBytes(24).toString('base64url'),
    redirect_uris: ['https://other.example/cb'],
    post_logout_redirect_uris: ['https://other.example/bye'],
  },
];

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: 'jwk' }), kid: `op-${randomBytes(6).toString('hex')}`, use: 'sig', alg: 'RS256' };

const server = createServer();
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = issuerArg || `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: CLIENTS,
    jwks: { keys: [jwk] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: { enabled: true },
    },
    findAccount: async (ctx, sub) => ({ accountId: sub, claims: async () => ({ sub }) }),
  });

  provider.use(async (ctx, next) => {
    if (ctx.method === 'GET' && ctx.path === '/test/id_token') {
      const client = await provider.Client.find(String(ctx.query.client_id || 'demo-rp'));
      if (!client) {
        ctx.status = 400;
        ctx.body = 'unknown client';
        return;
      }
      const token = new provider.IdToken({ sub: String(ctx.query.sub || 'alice') }, { client });
      token.scope = 'openid';
      if (ctx.query.sid) token.set('sid', String(ctx.query.sid));
      ctx.type = 'text/plain';
      ctx.body = `${await token.issue({ use: 'idtoken' })}\n`;
      return;
    }
    if (ctx.method === 'GET' && ctx.path === '/test/clients.json') {
      ctx.type = 'application/json';
      ctx.body = JSON.stringify({
        clients: CLIENTS.map(({ client_id, client_name, post_logout_redirect_uris }) => (
          { client_id, client_name, post_logout_redirect_uris })),
      });
      return;
    }
    await next();
  });

  server.on('request', provider.callback());
  writeFileSync(`${readyFile}.tmp`, `${port} ${issuer} ${jwk.kid}\n`);
  renameSync(`${readyFile}.tmp`, readyFile);
});
