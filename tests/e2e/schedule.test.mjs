// Staff keep their own hours, end to end: two real `replyby serve` instances on one SQLite
// file (clocks pinned), a staff member with her own token, the Schedule view driven by the
// keyboard alone in Chromium (axe-core, the page's strict CSP), a closure with a note added
// through Preview and Save, and the widget on a host page served by the *other* instance
// showing the closed day and its note.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { readFile, writeFile, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { browser, hostOrigin, widgetOrigin, widgetTexts } from './harness.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const bin = path.join(root, 'target/debug/replyby');
const dist = path.join(root, 'dist');
const shots = path.join(root, 'docs/screenshots');
const axeSource = await readFile(path.join(root, 'node_modules/axe-core/axe.min.js'), 'utf8');
// Wednesday 3 March 2027, 10:00 in New York.
const NOW = '2027-03-03T15:00:00Z';

let B, dir, db, a, b, widgets, token, live;
const servers = [];

async function start() {
  const child = spawn(bin, ['serve', '--db', db, '--listen', '127.0.0.1:0', '--static-dir', '/nonexistent', '--rate-limit', '0', '--test-clock', NOW],
    { env: { ...process.env, REPLYBY_STAFF_TOKEN: 'bootstrap-e2e', RUST_LOG: 'warn' }, stdio: ['ignore', 'pipe', 'ignore'] });
  servers.push(child);
  const line = await new Promise((res, rej) => { child.stdout.once('data', (d) => res(String(d))); child.once('exit', rej); });
  return line.trim().split(' ').pop();
}

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'replyby-schedule-'));
  db = path.join(dir, 'q.db');
  a = await start();
  b = await start();
  token = execFileSync(bin, ['staff', 'add', 'Ana Lima', '--role', 'agent', '--db', db], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  widgets = await widgetOrigin(dist);
  B = await browser();
});

after(async () => { for (const s of servers) s.kill('SIGKILL'); await B?.close(); widgets?.server.close(); });

async function tabTo(page, matches, limit = 60) {
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(matches)) return;
  }
  assert.fail('not reachable with Tab');
}

// A customer's page, open before staff change anything: the widget loads instance B's config
// (no data-now; Playwright's clock stands at NOW and moves only when the test says), and the
// customer has started typing a request.
async function openLiveWidget() {
  const csp = `default-src 'none'; script-src ${widgets.base} 'wasm-unsafe-eval'; connect-src ${widgets.base} ${b}`;
  const host = await hostOrigin({ '/': { headers: { 'content-security-policy': csp }, body: `<!doctype html><html lang="en"><title>support</title>
    <script type="module" src="${widgets.base}embed.js" data-config="${b}/v1/config" data-view="panel" data-plan="basic" data-time-zone="America/New_York" data-locale="en-US"></script>` } });
  const ctx = await B.newContext({ timezoneId: 'America/New_York', locale: 'en-US' });
  await ctx.clock.install({ time: new Date(NOW) });
  await ctx.clock.pauseAt(new Date(NOW));
  const page = await ctx.newPage();
  const configRequests = [];
  page.on('request', async (r) => { if (r.url() === `${b}/v1/config`) configRequests.push(await r.allHeaders()); });
  const violations = [];
  page.on('console', (m) => { if (/Content Security Policy|Refused to/.test(m.text())) violations.push(m.text()); });
  await page.goto(`${host.base}/`);
  const [text] = await widgetTexts(page, 1);
  assert.doesNotMatch(text, /offsite/);
  await page.locator('#rb-message').fill('My invoice from February is wrong');
  return { ctx, page, host, configRequests, violations };
}

test('a staff member closes next Wednesday with a note from the Schedule view, by keyboard', async () => {
  live = await openLiveWidget();
  const ctx = await B.newContext({ timezoneId: 'America/New_York', locale: 'en-US', viewport: { width: 1100, height: 1400 } });
  const page = await ctx.newPage();
  const violations = [];
  page.on('console', (m) => { if (/Content Security Policy|Refused to/.test(m.text())) violations.push(m.text()); });
  await page.goto(`${a}/staff`);
  // The sign-in page puts focus in the token field (autofocus); wait for it, since Chromium
  // applies autofocus on a rendering step after load and keys typed before it are lost.
  await page.waitForFunction(() => document.activeElement?.id === 'token');
  await page.keyboard.type(token);
  await page.keyboard.press('Enter');
  await page.waitForSelector('#released-title');
  await page.waitForLoadState(); // the whole page, not only its top
  assert.match(await page.locator('.who').innerText(), /Signed in as Ana Lima \(agent\)/);
  // To the Schedule view by keyboard.
  await tabTo(page, () => document.activeElement?.textContent === 'Schedule');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#add-title');
  await page.waitForLoadState(); // the whole page, not only its top
  // The calendar: 8 weeks of each team in its own zone; Presidents' Day is past, Good Friday (Berlin) ahead.
  assert.equal(await page.locator('section[aria-labelledby=team-nyc] tbody tr').count(), 8);
  assert.match(await page.locator('section[aria-labelledby=team-berlin] td[data-date="2027-03-26"]').innerText(), /Closed: Good Friday/);

  // The form, by keyboard: the team select has New York first; type the rest.
  await page.focus('#team');
  await page.keyboard.press('Tab'); // the "what" radios: closed all day is checked
  await page.keyboard.press('Tab');
  await page.keyboard.type('Company offsite');
  await page.keyboard.press('Tab');
  await page.keyboard.type('03102027'); // a date input in en-US: mm dd yyyy
  assert.equal(await page.inputValue('#from'), '2027-03-10');
  await page.focus('#note');
  await page.keyboard.type('Closed for our team offsite');
  await tabTo(page, () => document.activeElement?.textContent === 'Preview');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#preview-title');
  await page.waitForLoadState(); // the whole page, not only its top
  const preview = await page.locator('.preview').innerText();
  assert.match(preview, /Closed Wednesday 10 March 2027 — Closed for our team offsite \(shown from 2027-02-24\)/);
  assert.match(preview, /A Basic request sent at Wed 10 Mar 12:00 EST: reaches the team Thu 11 Mar 09:00 EST/);
  // Nothing saved yet, and what was typed is still there.
  assert.equal(await page.inputValue('#name'), 'Company offsite');
  let r = await fetch(`${a}/v1/schedule`, { headers: { authorization: `Bearer ${token}` } });
  assert.deepEqual((await r.json()).changes, []);

  await page.evaluate(axeSource);
  const axe = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] })).violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`));
  assert.deepEqual(axe, []);

  await page.focus('#announce_from');
  await tabTo(page, () => document.activeElement?.textContent === 'Save');
  await page.keyboard.press('Enter');
  await page.waitForSelector('[role=status]');
  await page.waitForLoadState(); // the whole page, not only its top
  assert.match(await page.locator('[role=status]').innerText(), /Saved: Company offsite/);
  assert.match(await page.locator('section[aria-labelledby=team-nyc] td[data-date="2027-03-10"]').innerText(), /Closed: Company offsite/);
  assert.match(await page.locator('.changes').innerText(), /New York: Company offsite \(closed\), 2027-03-10 — “Closed for our team offsite” · by Ana Lima/);
  await page.screenshot({ path: path.join(shots, 'staff-schedule.png'), fullPage: true });
  assert.deepEqual(violations, []);

  // A change with a problem keeps what was typed and says what is wrong.
  await page.fill('#name', 'Short day');
  await page.check('#kind-reduced');
  await page.fill('#from', '2027-03-12');
  await page.fill('#hours', '10:00-25:00');
  await page.click('button:text-is("Save")');
  await page.waitForSelector('#change-problems');
  assert.match(await page.locator('#change-problems').innerText(), /Hours: interval "10:00-25:00"/);
  assert.equal(await page.inputValue('#hours'), '10:00-25:00');

  // The audit names her.
  r = await fetch(`${a}/v1/audit`, { headers: { authorization: 'Bearer bootstrap-e2e' } });
  const entries = (await r.json()).entries;
  assert.deepEqual([entries[0].actor, entries[0].action], ['Ana Lima', 'schedule.add']);
  await ctx.close();
});

test('the other instance serves the closure: its config, its calendar, the CLI, and the widget already open', async () => {
  // Instance B polls the store's revision every second.
  let config;
  for (let i = 0; i < 200; i++) {
    config = await (await fetch(`${b}/v1/config`)).json();
    if (config.changes?.length) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(config.changes?.[0]?.note, 'Closed for our team offsite');
  const ics = await (await fetch(`${b}/v1/closed-days.ics?coverage=business`)).text();
  assert.match(ics, /DTSTART;VALUE=DATE:20270310[\s\S]*SUMMARY:[^\n]*Company offsite/);
  // `replyby closed-days` on the public config shows the day closed, with its note.
  const file = path.join(dir, 'public.json');
  await writeFile(file, JSON.stringify(config));
  const days = JSON.parse(execFileSync(bin, ['closed-days', file, '--coverage', 'business', '--from', '2027-03-08', '--to', '2027-03-12'], { encoding: 'utf8' }));
  assert.deepEqual(days.map((d) => [d.date, d.name, d.note]), [['2027-03-10', 'Company offsite', 'Closed for our team offsite']]);

  // The widget opened before the change: nothing new while the customer stays on the page
  // for less than 5 minutes; coming back to the tab after that, it asks again (with the
  // ETag it holds) and shows the closed day and the note, and what the customer typed stays.
  const { page, ctx, host, configRequests, violations } = live;
  const comeBack = () => page.evaluate(() => document.dispatchEvent(new Event('visibilitychange')));
  await ctx.clock.runFor('04:00');
  await comeBack();
  await page.waitForTimeout(300);
  assert.equal(configRequests.length, 1, 'no refetch within 5 minutes');
  await ctx.clock.runFor('02:00');
  await comeBack();
  await page.waitForFunction(() => /Closed for our team offsite/.test(document.querySelector('[data-replyby-host]').shadowRoot.querySelector('.replyby').innerText), null, { timeout: 10000 });
  const [text] = await widgetTexts(page, 1);
  assert.match(text, /Wed(nesday)?, (Mar(ch)?) 10\s+Company offsite — Closed for our team offsite/);
  assert.equal(await page.locator('#rb-message').inputValue(), 'My invoice from February is wrong');
  assert.equal(configRequests.length, 2);
  assert.ok(configRequests[1]['if-none-match'], `the refetch is conditional: ${JSON.stringify(configRequests[1])}`);
  // An hour later it looks again by itself; the config is unchanged, which the server
  // answers with a 304 to the ETag the browser holds, and the widget stays as it is.
  const before = configRequests.length;
  await ctx.clock.runFor('01:00:00');
  for (let i = 0; i < 200 && configRequests.length === before; i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal(configRequests.length, before + 1, 'looked again within the hour');
  const etag = configRequests.at(-1)['if-none-match'];
  assert.equal((await fetch(`${b}/v1/config`, { headers: { 'if-none-match': etag } })).status, 304);
  assert.match((await widgetTexts(page, 1))[0], /Closed for our team offsite/);
  assert.equal(await page.locator('#rb-message').inputValue(), 'My invoice from February is wrong');
  // A notice with no closure, added on instance A through the API, shows its text above
  // the panel once the tab comes back again.
  const notice = await fetch(`${a}/v1/schedule`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ team: 'nyc', name: 'Slow week', from: '2027-03-01', to: '2027-03-05', closed: false, note: 'Replies are slower this week: we are moving offices.' }) });
  assert.equal(notice.status, 201, await notice.text());
  for (let i = 0; (await (await fetch(`${b}/v1/config`)).json()).changes.length < 2; i++) {
    assert.ok(i < 200, 'instance B serves the notice within 20 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  await ctx.clock.runFor('06:00');
  await comeBack();
  await page.waitForFunction(() => document.querySelector('[data-replyby-host]').shadowRoot.querySelector('.notice'), null, { timeout: 10000 });
  assert.equal(await page.locator('.notice').innerText(), 'Replies are slower this week: we are moving offices.');
  assert.equal(await page.locator('#rb-message').inputValue(), 'My invoice from February is wrong');
  assert.deepEqual(violations, []);
  await page.screenshot({ path: path.join(shots, 'widget-closure-note.png') });
  await ctx.close();
  host.server.close();
});
