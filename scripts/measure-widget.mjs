// Size and speed of the built widget (dist/) and of the floor (a raw wasm-bindgen page
// that writes one line), measured in the same run in headless Chromium.
// Usage: node scripts/measure-widget.mjs [runs]   — prints a Markdown report.
import { readFile, readdir } from 'node:fs/promises';
import { brotliCompressSync, constants } from 'node:zlib';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { widgetOrigin, hostOrigin, browser } from '../tests/e2e/harness.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.argv[2] || 15);
const br = (buf) => brotliCompressSync(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
const kb = (n) => (n / 1024).toFixed(1);

const dist = path.join(root, 'dist');
// The stylesheet as build.rs compiles it in: without comments and surplus whitespace.
const css = Buffer.from((await readFile(path.join(root, 'styles/widget.css'), 'utf8'))
  .replace(/\/\*[\s\S]*?\*\//g, ' ').split(/\s+/).filter(Boolean).join(' ').replace(/ ?([{};]) ?/g, '$1').replace(/([:,]) /g, '$1'));
const sizes = [];
for (const f of ['replyby-widget_bg.wasm', 'replyby-widget.js', 'embed.js']) {
  const b = await readFile(path.join(dist, f));
  sizes.push([f, b.length, br(b)]);
}
const widgetTotal = sizes.reduce((s, [, , c]) => s + c, 0);
const floorDir = path.join(root, 'target/floor');
let floorTotal = 0;
for (const f of await readdir(floorDir)) if (/\.(js|wasm)$/.test(f)) floorTotal += br(await readFile(path.join(floorDir, f)));

const W = await widgetOrigin(dist);
const F = await widgetOrigin(floorDir);
const config = `${W.base}acme.json`;
const pages = {
  '/widget': `<!doctype html><title>w</title><script>window.t0 = performance.now()</script>
    <p>host page text</p><script type="module" src="${W.base}embed.js" data-config="${config}" data-view="badge" data-plan="pro"></script>`,
  '/panel': `<!doctype html><title>w</title><p>host page text</p><script type="module" src="${W.base}embed.js" data-config="${config}" data-view="panel" data-plan="pro"></script>`,
  '/compare': `<!doctype html><title>w</title><p>host page text</p><script type="module" src="${W.base}embed.js" data-config="${config}" data-view="compare"></script>`,
  '/floor': `<!doctype html><title>f</title><script>window.t0 = performance.now()</script><p>host page text</p><p id="floor"></p>
    <script type="module">import init, { write_line } from '${F.base}replyby_floor.js'; await init(); write_line();</script>`,
};
const H = await hostOrigin(pages);
const b = await browser();

async function once(pagePath, ready) {
  const ctx = await b.newContext();
  const page = await ctx.newPage();
  await page.addInitScript(() => {
    window.longTasks = [];
    new PerformanceObserver((l) => l.getEntries().forEach((e) => window.longTasks.push(e.duration))).observe({ type: 'longtask', buffered: true });
    window.shifts = 0;
    new PerformanceObserver((l) => l.getEntries().forEach((e) => { window.shifts += e.value; })).observe({ type: 'layout-shift', buffered: true });
  });
  await page.goto(`${H.base}${pagePath}`);
  const t = await page.evaluate(ready);
  // Every stage rendered (aria-busy gone), and a moment for any task still running.
  if (pagePath !== '/floor') {
    await page.waitForFunction(() => document.querySelector('[data-replyby-host]')?.shadowRoot?.querySelector('.replyby:not([aria-busy])'));
  }
  await page.waitForTimeout(300);
  const tasks = await page.evaluate(() => window.longTasks);
  const shift = await page.evaluate(() => window.shifts);
  await ctx.close();
  return { t, longest: Math.max(0, ...tasks), shift };
}

// Time from the script tag to the first rendered line, by polling each animation frame.
const widgetReady = () => new Promise((res) => {
  const tick = () => {
    const h = document.querySelector('[data-replyby-host]');
    if (h?.shadowRoot?.querySelector('.status')) res(performance.now() - window.t0); else requestAnimationFrame(tick);
  };
  tick();
});
const floorReady = () => new Promise((res) => {
  const tick = () => (document.getElementById('floor').textContent ? res(performance.now() - window.t0) : requestAnimationFrame(tick));
  tick();
});

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const results = { widget: [], floor: [], panel: [], compare: [] };
for (let i = 0; i < runs; i++) {
  results.floor.push(await once('/floor', floorReady));
  results.widget.push(await once('/widget', widgetReady));
  results.panel.push(await once('/panel', () => 0));
  results.compare.push(await once('/compare', () => 0));
}
await b.close(); W.server.close(); F.server.close(); H.server.close();

const row = (name, r) => `| ${name} | ${median(r.map((x) => x.t)).toFixed(0)} ms | ${Math.min(...r.map((x) => x.t)).toFixed(0)}–${Math.max(...r.map((x) => x.t)).toFixed(0)} ms | ${Math.max(...r.map((x) => x.longest)).toFixed(0)} ms | ${Math.max(...r.map((x) => x.shift)).toFixed(3)} |`;
console.log(`### Size (brotli, quality 11)\n`);
console.log('| file | raw | brotli |\n| --- | ---: | ---: |');
for (const [f, raw, c] of sizes) console.log(`| ${f} | ${kb(raw)} KB | ${kb(c)} KB |`);
console.log(`| **widget total** (wasm + js; the CSS is inside the wasm, ${kb(br(css))} KB of it) | | **${kb(widgetTotal)} KB** |`);
console.log(`| floor (raw wasm-bindgen, one line) | | ${kb(floorTotal)} KB |\n`);
console.log(`### Script tag → first rendered line, headless Chromium, loopback, ${runs} runs each\n`);
console.log('| page | median | range | longest main-thread task | layout shift (max) |\n| --- | ---: | ---: | ---: | ---: |');
console.log(row('floor: raw wasm-bindgen page writing one line', results.floor));
console.log(row('replyby badge (config fetched, validated, rendered)', results.widget));
console.log(`\n### Main-thread tasks over 50 ms while the page loads, until every stage has rendered (${runs} loads a view)\n`);
console.log('| view | loads with one | longest task per load (ms; 0 = none over 50) |\n| --- | ---: | --- |');
for (const [name, r] of [['badge', results.widget], ['panel', results.panel], ['compare', results.compare], ['floor', results.floor]]) {
  console.log(`| ${name} | ${r.filter((x) => x.longest > 50).length} of ${runs} | ${r.map((x) => x.longest.toFixed(0)).join(' ')} |`);
}
