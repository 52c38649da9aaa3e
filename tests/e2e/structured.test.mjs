// `data-structured-data`: the widget puts the coverage's hours in the host page's <head> as
// schema.org JSON-LD, once per page however many widgets ask, under a strict CSP, from a real
// `replyby serve` (clock pinned) or from a static file beside an inline config.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { browser, hostOrigin, widgetOrigin, widgetTexts } from './harness.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const bin = path.join(root, 'target/debug/replyby');
const config = await readFile(path.join(root, 'examples/acme.json'), 'utf8');
// Wednesday 3 March 2027, 10:00 in New York.
const NOW = '2027-03-03T15:00:00Z';

let B, W, H, server, base;
const pages = {};

before(async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'replyby-structured-'));
  server = spawn(bin, ['serve', '--listen', '127.0.0.1:0', '--db', path.join(dir, 'q.db'), '--static-dir', '/nonexistent', '--test-clock', NOW],
    { env: { ...process.env, REPLYBY_STAFF_TOKEN: 'structured-e2e', RUST_LOG: 'warn' }, stdio: ['ignore', 'pipe', 'inherit'] });
  base = await new Promise((res, rej) => {
    let out = '';
    server.stdout.on('data', (d) => { out += d; const m = out.match(/listening on (http:\/\/\S+)/); if (m) res(m[1]); });
    server.once('exit', rej);
  });
  W = await widgetOrigin(path.join(root, 'dist'));
  H = await hostOrigin(pages);
  const widget = W.base.replace(/\/$/, '');
  const csp = (also) => `default-src 'none'; script-src ${widget} 'wasm-unsafe-eval'; connect-src ${widget} ${also}`;
  const tag = (attrs) => `<script type="module" src="${W.base}embed.js" data-now="${NOW}" data-locale="en-US" data-time-zone="America/New_York" ${attrs}></script>`;
  pages['/served'] = { headers: { 'content-security-policy': csp(base) }, body: `<!doctype html><html lang="en"><head><title>support</title></head><body>
    ${tag(`data-config="${base}/v1/config" data-view="badge" data-plan="basic" data-structured-data`)}
    ${tag(`data-config="${base}/v1/config" data-view="panel" data-plan="basic" data-structured-data`)}</body></html>` };
  pages['/hours.jsonld'] = { headers: { 'content-type': 'application/ld+json', 'access-control-allow-origin': '*' }, body: '{"@context": "https://schema.org", "@type": "Organization", "name": "Acme (static)"}' };
  B = await browser();
});

after(async () => { server?.kill('SIGKILL'); await B?.close(); W?.server.close(); H?.server.close(); });

async function open(pathname) {
  const ctx = await B.newContext({ timezoneId: 'America/New_York', locale: 'en-US' });
  await ctx.addInitScript(() => {
    window.violations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  const page = await ctx.newPage();
  const errors = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto(`${H.base}${pathname}`);
  return { ctx, page, errors };
}

const blocks = (page) => page.evaluate(() => [...document.querySelectorAll('script[type="application/ld+json"]')]
  .map((s) => ({ inHead: s.parentElement === document.head, text: s.textContent })));

test('two widgets asking for structured data put one JSON-LD block in the head, from replyby serve, under a strict CSP', async () => {
  const { ctx, page, errors } = await open('/served');
  await widgetTexts(page, 2);
  await page.waitForFunction(() => document.querySelector('script[type="application/ld+json"]'), null, { timeout: 10000 })
    .catch((e) => assert.fail(`${e.message}: ${errors.join('; ')}`));
  await page.waitForTimeout(300); // the second widget's request, were there one, would have landed
  const found = await blocks(page);
  assert.equal(found.length, 1, 'one block per page');
  assert.ok(found[0].inHead);
  // What the page holds is what the server publishes for the plan's coverage.
  const served = await (await fetch(`${base}/v1/hours?coverage=business&format=schema-org`)).text();
  assert.deepEqual(JSON.parse(found[0].text), JSON.parse(served));
  assert.match(found[0].text, /customer support/);
  assert.deepEqual(await page.evaluate(() => window.violations), []);
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('with an inline config the block comes from the URL the attribute gives', async () => {
  const cfg = config.replaceAll("'", '&#39;');
  const widget = W.base.replace(/\/$/, '');
  pages['/static'] = { headers: { 'content-security-policy': `default-src 'none'; script-src ${widget} 'wasm-unsafe-eval'; connect-src ${widget} ${H.base}` } };
  pages['/static'].body = `<!doctype html><html lang="en"><head><title>support</title></head><body>
    <script type="module" src="${W.base}embed.js" data-now="${NOW}" data-locale="en-US" data-view="badge" data-config='${cfg}' data-structured-data="/hours.jsonld"></script></body></html>`;
  const { ctx, page, errors } = await open('/static');
  await widgetTexts(page, 1);
  await page.waitForFunction(() => document.querySelector('script[type="application/ld+json"]'), null, { timeout: 10000 });
  const found = await blocks(page);
  assert.equal(found.length, 1);
  assert.equal(JSON.parse(found[0].text).name, 'Acme (static)');
  assert.deepEqual(await page.evaluate(() => window.violations), []);
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('an inline config without a URL says why there is no block, and the widget still renders', async () => {
  const cfg = config.replaceAll("'", '&#39;');
  pages['/none'] = `<!doctype html><title>support</title>
    <script type="module" src="${W.base}embed.js" data-now="${NOW}" data-locale="en-US" data-view="badge" data-config='${cfg}' data-structured-data></script>`;
  const { ctx, page, errors } = await open('/none');
  const [text] = await widgetTexts(page, 1);
  assert.match(text, /Open now/);
  await page.waitForTimeout(200);
  assert.deepEqual(await blocks(page), []);
  assert.ok(errors.some((e) => /replyby: no structured data \(give data-structured-data a URL with an inline config\)/.test(e)), errors.join('\n'));
  await ctx.close();
});
