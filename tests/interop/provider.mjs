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
//
// Sign-out notifications (tests/interop/backchannel.sh) set ES_SITES to
// "CLIENT_ID=PORT ..." (websites on 127.0.0.1, tests/interop/website.mjs,
// each with the client secret ES_SITE_SECRET), ES_END_SESSION (endsession's
// URL, published as end_session_endpoint instead of the provider's own),
// ES_JOURNAL (endsession's journal) and ES_KEY_OUT.  Then, as a provider
// that uses endsession would:
// - customers sign in for real (authorization code flow); the login page
//   signs in ES_LOGIN_AS (default "alice") at once and consent is given;
// - each time it issues an authorization response it appends the login
//   line of docs/design.md section 10 to the journal (session: the provider
//   session's uid; sid: the client's own sid, as in its ID Tokens), and
//   once per session a login line for "op-session", its own session
//   service, whose backchannel_logout_uri is POST /test/session-logout
//   here: a valid logout token for it destroys that session on the server;
// - the private signing key goes to ES_KEY_OUT (a JWK, mode 0600) for
//   endsession-notify's signing_key: websites verify logout tokens with
//   the keys they already fetch from this provider.
import { randomBytes, generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import { appendFileSync, writeFileSync, renameSync } from 'node:fs';
import { createLocalJWKSet, jwtVerify } from 'jose';
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

const SITES = (process.env.ES_SITES || '').split(/\s+/).filter(Boolean).map((s) => {
  const [id, port] = s.split('=');
  return { id, base: `http://127.0.0.1:${port}` };
});
for (const { id, base } of SITES) {
  CLIENTS.push({
    client_id: id,
    client_name: `Website ${id}`,
    client_secret: process.env.ES_SITE_SECRET,
    token_endpoint_auth_method: 'client_secret_post',
    redirect_uris: [`${base}/callback`],
    post_logout_redirect_uris: [`${base}/signed-out`],
    backchannel_logout_uri: `${base}/backchannel-logout`,
    backchannel_logout_session_required: true,
    grant_types: ['authorization_code'],
    response_types: ['code'],
  });
}
const LOGIN_AS = process.env.ES_LOGIN_AS || 'alice';
const SESSION_CLIENT = 'op-session';

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: 'jwk' }), kid: `op-${randomBytes(6).toString('hex')}`, use: 'sig', alg: 'RS256' };
const { d, p, q, dp, dq, qi, ...publicJwk } = jwk;
if (process.env.ES_KEY_OUT) writeFileSync(process.env.ES_KEY_OUT, JSON.stringify(jwk), { mode: 0o600 });

// The login line of docs/design.md section 10, as a provider's login code writes it.
const journalTime = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
function loginLine(session, sid, clientId, sub) {
  appendFileSync(process.env.ES_JOURNAL, `${JSON.stringify({
    time: journalTime(), event: 'login', session, sid, client_id: clientId, sub,
  })}\n`);
}
const recordedSessions = new Set();

async function formBody(req) {
  let body = '';
  for await (const chunk of req) {
    body += chunk;
    if (body.length > 65536) throw new Error('body too large');
  }
  return new URLSearchParams(body);
}

const server = createServer();
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = issuerArg || `http://127.0.0.1:${port}`;
  const sites = SITES.length > 0;
  const provider = new Provider(issuer, {
    clients: CLIENTS,
    jwks: { keys: [jwk] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    features: {
      devInteractions: { enabled: false },
      // With websites, endsession is the end-session endpoint and
      // endsession-notify sends the back-channel notifications; the
      // feature stays on for the client metadata (and sid in ID Tokens).
      rpInitiatedLogout: { enabled: !sites },
      backchannelLogout: { enabled: sites },
    },
    discovery: sites ? { end_session_endpoint: process.env.ES_END_SESSION } : {},
    findAccount: async (ctx, sub) => ({ accountId: sub, claims: async () => ({ sub }) }),
  });

  provider.on('authorization.success', (ctx) => {
    const { session, client } = ctx.oidc;
    if (!sites || !session || !session.accountId) return;
    if (!recordedSessions.has(session.uid)) {
      recordedSessions.add(session.uid);
      loginLine(session.uid, session.uid, SESSION_CLIENT, session.accountId);
    }
    loginLine(session.uid, session.sidFor(client.clientId), client.clientId, session.accountId);
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
      const clients = CLIENTS.map(({
        client_id, client_name, post_logout_redirect_uris,
        backchannel_logout_uri, backchannel_logout_session_required,
      }) => ({
        client_id, client_name, post_logout_redirect_uris,
        backchannel_logout_uri, backchannel_logout_session_required,
      }));
      if (sites) {
        clients.push({
          client_id: SESSION_CLIENT,
          client_name: 'The provider\'s own sessions',
          backchannel_logout_uri: `http://127.0.0.1:${port}/test/session-logout`,
          backchannel_logout_session_required: true,
        });
      }
      ctx.type = 'application/json';
      ctx.body = JSON.stringify({ clients });
      return;
    }
    // The login page: signs in LOGIN_AS at once, then grants consent.
    if (sites && ctx.method === 'GET' && ctx.path.startsWith('/interaction/')) {
      const details = await provider.interactionDetails(ctx.req, ctx.res);
      let result;
      if (details.prompt.name === 'login') {
        result = { login: { accountId: LOGIN_AS } };
      } else {
        const grant = new provider.Grant({
          accountId: details.session.accountId, clientId: details.params.client_id,
        });
        grant.addOIDCScope('openid');
        result = { consent: { grantId: await grant.save() } };
      }
      ctx.redirect(await provider.interactionResult(ctx.req, ctx.res, result,
        { mergeWithLastSubmission: true }));
      return;
    }
    // The provider's session service: a back-channel logout endpoint like
    // any website's, that ends the session on the server.
    if (sites && ctx.method === 'POST' && ctx.path === '/test/session-logout') {
      ctx.set('Cache-Control', 'no-store');
      try {
        const token = (await formBody(ctx.req)).get('logout_token');
        const { payload } = await jwtVerify(token, createLocalJWKSet({ keys: [publicJwk] }), {
          issuer, audience: SESSION_CLIENT, typ: 'logout+jwt', algorithms: ['RS256'],
        });
        const events = payload.events || {};
        if (Object.keys(events).length !== 1
            || JSON.stringify(events['http://schemas.openid.net/event/backchannel-logout']) !== '{}'
            || payload.nonce !== undefined || typeof payload.sid !== 'string') {
          throw new Error('not a logout token');
        }
        const session = await provider.Session.findByUid(payload.sid);
        if (session) await session.destroy();
        console.error(`provider: session ${payload.sid} ${session ? 'ended' : 'already gone'}`);
        ctx.status = 204;
      } catch (e) {
        console.error(`provider: logout token refused: ${e.message}`);
        ctx.status = 400;
        ctx.body = { error: 'invalid_request' };
      }
      return;
    }
    await next();
  });

  server.on('request', provider.callback());
  writeFileSync(`${readyFile}.tmp`, `${port} ${issuer} ${jwk.kid}\n`);
  renameSync(`${readyFile}.tmp`, readyFile);
});
