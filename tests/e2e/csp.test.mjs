// The snippet on a host page with the strictest Content-Security-Policy the README promises
// works: no inline styles, no blob: workers, nothing but the widget's script and its
// config and queue origins. The widget must still be styled, raise no CSP violation, and
// keep its bot trap out of sight, out of the accessibility tree and out of the Tab order.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { widgetOrigin, hostOrigin, browser, serve, widgetTexts } from './harness.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const config = JSON.parse(await readFile(path.join(root, 'examples/acme.json'), 'utf8'));
// Wednesday 2027-03-03 10:00 New York: open. Every widget here pins its clock.
const NOW = '2027-03-03T15:00:00Z';

let W, H, B, Q;
const received = [];
const pages = {};

before(async () => {
  W = await widgetOrigin(path.join(root, 'dist'));
  H = await hostOrigin(pages);
  B = await browser();
  // A queue on a third origin that answers like replyby serve (CORS for the host only).
  Q = await serve((req, res) => {
    const cors = { 'access-control-allow-origin': H.base, 'access-control-allow-headers': 'content-type, idempotency-key', 'access-control-allow-methods': 'POST' };
    if (req.method === 'OPTIONS') { res.writeHead(204, cors); res.end(); return; }
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      received.push(JSON.parse(body));
      res.writeHead(201, { ...cors, 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: `req_${received.length}`, plan: 'basic', received_at: NOW, release_at: NOW, respond_by: '2027-03-04T22:00:00Z', state: 'open' }));
    });
  });
  const queue = `http://127.0.0.1:${Q.port}`;
  const cfg = JSON.stringify({ ...config, queue: { endpoint: `${queue}/v1/requests`, allowed_origins: [H.base] } }).replaceAll("'", '&#39;');
  const widget = W.base.replace(/\/$/, '');
  // Exactly the policy the README gives a host page.
  const csp = `default-src 'none'; script-src ${widget} 'wasm-unsafe-eval'; connect-src ${widget} ${queue}`;
  for (const view of ['badge', 'panel', 'compare']) {
    pages[`/${view}`] = {
      headers: { 'content-security-policy': csp },
      body: `<!doctype html><title>${view}</title>
        <script type="module" src="${W.base}embed.js" data-config='${cfg}' data-view="${view}" data-plan="basic" data-now="${NOW}" data-locale="en-GB"></script>`,
    };
  }
});

after(async () => { await B?.close(); W?.server.close(); H?.server.close(); Q?.server.close(); });

/** Opens a page, recording every CSP violation and console error before any script runs. */
async function open(view) {
  const ctx = await B.newContext({ timezoneId: 'Europe/London', locale: 'en-GB' });
  await ctx.addInitScript(() => {
    window.violations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
  });
  const page = await ctx.newPage();
  const errors = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${H.base}/${view}`);
  await widgetTexts(page, 1);
  return { ctx, page, errors };
}

const computed = (page, selector, props) => page.evaluate(([s, p]) => {
  const el = document.querySelector('[data-replyby-host]').shadowRoot.querySelector(s);
  if (!el) return null;
  const cs = getComputedStyle(el);
  return Object.fromEntries(p.map((k) => [k, cs[k]]));
}, [selector, props]);

for (const [view, selector, want] of [
  ['badge', '.status', { display: 'flex' }],
  ['panel', '.field', { display: 'flex', flexDirection: 'column' }],
  ['compare', '.plans', { display: 'grid' }],
]) {
  test(`strict CSP: the ${view} is styled and raises no violation`, async () => {
    const { ctx, page, errors } = await open(view);
    // Styles from the widget's stylesheet, not the browser's defaults.
    assert.deepEqual(await computed(page, '.replyby', ['borderTopLeftRadius', 'borderTopStyle']), { borderTopLeftRadius: '10px', borderTopStyle: 'solid' });
    assert.deepEqual(await computed(page, selector, Object.keys(want)), want);
    // Let the page settle a moment longer than the loader's own tasks, then look.
    await page.evaluate(() => new Promise((r) => setTimeout(r, 200)));
    assert.deepEqual(await page.evaluate(() => window.violations), []);
    assert.deepEqual(errors.filter((e) => /Content Security Policy|Refused/i.test(e)), []);
    await ctx.close();
  });
}

test('strict CSP: the bot trap is not rendered, not in the accessibility tree, not reachable with Tab', async () => {
  const { ctx, page } = await open('panel');
  const host = page.locator('[data-replyby-host]');
  const trap = await page.evaluate(() => {
    const el = document.querySelector('[data-replyby-host]').shadowRoot.getElementById('rb-website');
    return { exists: !!el, visible: el.checkVisibility(), width: el.getBoundingClientRect().width, autocomplete: el.autocomplete };
  });
  assert.deepEqual(trap, { exists: true, visible: false, width: 0, autocomplete: 'off' });
  const tree = await host.locator('form').ariaSnapshot();
  assert.match(tree, /E-mail/);
  assert.doesNotMatch(tree, /Website/i);
  // Tab from the e-mail field through the whole form: the trap is never focused.
  await host.locator('#rb-email').focus();
  const order = [];
  for (let i = 0; i < 8; i++) {
    order.push(await page.evaluate(() => document.querySelector('[data-replyby-host]').shadowRoot.activeElement?.id || document.activeElement?.tagName));
    await page.keyboard.press('Tab');
  }
  assert.deepEqual(order.slice(0, 4), ['rb-email', 'rb-name', 'rb-subject', 'rb-message']);
  assert.ok(!order.includes('rb-website'), order.join(' '));
  // A customer's request goes out under this CSP (connect-src covers the queue) and says so.
  await host.locator('#rb-email').fill('jo@example.com');
  await host.locator('#rb-message').fill('Hello from a strict page');
  await host.locator('button[type=submit]').click();
  await page.waitForFunction(() => /Received · you'll hear back by/.test(document.querySelector('[data-replyby-host]').shadowRoot.querySelector('.outbox')?.innerText || ''), null, { timeout: 20000 });
  const sent = received.find((r) => r.message === 'Hello from a strict page');
  assert.ok(sent, JSON.stringify(received));
  assert.equal(sent.website, null);
  assert.ok(Number.isInteger(sent.fill_ms) && sent.fill_ms >= 0, JSON.stringify(sent));
  assert.deepEqual(await page.evaluate(() => window.violations), []);
  await ctx.close();
});
