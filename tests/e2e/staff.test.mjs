// The staff page on Tuesday morning: the real `replyby serve` (clock pinned), a real SQLite
// file, Chromium driven with the keyboard alone, axe-core, and a cross-site attempt to ack.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { browser, hostOrigin } from './harness.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const bin = path.join(root, 'target/debug/replyby');
const shots = path.join(root, 'docs/screenshots');
const axeSource = await readFile(path.join(root, 'node_modules/axe-core/axe.min.js'), 'utf8');
const TOKEN = 'staff-page-token';

let B, dir, server, base, evil;
const ids = {};

async function start(clock) {
  server = spawn(bin, ['serve', '--db', path.join(dir, 'q.db'), '--listen', '127.0.0.1:0', '--static-dir', '/nonexistent', '--rate-limit', '0', '--test-clock', clock],
    { env: { ...process.env, REPLYBY_STAFF_TOKEN: TOKEN }, stdio: ['ignore', 'pipe', 'ignore'] });
  const line = await new Promise((res, rej) => { server.stdout.once('data', (d) => res(String(d))); server.once('exit', rej); });
  base = line.trim().split(' ').pop();
}
function stop() { server?.kill('SIGKILL'); server = undefined; }
async function post(key, body) {
  const r = await fetch(`${base}/v1/requests`, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': key }, body: JSON.stringify(body) });
  assert.equal(r.status, 201);
  return (await r.json()).id;
}

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'replyby-staff-'));
  // Chromium first: the second server's clock runs on from its start, and the page's
  // "overdue 15 min" is read from it, so as little as possible comes between.
  B = await browser();
  // Friday 2027-03-05, 16:45 in New York: two requests on 24/7 plans …
  await start('2027-03-05T21:45:00Z');
  ids.critical = await post('c', { plan: 'critical', email: 'kim@example.com', name: 'Kim', subject: 'Payments failing', message: 'Every card payment fails since 16:30.', fill_ms: 9000 });
  ids.enterprise = await post('e', { plan: 'enterprise', email: 'lee@example.com', subject: 'Invoice copy', message: 'Could you resend March’s invoice?', fill_ms: 9000 });
  stop();
  // … and at 17:30, after New York closed: one held until Monday, one that tripped the trap.
  await start('2027-03-05T22:30:00Z');
  ids.basic = await post('b', { plan: 'basic', email: 'ana@example.com', subject: 'Router <b>down</b>', message: 'It blinks red.', fill_ms: 9000 });
  ids.spam = await post('s', { plan: 'basic', email: 'bot@example.com', message: 'cheap pills', website: 'http://spam.example', fill_ms: 9000 });
  // Another site that tries to ack a request with the staff member's cookie.
  evil = await hostOrigin({ '/': `<!doctype html><title>evil</title>
    <form id="f" method="post" action="${base}/staff/requests/${ids.critical}/ack"><input name="csrf" value="guess"></form>` });
});

after(async () => { stop(); await B?.close(); evil?.server.close(); });

test('staff sign in with the keyboard, see overdue first, held and spam apart, and ack', async () => {
  const ctx = await B.newContext({ timezoneId: 'Europe/Berlin', locale: 'en-GB', viewport: { width: 1000, height: 1100 } });
  const page = await ctx.newPage();
  await page.goto(`${base}/staff`);
  // The token field has focus; type and press Enter. Never in a URL.
  // The sign-in page puts focus in the token field (autofocus); wait for it, since Chromium
  // applies autofocus on a rendering step after load and keys typed before it are lost.
  await page.waitForFunction(() => document.activeElement?.id === 'token');
  await page.keyboard.type(TOKEN);
  await page.keyboard.press('Enter');
  await page.waitForSelector('#released-title');
  await page.waitForLoadState(); // the whole page, not only its top
  assert.doesNotMatch(page.url(), new RegExp(TOKEN));
  const cookie = (await ctx.cookies()).find((c) => c.name === 'replyby_staff');
  assert.ok(cookie && cookie.httpOnly && cookie.sameSite === 'Strict', JSON.stringify(cookie));
  assert.ok(!cookie.value.includes(TOKEN));

  const section = (id) => page.locator(`section[aria-labelledby=${id}] article h3`).allInnerTexts();
  assert.deepEqual(await section('released-title'), ['Payments failing', 'Invoice copy']);
  assert.deepEqual(await section('held-title'), ['Router <b>down</b>']);
  assert.deepEqual(await section('spam-title'), ['cheap pills']);
  const due = await page.locator('section[aria-labelledby=released-title] .due strong').allInnerTexts();
  // The server's clock runs on from 22:30 (due 22:15 and 22:45): a slow machine may read a minute or two on.
  assert.equal(due.length, 2, due.join(' / '));
  assert.match(due[0], /^overdue 1[5-7] min$/, due.join(' / '));
  assert.match(due[1], /^due in 1[3-5] min$/, due.join(' / '));
  // Absolute times in the staff member's zone (Berlin: 23:15 for 22:15Z).
  assert.match(await page.locator('section[aria-labelledby=released-title] article').first().innerText(), /reply by Fri 5 Mar 23:15 CET/);
  assert.match(await page.locator('section[aria-labelledby=held-title] article').innerText(), /held until Mon 8 Mar 15:00 CET/);

  // The page's CSP forbids inline and foreign scripts; axe goes in through the test API.
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] })).violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`));
  assert.deepEqual(result, []);
  await page.screenshot({ path: path.join(shots, 'staff-page.png'), fullPage: true });

  // Ack the overdue one with the keyboard alone: Tab until its Ack button has focus.
  let reached = false;
  for (let i = 0; i < 30 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate(() => (document.activeElement?.textContent || '').replace(/\s+/g, ' ').trim() === 'Ack “Payments failing”');
  }
  assert.ok(reached, 'the Ack button is reachable with Tab');
  await page.keyboard.press('Enter');
  // The ack posts, redirects and loads the page again: wait for that page, whole.
  await page.waitForFunction(() => document.readyState === 'complete' && document.getElementById('released-title')
    && !document.body.innerText.includes('Payments failing'));
  assert.deepEqual(await section('released-title'), ['Invoice copy']);
  await ctx.close();
});

test('a cross-site form cannot ack, and the staff API still needs the token', async () => {
  const ctx = await B.newContext();
  const page = await ctx.newPage();
  await page.goto(`${base}/staff`);
  await page.fill('#token', TOKEN);
  await page.press('#token', 'Enter');
  await page.waitForSelector('#released-title');
  await page.waitForLoadState(); // the whole page, not only its top
  const before = await page.locator('article h3').allInnerTexts();
  // The other site posts to the ack URL: SameSite=Strict keeps the cookie back, and the
  // server checks Origin and the form token besides.
  const other = await ctx.newPage();
  await other.goto(`${evil.base}/`);
  const [response] = await Promise.all([other.waitForNavigation(), other.evaluate(() => document.getElementById('f').submit())]);
  assert.ok([401, 403].includes(response.status()), `cross-site ack answered ${response.status()}`);
  await page.reload();
  assert.deepEqual(await page.locator('article h3').allInnerTexts(), before);
  const r = await fetch(`${base}/v1/queue`);
  assert.equal(r.status, 401);
  await ctx.close();
});
