// tests/browser/confirm.test.mjs - the confirmation page in a real browser
// (Debian's chromium driven by playwright-core), started by
// tests/browser/run.sh, which sets up nginx + spawn-fcgi and passes:
//
//   ES_URL      http://127.0.0.1:PORT/oauth/end_session
//   ES_RP_URI   the registered post_logout_redirect_uri, a static page on
//               the same nginx (http://127.0.0.1:PORT/rp/signed-out.html)
//   ES_RP2_URI  another registered URI, on another origin (port)
//   ES_HINT     a valid id_token_hint for demo-rp
//   ES_JOURNAL  the journal file
//   ES_OUT      the folder for screenshots
//
// Prints "confirm: N passed, N failed".  Fails on any CSP violation (a
// securitypolicyviolation event, or a console message about the Content
// Security Policy), any page error, and any failed check.
import { readFileSync, existsSync, mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';

const { ES_URL, ES_RP_URI, ES_RP2_URI, ES_HINT, ES_JOURNAL, ES_OUT } = process.env;
if (!ES_URL || !ES_RP_URI || !ES_RP2_URI || !ES_HINT || !ES_JOURNAL || !ES_OUT) {
  console.error('confirm.test.mjs: run me from tests/browser/run.sh');
  process.exit(2);
}
mkdirSync(ES_OUT, { recursive: true });
const RP_PROBE = new URL('/rp/csp-probe.html', ES_URL).href;

let pass = 0;
let fail = 0;
function check(name, cond, detail = '') {
  if (cond) pass += 1;
  else {
    fail += 1;
    console.error(`FAIL ${name}${detail ? `: ${detail}` : ''}`);
  }
}
const eq = (name, want, got) => check(name, want === got, `expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);

const journal = () => (existsSync(ES_JOURNAL)
  ? readFileSync(ES_JOURNAL, 'utf8').split('\n').filter(Boolean) : []);
const enc = encodeURIComponent;
// A punctuation-heavy state; every byte must come back exactly.
const STATE = `a b+c&d=e/f?g#h%i'j"k<l>m;n,o:p@q[r]s{t}u|v\\w^x~y\`z!$()*-._é€😀`;
const confirmUrl = (extra = '') => `${ES_URL}?client_id=demo-rp&post_logout_redirect_uri=${enc(ES_RP_URI)}&state=${enc(STATE)}${extra}`;

// Watches a page: CSP violations, page errors, console errors, responses.
function watch(page, label) {
  const w = { csp: [], errors: [], console: [], responses: [] };
  page.on('console', (m) => {
    const t = m.text();
    if (t.startsWith('CSP-VIOLATION') || /Content Security Policy/i.test(t)) w.csp.push(t);
    else if (m.type() === 'error') w.console.push(t);
  });
  page.on('pageerror', (e) => w.errors.push(String(e)));
  page.on('response', (r) => w.responses.push(r));
  w.done = (expectCsp = false) => {
    if (expectCsp) check(`${label}: the CSP probe was seen`, w.csp.length > 0, 'no violation reported');
    else check(`${label}: no CSP violation`, w.csp.length === 0, w.csp.join(' | '));
    check(`${label}: no page error`, w.errors.length === 0, w.errors.join(' | '));
    for (const c of w.console) console.error(`note [${label}] console: ${c}`);
  };
  return w;
}

async function shot(page, name) {
  await page.screenshot({ path: `${ES_OUT}/${name}.png`, fullPage: true });
}

async function newPage(browser, opts = {}) {
  const ctx = await browser.newContext({ locale: 'en-US', ...opts });
  ctx.setDefaultTimeout(10_000);
  ctx.setDefaultNavigationTimeout(10_000);
  // Reports CSP violations to the console; init scripts are not subject
  // to the page's CSP.
  await ctx.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`CSP-VIOLATION ${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  await ctx.addCookies([
    { name: 'op_session', value: 'session-1', domain: '127.0.0.1', path: '/' },
  ]);
  const page = await ctx.newPage();
  return { ctx, page };
}

const lang = (page) => page.getAttribute('html', 'lang');
const h1 = async (page) => (await page.textContent('h1')).trim();

async function expectConfirm(page, resp, label, want) {
  eq(`${label}: status`, 200, resp.status());
  eq(`${label}: lang`, want, await lang(page));
  check(`${label}: heading`, want === 'sv' ? /logga ut/i.test(await h1(page)) : /sign out/i.test(await h1(page)), await h1(page));
  eq(`${label}: one confirm form`, 1, await page.locator('form#logout-confirm').count());
  eq(`${label}: one cancel form`, 1, await page.locator('form#logout-cancel').count());
  eq(`${label}: confirm form posts`, 'post', (await page.getAttribute('form#logout-confirm', 'method') || '').toLowerCase());
  const h = resp.headers();
  check(`${label}: CSP frame-ancestors`, /frame-ancestors 'none'/.test(h['content-security-policy'] || ''), h['content-security-policy']);
  eq(`${label}: X-Frame-Options`, 'DENY', h['x-frame-options']);
  eq(`${label}: no-store`, 'no-store', h['cache-control']);
  // Only the confirm cookie: __Host-, Secure, HttpOnly, SameSite=Strict.
  const sc = (await resp.headersArray()).filter((x) => x.name.toLowerCase() === 'set-cookie').map((x) => x.value);
  check(`${label}: only the confirm cookie is set`, sc.length === 1
    && /^__Host-endsession-confirm=[A-Za-z0-9_-]{22}; Max-Age=600; Path=\/; Secure; HttpOnly; SameSite=Strict$/.test(sc[0]), sc.join(' | '));
}

function stateOf(url) {
  const u = new URL(url);
  const raw = u.search.slice(1).split('&').find((p) => p.startsWith('state='));
  return raw === undefined ? undefined : decodeURIComponent(raw.slice(6));
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  timeout: 30_000,
});
try {
  // 0. The detector itself: a page whose meta CSP forbids its form.
  {
    const { ctx, page } = await newPage(browser);
    const w = watch(page, 'probe');
    await page.goto(RP_PROBE);
    await page.click('button[type=submit]', { noWaitAfter: true, timeout: 5_000 }).catch((e) => console.error(`note probe click: ${e.message.split('\n')[0]}`));
    await page.waitForTimeout(500);
    w.done(true);
    await ctx.close();
  }

  // 1. English confirmation, sign out, land on the RP page with state.
  {
    const { ctx, page } = await newPage(browser);
    const w = watch(page, 'confirm en');
    const j0 = journal().length;
    const resp = await page.goto(confirmUrl());
    await expectConfirm(page, resp, 'confirm en', 'en');
    await shot(page, 'confirm-en');
    const [nav] = await Promise.all([
      page.waitForURL((u) => u.href.startsWith(ES_RP_URI)),
      page.click('form#logout-confirm button[type=submit]'),
    ]);
    void nav;
    await page.waitForLoadState('load');
    check('sign out: on the RP page', page.url().startsWith(`${ES_RP_URI}?state=`), page.url());
    eq('sign out: exact state round-trip', STATE, stateOf(page.url()));
    eq('sign out: RP page shown', 'Signed out at the relying party', (await h1(page)));
    const r303 = w.responses.find((r) => r.request().method() === 'POST' && r.url() === ES_URL);
    check('sign out: a POST response', r303 !== undefined);
    if (r303) {
      eq('sign out: 303', 303, r303.status());
      const sc = (await r303.headersArray()).filter((x) => x.name.toLowerCase() === 'set-cookie').map((x) => x.value);
      check('sign out: expires op_session', sc.some((c) => /^op_session=;.*Max-Age=0/i.test(c)), sc.join(' | '));
      check('sign out: expires __Host-op_csrf', sc.some((c) => /^__Host-op_csrf=;.*Max-Age=0.*Path=\//i.test(c)), sc.join(' | '));
      const loc = (await r303.headerValue('location')) || '';
      check('sign out: Location is the registered URI', loc.startsWith(`${ES_RP_URI}?state=`), loc);
    }
    const j = journal();
    eq('sign out: one journal line', j0 + 1, j.length);
    const last = j.length ? JSON.parse(j[j.length - 1]) : {};
    eq('sign out: journal via', 'confirmation', last.via);
    eq('sign out: journal client', 'demo-rp', last.client_id);
    await shot(page, 'signed-out-rp');
    w.done();
    await ctx.close();
  }

  // 2. Swedish by ui_locales, and signing out from it.
  {
    const { ctx, page } = await newPage(browser);
    const w = watch(page, 'confirm sv (ui_locales)');
    const resp = await page.goto(confirmUrl('&ui_locales=sv'));
    await expectConfirm(page, resp, 'confirm sv (ui_locales)', 'sv');
    await shot(page, 'confirm-sv');
    const j0 = journal().length;
    await Promise.all([
      page.waitForURL((u) => u.href.startsWith(ES_RP_URI)),
      page.click('form#logout-confirm button[type=submit]'),
    ]);
    eq('sv sign out: state', STATE, stateOf(page.url()));
    eq('sv sign out: one journal line', j0 + 1, journal().length);
    w.done();
    await ctx.close();
  }

  // 3. Swedish by Accept-Language.
  {
    const { ctx, page } = await newPage(browser, {
      locale: 'sv-SE', extraHTTPHeaders: { 'Accept-Language': 'sv-SE,sv;q=0.9,en;q=0.5' },
    });
    const w = watch(page, 'confirm sv (Accept-Language)');
    const resp = await page.goto(confirmUrl());
    await expectConfirm(page, resp, 'confirm sv (Accept-Language)', 'sv');
    await shot(page, 'confirm-sv-accept-language');
    w.done();
    await ctx.close();
  }

  // 4. Stay signed in: nothing is signed out.
  {
    const { ctx, page } = await newPage(browser);
    const w = watch(page, 'stay');
    const j0 = journal().length;
    await page.goto(confirmUrl());
    const [resp] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST'),
      page.click('form#logout-cancel button[type=submit]'),
    ]);
    await page.waitForLoadState('load');
    eq('stay: status', 200, resp.status());
    check('stay: still on the endpoint', page.url().startsWith(ES_URL), page.url());
    check('stay: heading', /still signed in/i.test(await h1(page)), await h1(page));
    check('stay: no Set-Cookie', !('set-cookie' in resp.headers()));
    eq('stay: no journal line', j0, journal().length);
    const cookies = await ctx.cookies();
    check('stay: session cookie kept', cookies.some((c) => c.name === 'op_session'));
    await shot(page, 'stayed');
    w.done();
    await ctx.close();
  }

  // 5. An error page: unknown client.
  {
    const { ctx, page } = await newPage(browser);
    const w = watch(page, 'error');
    const j0 = journal().length;
    const resp = await page.goto(`${ES_URL}?client_id=nobody&state=x`);
    eq('error: status', 400, resp.status());
    eq('error: lang', 'en', await lang(page));
    check('error: a way on (a link)', (await page.locator('a[href]').count()) > 0);
    check('error: no Set-Cookie', !('set-cookie' in resp.headers()));
    eq('error: no journal line', j0, journal().length);
    await shot(page, 'error');
    w.done();
    await ctx.close();
  }

  // 6. The signed-out page S: a valid hint, no post_logout_redirect_uri.
  {
    const { ctx, page } = await newPage(browser);
    const w = watch(page, 'signed-out S');
    const j0 = journal().length;
    const resp = await page.goto(`${ES_URL}?id_token_hint=${ES_HINT}`);
    eq('S: status', 200, resp.status());
    check('S: heading', /signed out/i.test(await h1(page)), await h1(page));
    const sc = (await resp.headersArray()).filter((x) => x.name.toLowerCase() === 'set-cookie').map((x) => x.value);
    check('S: expires op_session', sc.some((c) => /^op_session=;.*Max-Age=0/i.test(c)), sc.join(' | '));
    eq('S: one journal line', j0 + 1, journal().length);
    eq('S: journal via', 'id_token_hint', JSON.parse(journal().at(-1) || '{}').via);
    await shot(page, 'signed-out-S');
    w.done();
    await ctx.close();
  }

  // 7. R: a valid hint with the registered URI redirects at once.
  {
    const { ctx, page } = await newPage(browser);
    const w = watch(page, 'R');
    await page.goto(`${ES_URL}?id_token_hint=${ES_HINT}&post_logout_redirect_uri=${enc(ES_RP_URI)}&state=${enc(STATE)}`);
    check('R: on the RP page', page.url().startsWith(`${ES_RP_URI}?state=`), page.url());
    eq('R: state', STATE, stateOf(page.url()));
    w.done();
    await ctx.close();
  }

  // 8. A registered URI on another origin: the 303 after the POST must
  // pass the page's CSP form-action.
  {
    const { ctx, page } = await newPage(browser);
    const w = watch(page, 'cross-origin RP');
    const resp = await page.goto(`${ES_URL}?client_id=demo-rp&post_logout_redirect_uri=${enc(ES_RP2_URI)}&state=${enc(STATE)}`);
    eq('cross-origin: confirm status', 200, resp.status());
    check('cross-origin: CSP form-action names the RP origin',
      (resp.headers()['content-security-policy'] || '').includes(new URL(ES_RP2_URI).origin),
      resp.headers()['content-security-policy']);
    const j0 = journal().length;
    await Promise.all([
      page.waitForURL((u) => u.href.startsWith(ES_RP2_URI)),
      page.click('form#logout-confirm button[type=submit]'),
    ]);
    eq('cross-origin: state', STATE, stateOf(page.url()));
    eq('cross-origin: RP page shown', 'Signed out at the relying party', (await h1(page)));
    eq('cross-origin: one journal line', j0 + 1, journal().length);
    w.done();
    await ctx.close();
  }

  // 9. Line breaks in state come back exactly (carried as state_b64).
  for (const st of ['a\nb', 'a\r\nb', 'a\rb']) {
    const label = `line breaks ${JSON.stringify(st)}`;
    const { ctx, page } = await newPage(browser);
    const w = watch(page, label);
    const j0 = journal().length;
    await page.goto(`${ES_URL}?client_id=demo-rp&post_logout_redirect_uri=${enc(ES_RP_URI)}&state=${enc(st)}`);
    eq(`${label}: carried as state_b64`, 1, await page.locator('form#logout-confirm input[name=state_b64]').count());
    await Promise.all([
      page.waitForURL((u) => u.href.startsWith(ES_RP_URI)),
      page.click('form#logout-confirm button[type=submit]'),
    ]);
    eq(`${label}: exact state in the Location`, st, stateOf(page.url()));
    eq(`${label}: one journal line`, j0 + 1, journal().length);
    w.done();
    await ctx.close();
  }

  // 10. A cross-site form post: the attacker loads a confirmation page
  // (own browser, own cookie) and has the victim's browser post its
  // fields from a page on another site.  Nobody is signed out.  Then the
  // victim's own form, in the same browser, still works (Origin: null,
  // because of Referrer-Policy: no-referrer, plus the cookie).
  {
    const a = await newPage(browser);
    await a.page.goto(confirmUrl());
    const fields = await a.page.$$eval('form#logout-confirm input[type=hidden]', (l) => l.map((i) => [i.name, i.value]));
    await a.ctx.close();
    const evil = `http://127.0.0.2:${new URL(ES_URL).port}/evil.html`;
    const html = `<!DOCTYPE html><html><body><form id="f" method="post" action="${ES_URL}">${
      fields.map(([n, v]) => `<input type="hidden" name="${n}" value="${v.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}">`).join('')
    }<button type="submit">win a prize</button></form></body></html>`;
    const { ctx, page } = await newPage(browser);
    // The victim has been on our confirmation page before (a cookie of its own).
    await page.goto(confirmUrl());
    await page.route(evil, (r) => r.fulfill({ status: 200, contentType: 'text/html', body: html }));
    const j0 = journal().length;
    await page.goto(evil);
    const [resp] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && r.url() === ES_URL),
      page.click('button[type=submit]'),
    ]);
    const rh = await resp.request().allHeaders();
    eq('cross-site post: 400', 400, resp.status());
    eq('cross-site post: nobody signed out', j0, journal().length);
    check('cross-site post: no cookie expired', !(await resp.headersArray()).some((x) => x.name.toLowerCase() === 'set-cookie'));
    check('cross-site post: the browser sent a foreign Origin', (rh.origin || '').startsWith('http://127.0.0.2'), rh.origin);
    // Now the victim's own form.
    await page.goto(confirmUrl());
    const [own] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && r.url() === ES_URL),
      page.click('form#logout-confirm button[type=submit]'),
    ]);
    const oh = await own.request().allHeaders();
    eq('own form: 303', 303, own.status());
    eq('own form: Origin null', 'null', oh.origin);
    check('own form: the confirm cookie sent', /__Host-endsession-confirm=/.test(oh.cookie || ''), oh.cookie);
    eq('own form: one journal line', j0 + 1, journal().length);
    await ctx.close();
  }
} catch (e) {
  check('no exception', false, e && e.stack ? e.stack : String(e));
} finally {
  await browser.close();
}
console.log(`confirm: ${pass} passed, ${fail} failed`);
process.exit(fail === 0 ? 0 : 1);
