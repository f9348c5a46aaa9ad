// tests/interop/website.mjs - a website (relying party) built with
// express-openid-connect, as a website that uses our provider would be,
// for the sign-out notification test (tests/interop/backchannel.sh).
//
//   ES_SITE_SECRET=... node tests/interop/website.mjs PORT CLIENT_ID ISSUER READY_FILE
//
// Listens on 127.0.0.1:PORT.  express-openid-connect does the work:
// /login (authorization code flow with the provider at ISSUER), /callback,
// /logout (idpLogout: to the provider's end_session_endpoint, which is
// endsession, with id_token_hint and post_logout_redirect_uri /signed-out)
// and /backchannel-logout, where the library itself validates a logout
// token (signature against the provider's JWKS, iss, aud, alg, events,
// no nonce) and remembers its sid and sub, so that the session they name
// is gone on its next request.  Ours: GET / and /signed-out (plain pages),
// GET /me (200 "signed in as SUB sid SID", or 401 when signed out), and a
// line on stderr for every back-channel POST and its answer.
import { randomBytes } from 'node:crypto';
import { writeFileSync, renameSync } from 'node:fs';
import express from 'express';
import eoc from 'express-openid-connect';

const [port, clientID, issuer, readyFile] = process.argv.slice(2);
if (!readyFile || !process.env.ES_SITE_SECRET) {
  console.error('usage: ES_SITE_SECRET=... node website.mjs PORT CLIENT_ID ISSUER READY_FILE');
  process.exit(2);
}
setTimeout(() => { console.error('website: time limit'); process.exit(3); }, 300_000).unref();
for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(sig, () => process.exit(0));

// Where the library keeps the sids and subs that logout tokens named
// (it asks for a store with get, set and destroy).
class LogoutStore {
  constructor() { this.entries = new Map(); }

  async get(key) { return this.entries.get(key); }

  async set(key, value) { this.entries.set(key, value); }

  async destroy(key) { this.entries.delete(key); }
}

const app = express();
app.use((req, res, next) => {
  if (req.method === 'POST' && req.path === '/backchannel-logout') {
    res.on('finish', () => console.error(`website ${clientID}: back-channel POST answered ${res.statusCode}`));
  }
  next();
});
app.use(eoc.auth({
  issuerBaseURL: issuer,
  baseURL: `http://127.0.0.1:${port}`,
  clientID,
  clientSecret: process.env.ES_SITE_SECRET,
  secret: randomBytes(32).toString('base64url'),
  authRequired: false,
  idpLogout: true,
  authorizationParams: { response_type: 'code', response_mode: 'query', scope: 'openid' },
  session: { name: `site_${clientID.replace(/[^A-Za-z0-9]/g, '_')}` },
  backchannelLogout: { store: new LogoutStore() },
  routes: { postLogoutRedirect: '/signed-out' },
}));
app.get('/', (req, res) => res.type('text').send(`website ${clientID}\n`));
app.get('/signed-out', (req, res) => res.type('text').send(`website ${clientID}: signed out\n`));
app.get('/me', (req, res) => {
  if (!req.oidc.isAuthenticated()) {
    res.status(401).type('text').send('signed out\n');
    return;
  }
  const { sub, sid } = req.oidc.idTokenClaims;
  res.type('text').send(`signed in as ${sub} sid ${sid}\n`);
});

app.listen(Number(port), '127.0.0.1', () => {
  writeFileSync(`${readyFile}.tmp`, `${port}\n`);
  renameSync(`${readyFile}.tmp`, readyFile);
});
