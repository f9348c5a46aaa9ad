// bench/peer.mjs - node-oidc-provider (the version in tests/package.json) on
// 127.0.0.1 as the benchmark's peer column.  One client with
// post_logout_redirect_uris, devInteractions off, an RS256 signing key
// generated at start.  Writes DIR/peer-hint.txt: an id_token_hint signed
// with the provider's own private key (the key it verifies hints with),
// and DIR/peer.ready once listening.
//
//   node bench/peer.mjs PORT DIR
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

// The test-only packages are installed in tests/node_modules
// (tests/package.json), not beside this file: resolve them from there.
const from = createRequire(new URL('../tests/package.json', import.meta.url));
const load = (name) => import(pathToFileURL(from.resolve(name)).href);
const { default: Provider } = await load('oidc-provider');
const jose = await load('jose');

const port = Number(process.argv[2] || 3999);
const dir = process.argv[3] || '.';
const issuer = `http://127.0.0.1:${port}`;

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'peer-rs1', use: 'sig', alg: 'RS256' };

const provider = new Provider(issuer, {
  clients: [{
    client_id: 'demo-rp',
    client_secret: 'bench-secret-bench-secret-bench-secret',
    redirect_uris: ['https://rp.example/cb'],
    post_logout_redirect_uris: ['https://rp.example/signed-out'],
  }],
  jwks: { keys: [jwk] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  ttl: { Session: () => 3600 },
  features: { devInteractions: { enabled: false }, rpInitiatedLogout: { enabled: true } },
});
provider.on('server_error', (ctx, err) => console.error('server_error', err));

const now = Math.floor(Date.now() / 1000);
const hint = await new jose.SignJWT({ sid: 'sid-1' })
  .setProtectedHeader({ alg: 'RS256', kid: 'peer-rs1', typ: 'JWT' })
  .setIssuer(issuer).setAudience('demo-rp').setSubject('alice')
  .setIssuedAt(now).setExpirationTime(now + 3600)
  .sign(privateKey);
writeFileSync(`${dir}/peer-hint.txt`, hint + '\n');

const server = http.createServer(provider.callback());
server.keepAliveTimeout = 60000;
server.listen(port, '127.0.0.1', () => writeFileSync(`${dir}/peer.ready`, String(process.pid)));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
