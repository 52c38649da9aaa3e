// The deferred queue end to end: the real `replyby serve`, a real SQLite file, Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { readFile, writeFile, mkdtemp } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { widgetOrigin, hostOrigin, browser } from './harness.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const bin = path.join(root, 'target/debug/replyby');
const TOKEN = 'e2e-staff';
// The instant both clocks stand at: the widget's (data-now) and the server's (--test-clock).
// Run the suite at others with REPLYBY_TEST_NOW=2027-02-15T15:00:00Z node --test tests/e2e/.
const NOW = process.env.REPLYBY_TEST_NOW || '2027-03-03T15:00:00Z';

const freePort = () => new Promise((res) => { const s = net.createServer(); s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); }); });

let W, H, B, dir, port, config, server;
const pages = {};

// The port is chosen before the server first starts (it is in the page's config), so another
// socket may hold it for a moment by then: try it again rather than fail.
async function startServer() {
  for (let attempt = 1; ; attempt++) {
    server = spawn(bin, ['serve', '--config', path.join(dir, 'config.json'), '--db', path.join(dir, 'q.db'), '--listen', `127.0.0.1:${port}`, '--static-dir', '/nonexistent', '--rate-limit', '0', '--test-clock', NOW],
      { env: { ...process.env, REPLYBY_STAFF_TOKEN: TOKEN }, stdio: ['ignore', 'pipe', 'ignore'] });
    if (await new Promise((res) => { server.stdout.once('data', () => res(true)); server.once('exit', () => res(false)); })) return;
    if (attempt === 10) throw new Error(`replyby serve could not listen on 127.0.0.1:${port}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
function stopServer() { server?.kill('SIGKILL'); server = undefined; }
async function staffQueue(include = 'deferred') {
  const r = await fetch(`http://127.0.0.1:${port}/v1/queue?include=${include}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  return (await r.json()).requests;
}
/** What the core says about the basic plan at NOW, through the command line. */
function expected() {
  const cli = (...args) => JSON.parse(execFileSync(bin, [...args, '--at', NOW], { encoding: 'utf8' }));
  const quote = cli('quote', path.join(dir, 'config.json'), '--plan', 'basic');
  const status = cli('status', path.join(dir, 'config.json'), '--coverage', 'business');
  const deferred = quote.release_at > quote.submitted_at;
  // The start of the preview sentence for this instant; the times themselves are Intl's.
  const opening = !deferred ? "The team is in. You'll hear back by "
    : status.reason?.kind === 'holiday' ? `We're closed for ${status.reason.name}. Your request will reach the team `
      : "We're closed right now. Your request will reach the team ";
  return { quote, deferred, opening };
}

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'replyby-e2e-'));
  port = await freePort();
  W = await widgetOrigin(path.join(root, 'dist'));
  H = await hostOrigin(pages);
  B = await browser();
  config = JSON.parse(await readFile(path.join(root, 'examples/acme.json'), 'utf8'));
  config.queue = { endpoint: `http://127.0.0.1:${port}/v1/requests`, allowed_origins: [H.base] };
  await writeFile(path.join(dir, 'config.json'), JSON.stringify(config));
  const inline = JSON.stringify(config).replaceAll("'", '&#39;');
  pages['/support'] = `<!doctype html><title>support</title>
    <script type="module" src="${W.base}embed.js" data-config='${inline}' data-view="panel" data-plan="basic" data-locale="en-GB" data-now="${NOW}"></script>`;
});

after(async () => { stopServer(); await B?.close(); W?.server.close(); H?.server.close(); });

const shadow = (page, selector) => page.evaluate((s) => [...document.querySelector('[data-replyby-host]').shadowRoot.querySelectorAll(s)].map((e) => e.innerText), selector);

test('written while the server is down, kept across a reload, delivered exactly once', async () => {
  const ctx = await B.newContext({ timezoneId: 'Asia/Tokyo', locale: 'en-GB' });
  const page = await ctx.newPage();
  await page.goto(`${H.base}/support`);
  await page.waitForFunction(() => document.querySelector('[data-replyby-host]')?.shadowRoot?.querySelector('form'));
  const want = expected();
  const preview = (await shadow(page, '.preview'))[0];
  assert.ok(preview.startsWith(want.opening), `at ${NOW} the preview should start "${want.opening}": ${preview}`);
  assert.match(preview, want.deferred ? /, and you'll hear back by .+\.$/ : /^The team is in\. You'll hear back by .+\.$/);

  const host = page.locator('[data-replyby-host]');
  await host.locator('#rb-email').fill('jo@example.com');
  await host.locator('#rb-subject').fill('Router <b>down</b>');
  const message = 'It blinks red <script>window.pwned=1</script> javascript:alert(1)';
  await host.locator('#rb-message').fill(message);
  await page.waitForTimeout(1600); // a person takes a moment; faster is a bot check (fill_ms)
  await host.locator('button[type=submit]').click();
  await page.waitForFunction(() => /Saved on this device/.test(document.querySelector('[data-replyby-host]').shadowRoot.querySelector('.outbox')?.innerText || ''));
  const stored = await page.evaluate(() => JSON.parse(localStorage.getItem('replyby.outbox.v1')));
  assert.equal(stored.length, 1);
  assert.equal(stored[0].body.message, message);

  // The customer reloads while the server is still down: the request is still there.
  await page.reload();
  await page.waitForFunction(() => /Saved on this device/.test(document.querySelector('[data-replyby-host]')?.shadowRoot?.querySelector('.outbox')?.innerText || ''));

  // A second tab on the same device must not make it arrive twice.
  const page2 = await ctx.newPage();
  await page2.goto(`${H.base}/support`);

  await startServer();
  for (const p of [page, page2]) {
    await p.waitForFunction(() => /Received · (reaches the team .+ · )?you'll hear back by/.test(document.querySelector('[data-replyby-host]')?.shadowRoot?.querySelector('.outbox')?.innerText || ''), null, { timeout: 90000 });
  }
  const queue = await staffQueue();
  assert.equal(queue.length, 1, JSON.stringify(queue));
  assert.equal(queue[0].message, message);
  // The server, standing at the same instant, held it exactly when the core says so.
  assert.equal(queue[0].state, want.deferred ? 'deferred' : 'open');
  assert.equal(queue[0].release_at, want.deferred ? want.quote.release_at : queue[0].received_at);
  const line = (await shadow(page, '.outbox .state'))[0];
  assert.equal(/reaches the team/.test(line), want.deferred, line);
  // The widget shows the server's times, which it kept.
  const keptItem = await page.evaluate(() => JSON.parse(localStorage.getItem('replyby.outbox.v1'))[0]);
  const kept = keptItem.state;
  assert.equal(kept.state, 'received');
  // Delivered: nothing the customer wrote stays on the device, only the times.
  assert.equal(keptItem.body, null);
  assert.equal(keptItem.subject, '');
  const all = await page.evaluate(() => JSON.stringify(Object.entries(localStorage)));
  for (const personal of ['jo@example.com', 'Router', 'It blinks red']) assert.ok(!all.includes(personal), `${personal} left in localStorage: ${all}`);
  assert.equal(kept.respond_by, queue[0].respond_by);
  assert.equal(kept.release_at, queue[0].release_at);
  // Text stays text.
  assert.equal(await page.evaluate(() => window.pwned), undefined);
  assert.match((await shadow(page, '.outbox .subject'))[0], /Router <b>down<\/b>/);
  // Reloaded before the reply-by time, the device still shows it; once that time has passed,
  // nothing of the request stays on the device.
  await page.reload();
  await page.waitForFunction(() => /Received/.test(document.querySelector('[data-replyby-host]')?.shadowRoot?.querySelector('.outbox')?.innerText || ''));
  const later = new Date(Date.parse(kept.respond_by) + 60_000).toISOString();
  pages['/support-later'] = pages['/support'].replace(`data-now="${NOW}"`, `data-now="${later}"`);
  assert.notEqual(pages['/support-later'], pages['/support']);
  await page.goto(`${H.base}/support-later`);
  await page.waitForFunction(() => document.querySelector('[data-replyby-host]')?.shadowRoot?.querySelector('form'));
  assert.deepEqual(await page.evaluate(() => JSON.parse(localStorage.getItem('replyby.outbox.v1'))), []);
  assert.equal(await page.evaluate(() => document.querySelector('[data-replyby-host]').shadowRoot.querySelector('.outbox')), null);
  await ctx.close();
});

test('the server\'s field errors are shown and nothing typed is lost', async () => {
  if (!server) await startServer();
  const ctx = await B.newContext({ locale: 'en-GB' });
  const page = await ctx.newPage();
  await page.goto(`${H.base}/support`);
  const host = page.locator('[data-replyby-host]');
  await page.waitForFunction(() => document.querySelector('[data-replyby-host]')?.shadowRoot?.querySelector('form'));
  // Client-side: missing fields are named inline and announced.
  await host.locator('button[type=submit]').click();
  const inline = await shadow(page, '.error');
  assert.equal(inline.length, 2);
  assert.equal(await host.locator('#rb-email').getAttribute('aria-invalid'), 'true');
  // Server-side: a message over the server's limit is refused with the field named.
  await host.locator('#rb-email').fill('jo@example.com');
  await host.locator('#rb-message').fill('x'.repeat(20001));
  await page.waitForTimeout(1600);
  await host.locator('button[type=submit]').click();
  await page.waitForFunction(() => /Not accepted: message/.test(document.querySelector('[data-replyby-host]').shadowRoot.querySelector('.outbox')?.innerText || ''), null, { timeout: 20000 });
  await host.locator('button.link').click();
  assert.equal((await host.locator('#rb-message').inputValue()).length, 20001);
  await ctx.close();
});

test('when the browser will not keep a copy, the form still sends and says so', async () => {
  if (!server) await startServer();
  const ctx = await B.newContext({ locale: 'en-GB' });
  await ctx.addInitScript(() => { Storage.prototype.setItem = () => { throw new DOMException('full', 'QuotaExceededError'); }; });
  const page = await ctx.newPage();
  await page.goto(`${H.base}/support`);
  const host = page.locator('[data-replyby-host]');
  await page.waitForFunction(() => document.querySelector('[data-replyby-host]')?.shadowRoot?.querySelector('form'));
  await host.locator('#rb-email').fill('kim@example.com');
  await host.locator('#rb-message').fill('no storage here');
  await page.waitForTimeout(1600);
  await host.locator('button[type=submit]').click();
  await page.waitForFunction(() => /Received · (reaches the team .+ · )?you'll hear back by/.test(document.querySelector('[data-replyby-host]').shadowRoot.querySelector('.outbox')?.innerText || ''), null, { timeout: 20000 });
  assert.match((await shadow(page, '.note'))[0], /would not let us keep a copy/);
  assert.equal((await staffQueue()).filter((r) => r.message === 'no storage here').length, 1);
  await ctx.close();
});

test('a request that trips a bot check is received like any other and kept for staff as suspected spam', async () => {
  if (!server) await startServer();
  const ctx = await B.newContext({ locale: 'en-GB' });
  const page = await ctx.newPage();
  await page.goto(`${H.base}/support`);
  const host = page.locator('[data-replyby-host]');
  await page.waitForFunction(() => document.querySelector('[data-replyby-host]')?.shadowRoot?.querySelector('form'));
  // What a form-filling bot (or an over-eager autofill) does: types into the hidden field too.
  await host.locator('#rb-email').fill('filler@example.com');
  await host.locator('#rb-message').fill('trapped but typed by someone');
  await page.evaluate(() => {
    const trap = document.querySelector('[data-replyby-host]').shadowRoot.getElementById('rb-website');
    trap.value = 'https://example.com';
    trap.dispatchEvent(new InputEvent('input', { bubbles: true }));
  });
  await page.waitForTimeout(1600);
  await host.locator('button[type=submit]').click();
  await page.waitForFunction(() => /Received · (reaches the team .+ · )?you'll hear back by/.test(document.querySelector('[data-replyby-host]').shadowRoot.querySelector('.outbox')?.innerText || ''), null, { timeout: 20000 });
  const spamOnly = (await staffQueue('deferred,spam')).filter((r) => r.message === 'trapped but typed by someone');
  assert.equal(spamOnly.length, 1);
  assert.match(spamOnly[0].spam, /Website/);
  assert.equal((await staffQueue('deferred')).filter((r) => r.message === 'trapped but typed by someone').length, 0);
  await ctx.close();
});
