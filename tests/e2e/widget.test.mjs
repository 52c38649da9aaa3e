// End-to-end: the embed snippet on plain host pages of another origin, in Chromium.
// Run: node --test tests/e2e/   (after `trunk build --release`)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { widgetOrigin, hostOrigin, browser, widgetTexts } from './harness.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dist = path.join(root, 'dist');
const shots = path.join(root, 'docs/screenshots');
const axeSource = await readFile(path.join(root, 'node_modules/axe-core/axe.min.js'), 'utf8');
const config = JSON.parse(await readFile(path.join(root, 'examples/acme.json'), 'utf8'));

// Monday 2027-02-15 10:00 New York: Presidents' Day.
const HOLIDAY = '2027-02-15T15:00:00Z';
// Wednesday 2027-03-03 10:00 New York: open.
const OPEN = '2027-03-03T15:00:00Z';

const HOSTILE = `<style>
  * { all: revert; color: red !important; font: 40px serif !important; }
  div, p, span, section, table, svg, li { display: inline !important; margin: 50px !important; padding: 30px !important;
    background: yellow !important; border: 5px dashed blue !important; box-sizing: content-box !important; }
  .status, .badge, .panel, .replyby { display: none !important; }
</style>`;

let W, H, B;
const pages = {};
const tag = (attrs) => `<script type="module" src="${W.base}embed.js" ${attrs}></script>`;

before(async () => {
  W = await widgetOrigin(dist);
  H = await hostOrigin(pages);
  B = await browser();
  await mkdir(shots, { recursive: true });
  const cfg = `data-config="${W.base}acme.json"`;
  pages['/two'] = `<!doctype html><title>two</title>${HOSTILE}
    <p class="status" id="outside">host text</p>
    ${tag(`${cfg} data-view="badge" data-plan="basic" data-now="${HOLIDAY}" data-locale="en-GB"`)}
    <div id="slot"></div>
    ${tag(`${cfg} data-view="panel" data-plan="pro" data-target="#slot" data-now="${HOLIDAY}" data-locale="en-GB"`)}`;
  for (const view of ['badge', 'panel', 'compare']) {
    for (const theme of ['light', 'dark']) {
      pages[`/${view}-${theme}`] = `<!doctype html><html lang="en"><title>${view}</title><main style="max-width:60rem;margin:1rem auto">
        ${tag(`${cfg} data-view="${view}" data-plan="basic" data-now="${HOLIDAY}" data-locale="en-GB" data-theme="${theme}"`)}</main>`;
    }
  }
  pages['/zone'] = `<!doctype html><title>zone</title>${tag(`${cfg} data-view="badge" data-plan="basic" data-now="${HOLIDAY}"`)}`;
  pages['/broken'] = `<!doctype html><title>broken</title>
    ${tag(`data-config="${W.base}missing.json" data-view="badge"`)}
    ${tag(`data-config='${JSON.stringify({ ...config, teams: [{ ...config.teams[0], timezone: 'Europe/Berln' }] }).replaceAll("'", '&#39;')}' data-view="panel"`)}
    ${tag(`${cfg} data-view="badge" data-plan="gold"`)}`;
  // The same config as a bundle (`replyby bundle`: the presets inside), served beside the page.
  const bundle = execFileSync(path.join(root, 'target/debug/replyby'), ['bundle', path.join(root, 'examples/acme.json')], { encoding: 'utf8' });
  pages['/acme.bundle.json'] = { body: bundle, headers: { 'content-type': 'application/json' } };
  pages['/bundle'] = `<!doctype html><title>bundle</title>
    ${tag(`data-config="/acme.bundle.json" data-view="panel" data-plan="pro" data-now="${HOLIDAY}" data-locale="en-GB"`)}
    ${tag(`${cfg} data-view="panel" data-plan="pro" data-now="${HOLIDAY}" data-locale="en-GB"`)}`;
  pages['/bundle-only'] = `<!doctype html><title>bundle</title>
    ${tag(`data-config="/acme.bundle.json" data-view="badge" data-plan="basic" data-now="${HOLIDAY}" data-locale="en-GB"`)}`;
  pages['/api'] = `<!doctype html><title>api</title><div id="a"></div><script type="module" src="${W.base}embed.js"></script>`;
  pages['/xss'] = `<!doctype html><title>xss</title>
    ${tag(`data-config='${JSON.stringify({ ...config, company: '<img src=x onerror="window.pwned=1">Acme' }).replaceAll("'", '&#39;')}' data-view="panel" data-plan="basic" data-now="${OPEN}"`)}`;
});

after(async () => {
  await B?.close();
  W?.server.close();
  H?.server.close();
});

test('two widgets on a hostile page render, one download, no leak either way', async () => {
  const page = await B.newPage();
  W.requests.length = 0;
  await page.goto(`${H.base}/two`);
  const [badge, panel] = await widgetTexts(page, 2);
  assert.match(badge, /Closed for Washington's Birthday · back tomorrow 09:00/);
  assert.match(panel, /Write now and hear back by/);
  assert.equal(W.requests.filter((p) => p.endsWith('.wasm')).length, 1, W.requests.join(' '));
  const style = await page.evaluate(() => {
    const inner = document.querySelector('replyby-widget').shadowRoot.querySelector('.status');
    const cs = getComputedStyle(inner);
    const outside = getComputedStyle(document.getElementById('outside'));
    return { size: cs.fontSize, color: cs.color, display: cs.display, outsideDisplay: outside.display };
  });
  assert.equal(style.size, '16px');
  assert.notEqual(style.color, 'rgb(255, 0, 0)');
  assert.equal(style.display, 'flex');
  // The widget's `.status { display: flex }` does not reach the host page's own .status.
  assert.equal(style.outsideDisplay, 'none');
  await page.screenshot({ path: path.join(shots, 'hostile-page.png'), fullPage: true });
  await page.close();
});

test('a bundle shows what the config and its preset files show, with no preset fetched', async () => {
  const ctx = await B.newContext({ timezoneId: 'Europe/London', locale: 'en-GB' });
  const page = await ctx.newPage();
  await page.goto(`${H.base}/bundle`);
  const [fromBundle, fromFiles] = await widgetTexts(page, 2);
  assert.match(fromBundle, /Washington's Birthday/, 'the holiday comes from the bundled US preset');
  assert.equal(fromBundle, fromFiles);
  const before = W.requests.length;
  const alone = await ctx.newPage();
  await alone.goto(`${H.base}/bundle-only`);
  const [badge] = await widgetTexts(alone, 1);
  assert.match(badge, /Closed for Washington's Birthday/);
  const asked = W.requests.slice(before);
  assert.deepEqual(asked.filter((p) => p.startsWith('/presets/') || p.endsWith('acme.json')), [], asked.join(' '));
  await ctx.close();
});

test('visitor zone and locale come from the browser, or from data attributes', async () => {
  for (const [timezoneId, locale, want] of [
    ['Asia/Tokyo', 'en-GB', /back tomorrow 09:00 GMT-5 \(23:00 your time\)/],
    ['Pacific/Auckland', 'en-GB', /back tomorrow 09:00 GMT-5 \(tomorrow 03:00 your time\)/],
    ['Europe/Berlin', 'de-DE', /Geschlossen \(Washington's Birthday\) · wieder erreichbar morgen um 09:00 GMT-5 \(bei Ihnen 15:00\)/],
    ['Europe/Paris', 'fr-FR', /Fermé \(Washington's Birthday\) · réouverture demain à 09:00 UTC−5 \(15:00 chez vous\)/],
    // A language the widget does not speak: English sentences and English dates, not a mix.
    ['Asia/Bangkok', 'th-TH', /^Closed for Washington's Birthday · back tomorrow 09:00 AM EST \(09:00 PM your time\)$/m],
    ['America/New_York', 'en-GB', /back tomorrow 09:00$/m],
  ]) {
    const ctx = await B.newContext({ timezoneId, locale });
    const page = await ctx.newPage();
    await page.goto(`${H.base}/zone`);
    const [text] = await widgetTexts(page, 1);
    assert.match(text, want, `${timezoneId} ${locale}: ${text}`);
    await ctx.close();
  }
});

test('while the wasm is on its way, a loading line in the visitor\'s language, then the view', async () => {
  const pt = JSON.parse(await readFile(path.join(root, 'i18n/pt.json'), 'utf8'));
  for (const [locale, loading] of [['en-US', 'Loading support hours…'], ['pt-BR', pt.loading]]) {
    const ctx = await B.newContext({ timezoneId: 'America/Sao_Paulo', locale });
    const page = await ctx.newPage();
    let release;
    const held = new Promise((r) => { release = r; });
    await page.route('**/replyby-widget_bg.wasm', async (route) => { await held; await route.continue(); });
    await page.goto(`${H.base}/zone`);
    await page.waitForFunction((want) => document.querySelector('[data-replyby-host]')?.shadowRoot?.textContent === want, loading);
    release();
    const [text] = await widgetTexts(page, 1);
    assert.doesNotMatch(text, new RegExp(loading), `${locale}: the loading line is gone once the view renders`);
    assert.ok(!(await page.evaluate(() => document.querySelector('[data-replyby-host]').shadowRoot.textContent)).includes(loading));
    await ctx.close();
  }
});

test('a broken config, an unknown zone or plan shows a neutral line and logs the exact error', async () => {
  const page = await B.newPage();
  const logs = [];
  page.on('console', (m) => m.type() === 'error' && logs.push(m.text()));
  await page.goto(`${H.base}/broken`);
  const texts = await widgetTexts(page, 3);
  assert.deepEqual(texts.map((t) => t.trim()), Array(3).fill('Support hours are unavailable right now.'));
  const all = logs.join('\n');
  assert.match(all, /replyby: cannot load the config from .*missing\.json: HTTP 404/);
  assert.match(all, /replyby: inline config: \/teams\/0\/timezone: unknown time zone "Europe\/Berln" \(did you mean "Europe\/Berlin"\?\)/);
  assert.match(all, /replyby: .*acme\.json: unknown plan "gold" in data-plan \(plans: basic, pro, global, enterprise, critical\)/);
  await page.close();
});

test('window.ReplyBy.mount and unmount', async () => {
  const page = await B.newPage();
  await page.goto(`${H.base}/api`);
  await page.waitForFunction(() => window.ReplyBy);
  await page.evaluate((cfg) => {
    const el = document.getElementById('a');
    window.handle = window.ReplyBy.mount(el, { config: cfg, view: 'badge', plan: 'pro', now: '2027-03-03T15:00:00Z', locale: 'en-GB' });
  }, `${W.base}acme.json`);
  const [text] = await widgetTexts(page, 1);
  assert.match(text, /Open now · replies within 4 business hours/);
  // Themed from the page through custom properties on the host.
  const dot = await page.evaluate(() => {
    const el = document.getElementById('a');
    el.style.setProperty('--replyby-open', 'rgb(1, 2, 3)');
    return getComputedStyle(el.shadowRoot.querySelector('.dot')).backgroundColor;
  });
  assert.equal(dot, 'rgb(1, 2, 3)');
  const after = await page.evaluate(() => { window.handle.unmount(); const el = document.getElementById('a'); return [el.shadowRoot.childNodes.length, el.hasAttribute('data-replyby-host')]; });
  assert.deepEqual(after, [0, false]);
  await page.close();
});

test('config text is shown as text, never run as HTML', async () => {
  const page = await B.newPage();
  await page.goto(`${H.base}/xss`);
  const [text] = await widgetTexts(page, 1);
  assert.match(text, /<img src=x onerror="window.pwned=1">Acme/);
  assert.equal(await page.evaluate(() => window.pwned), undefined);
  await page.close();
});

for (const view of ['badge', 'panel', 'compare']) {
  for (const theme of ['light', 'dark']) {
    test(`axe-core finds no violation: ${view}, ${theme}`, async () => {
      const ctx = await B.newContext({ colorScheme: theme, viewport: { width: 1100, height: 900 }, timezoneId: 'Europe/London', locale: 'en-GB' });
      const page = await ctx.newPage();
      await page.goto(`${H.base}/${view}-${theme}`);
      await widgetTexts(page, 1);
      await page.addScriptTag({ content: axeSource });
      const result = await page.evaluate(() => window.axe.run(document.querySelector('replyby-widget'), { resultTypes: ['violations'] }));
      const summary = result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
      assert.deepEqual(summary, []);
      const el = await page.$('replyby-widget');
      await el.screenshot({ path: path.join(shots, `${view}-${theme}.png`) });
      await ctx.close();
    });
  }
}

test('compare reads on a 320 px phone without sideways scrolling', async () => {
  const ctx = await B.newContext({ viewport: { width: 320, height: 800 }, deviceScaleFactor: 2, timezoneId: 'Europe/London', locale: 'en-GB' });
  const page = await ctx.newPage();
  await page.goto(`${H.base}/compare-light`);
  await widgetTexts(page, 1);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `page scrolls sideways by ${overflow}px`);
  await page.screenshot({ path: path.join(shots, 'compare-320px.png'), fullPage: true });
  await ctx.close();
});

test('keyboard: every interactive element is reachable with Tab', async () => {
  const page = await B.newPage();
  await page.goto(`${H.base}/compare-light`);
  await widgetTexts(page, 1);
  const summaries = await page.evaluate(() => document.querySelector('replyby-widget').shadowRoot.querySelectorAll('summary').length);
  const reached = new Set();
  for (let i = 0; i < summaries + 2; i++) {
    await page.keyboard.press('Tab');
    reached.add(await page.evaluate(() => {
      const a = document.querySelector('replyby-widget').shadowRoot.activeElement;
      return a ? [...a.getRootNode().querySelectorAll('summary')].indexOf(a) : -1;
    }));
  }
  for (let i = 0; i < summaries; i++) assert.ok(reached.has(i), `summary ${i} not reached by Tab`);
  await page.keyboard.press('Enter');
  await page.close();
});
