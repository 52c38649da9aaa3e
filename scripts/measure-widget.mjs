// Size and speed of the built widget (dist/) and of two floors, measured in the same run in
// headless Chromium: the floor (a raw wasm-bindgen page that writes one line) and the Intl
// floor (the same page, its line with one time formatted by Intl.DateTimeFormat: a page's
// first Intl use loads the browser's ICU data, which every line of the widget needs), and the
// widget's own wasm instantiated with nothing mounted before that same line; and two loader
// floors, embed.js loading everything and then showing that line instead of mounting. The
// time from the script tag to each view's first rendered line, against both floors; where the badge's time
// goes (embed.js's User Timing marks and the Resource Timing of each download); main-thread
// tasks over 50 ms; layout shift. Every load is a fresh browser context (nothing cached),
// the widget pinned at one instant (data-now) so each load renders the same thing.
// Usage: node scripts/measure-widget.mjs [runs]   (30 by default) — prints a Markdown report.
import { cp, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { brotliCompressSync, constants } from 'node:zlib';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { widgetOrigin, hostOrigin, browser } from '../tests/e2e/harness.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.argv[2] || 30);
const br = (buf) => brotliCompressSync(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
const kb = (n) => (n / 1024).toFixed(1);

// REPLYBY_DIST measures another build of the widget (an experiment) against the same floor.
const dist = process.env.REPLYBY_DIST || path.join(root, 'dist');
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

// Two loader floors: embed.js's own path up to the mount (the bundle, the glue and the wasm,
// the language; the shadow root and its loading line), with the mount replaced by the Intl
// floor's line. The widget cannot be faster than the first; the second also leaves out the
// ICU warm-up, so the line's own Intl call pays for ICU, as the Intl floor's does. Built from
// embed.js's source into target/loader-{warm,cold}/ beside copies of the widget's files.
const embedSrc = await readFile(path.join(root, 'embed.js'), 'utf8');
const MOUNT = "handle = mark('mount', m).mount(box, opts);";
const WARMUP = "const warmIntl = () => Promise.all(WARM.map(task)).then(() => mark('intl'));";
for (const needed of [MOUNT, WARMUP]) if (!embedSrc.includes(needed)) throw new Error(`embed.js no longer has \`${needed}\`: update the loader floors in scripts/measure-widget.mjs`);
const intlLine = "'Open now · back ' + new Intl.DateTimeFormat([], { timeZone: 'America/New_York', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' }).format(1.8e12)";
const lineInstead = `mark('mount'); const line = document.createElement('div'); line.className = 'replyby'; line.append(document.createElement('p')); line.firstChild.textContent = ${intlLine}; box.append(line);`;
const loaders = {};
for (const [name, src] of Object.entries({
  warm: embedSrc.replace(MOUNT, lineInstead),
  cold: embedSrc.replace(MOUNT, lineInstead).replace(WARMUP, 'const warmIntl = () => Promise.resolve();'),
})) {
  const dir = path.join(root, `target/loader-${name}`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  for (const f of ['replyby-widget_bg.wasm', 'replyby-widget.js', 'i18n', 'presets']) await cp(path.join(dist, f), path.join(dir, f), { recursive: true });
  await writeFile(path.join(dir, 'embed.src.js'), src);
  execFileSync(path.join(root, 'node_modules/.bin/esbuild'), [path.join(dir, 'embed.src.js'), '--minify', '--format=esm', '--log-level=warning', `--outfile=${path.join(dir, 'embed.js')}`]);
  loaders[name] = await widgetOrigin(dir);
}
const config = `${W.base}acme.json`;
// The same config as a bundle (its presets inside: one round trip), as `replyby bundle` writes it.
const bundleText = execFileSync('cargo', ['run', '-p', 'replyby', '--locked', '-q', '--', 'bundle', path.join(dist, 'acme.json')], { cwd: root });
await writeFile(path.join(dist, 'acme.bundle.json'), bundleText);
for (const name of Object.keys(loaders)) await writeFile(path.join(root, `target/loader-${name}/acme.bundle.json`), bundleText);
const NOW = '2027-03-03T15:00:00Z'; // a Wednesday, New York open
const t0 = '<script>window.t0 = performance.now()</script>';
const tag = (view, c = config, base = W.base) => `<!doctype html><title>w</title>${t0}<p>host page text</p><script type="module" src="${base}embed.js" data-config="${c}" data-view="${view}" data-plan="pro" data-now="${NOW}"></script>`;
const bundle = `${W.base}acme.bundle.json`;
const pages = {
  '/badge': tag('badge'), '/panel': tag('panel'), '/compare': tag('compare'),
  '/loader-warm': tag('badge', `${loaders.warm.base}acme.bundle.json`, loaders.warm.base),
  '/loader-cold': tag('badge', `${loaders.cold.base}acme.bundle.json`, loaders.cold.base),
  '/badge-bundle': tag('badge', bundle), '/panel-bundle': tag('panel', bundle), '/compare-bundle': tag('compare', bundle),
  '/floor': `<!doctype html><title>f</title>${t0}<p>host page text</p><p id="floor"></p>
    <script type="module">import init, { write_line } from '${F.base}replyby_floor.js'; await init(); write_line();</script>`,
  '/floor-intl': `<!doctype html><title>f</title>${t0}<p>host page text</p><p id="floor"></p>
    <script type="module">import init, { write_intl_line } from '${F.base}replyby_floor.js'; await init(); write_intl_line();</script>`,
  // The widget's own glue and wasm (compiled streaming, instantiated, nothing mounted) and the
  // same Intl line: what the widget's size costs on top of the Intl floor.
  '/wasm-intl': `<!doctype html><title>f</title>${t0}<p>host page text</p><p id="floor"></p>
    <script type="module">import init from '${W.base}replyby-widget.js';
    await init({ module_or_path: WebAssembly.compileStreaming(fetch('${W.base}replyby-widget_bg.wasm')) });
    document.getElementById('floor').textContent = 'Open now · back ' + new Intl.DateTimeFormat([], { timeZone: 'America/New_York', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' }).format(1.8e12);</script>`,
};
const H = await hostOrigin(pages);
const b = await browser();

// Time from the script tag to the first rendered line (the floor's line; the view's first
// element in the widget's shadow root), polled each animation frame by the page itself (an
// init script), so that the harness sends nothing to the page while it loads: a Playwright
// evaluate mid-load makes the page parse Playwright's own helper scripts on its main thread.
const watchFirstLine = () => {
  const tick = () => {
    const done = document.getElementById('floor')?.textContent
      || document.querySelector('[data-replyby-host]')?.shadowRoot?.querySelector('.replyby > *');
    if (done) window.firstLine = performance.now() - window.t0; else requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
};

async function once(pagePath) {
  const ctx = await b.newContext();
  const page = await ctx.newPage();
  await page.addInitScript(() => {
    window.longTasks = [];
    new PerformanceObserver((l) => l.getEntries().forEach((e) => window.longTasks.push(e.duration))).observe({ type: 'longtask', buffered: true });
    window.shifts = 0;
    new PerformanceObserver((l) => l.getEntries().forEach((e) => { window.shifts += e.value; })).observe({ type: 'layout-shift', buffered: true });
  });
  await page.addInitScript(watchFirstLine);
  await page.goto(`${H.base}${pagePath}`);
  // Nothing is asked of the page until its line has had ample time (2 s at most).
  let t;
  for (let waited = 0; t === undefined && waited < 2000; waited += 250) {
    await page.waitForTimeout(250);
    t = await page.evaluate(() => window.firstLine);
  }
  if (t === undefined) throw new Error(`${pagePath}: no first line within 2 s`);
  // Every stage rendered (aria-busy gone), and a moment for any task still running.
  if (!/^\/(floor|wasm)/.test(pagePath)) {
    await page.waitForFunction(() => document.querySelector('[data-replyby-host]')?.shadowRoot?.querySelector('.replyby:not([aria-busy])'));
  }
  await page.waitForTimeout(300);
  const r = await page.evaluate(() => {
    const at = {};
    for (const m of performance.getEntriesByType('mark')) at[m.name] ??= m.startTime - window.t0;
    for (const e of performance.getEntriesByType('resource')) {
      const f = e.name.split('/').pop();
      at[`${f} requested`] ??= e.startTime - window.t0;
      at[`${f} received`] ??= e.responseEnd - window.t0;
    }
    return { at, tasks: window.longTasks, shift: window.shifts };
  });
  await ctx.close();
  return { t, at: r.at, longest: Math.max(0, ...r.tasks), shift: r.shift };
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
let results = { floor: [], 'floor-intl': [], 'wasm-intl': [], 'loader-warm': [], 'loader-cold': [], badge: [], panel: [], compare: [], 'badge-bundle': [], 'panel-bundle': [], 'compare-bundle': [] };
// REPLYBY_PAGES=floor,floor-intl,badge-bundle measures only those pages (quicker experiments).
if (process.env.REPLYBY_PAGES) results = Object.fromEntries(process.env.REPLYBY_PAGES.split(',').map((p) => [p, []]));
for (let i = 0; i < runs; i++) {
  for (const view of Object.keys(results)) results[view].push(await once(`/${view}`));
}
await b.close(); W.server.close(); F.server.close(); H.server.close();
for (const L of Object.values(loaders)) L.server.close();

const ms = (x) => `${x.toFixed(0)} ms`;
const floorMedian = median(results.floor.map((x) => x.t));
const intlMedian = median(results['floor-intl'].map((x) => x.t));
console.log(`### Size (brotli, quality 11)\n`);
console.log('| file | raw | brotli |\n| --- | ---: | ---: |');
for (const [f, raw, c] of sizes) console.log(`| ${f} | ${kb(raw)} KB | ${kb(c)} KB |`);
console.log(`| **widget total** (wasm + js + embed.js; the CSS is inside the wasm, ${kb(br(css))} KB of it) | | **${kb(widgetTotal)} KB** |`);
const preset = await readFile(path.join(dist, 'presets/us.json'));
console.log(`| one holiday preset, \`presets/us.json\` (fetched beside embed.js) | ${kb(preset.length)} KB | ${kb(br(preset))} KB |`);
console.log(`| **English plus one preset** | | **${kb(widgetTotal + br(preset))} KB** |`);
console.log(`| floor (raw wasm-bindgen, one line) | | ${kb(floorTotal)} KB |\n`);
console.log(`### Script tag → first rendered line, headless Chromium, loopback, ${runs} loads each, fresh context each\n`);
console.log('| page | median | ÷ floor | ÷ Intl floor | range | longest main-thread task | loads with a task over 50 ms | layout shift (max) |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
const label = {
  floor: 'floor: raw wasm-bindgen page writing one line',
  'floor-intl': 'Intl floor: the same page, its line with one time formatted by Intl',
  'wasm-intl': "the widget's wasm and glue instantiated (nothing mounted), then the Intl floor's line",
  'loader-warm': "embed.js as shipped (bundle, wasm, language, ICU warm-up), then the Intl floor's line instead of the mount",
  'loader-cold': "the same without the ICU warm-up: the line's own Intl call loads ICU",
  badge: 'badge (config, then its presets)', panel: 'panel (config, then its presets)', compare: 'compare (config, then its presets)',
  'badge-bundle': 'badge from a bundle (one round trip)', 'panel-bundle': 'panel from a bundle', 'compare-bundle': 'compare from a bundle',
};
for (const [name, r] of Object.entries(results)) {
  const m = median(r.map((x) => x.t));
  console.log(`| ${label[name] || name} | ${ms(m)} | ${(m / floorMedian).toFixed(2)} | ${(m / intlMedian).toFixed(2)} | ${ms(Math.min(...r.map((x) => x.t)))}–${ms(Math.max(...r.map((x) => x.t)))} | ${ms(Math.max(...r.map((x) => x.longest)))} | ${r.filter((x) => x.longest > 50).length} of ${runs} | ${Math.max(...r.map((x) => x.shift)).toFixed(3)} |`);
}
for (const view of ['badge', 'badge-bundle'].filter((v) => results[v])) {
  console.log(`\n### Where the ${view}'s time goes (median ms after the script tag; marks from embed.js, downloads from Resource Timing)\n`);
  const events = {};
  for (const x of results[view]) for (const [k, v] of Object.entries(x.at)) (events[k] ||= []).push(v);
  events['first line'] = results[view].map((x) => x.t);
  console.log('| event | median |\n| --- | ---: |');
  for (const [k, v] of Object.entries(events).map(([k, v]) => [k, median(v)]).sort((a, b) => a[1] - b[1])) {
    if (!/favicon/.test(k)) console.log(`| ${k} | ${v.toFixed(1)} |`);
  }
  // The main thread's work once everything is in: from the last of the wasm, the language and the
  // data (embed.js's marks) to the first line.
  const after = results[view].map((x) => x.t - Math.max(x.at['replyby:wasm'] ?? 0, x.at['replyby:data'] ?? 0, x.at['replyby:intl'] ?? 0));
  console.log(`\nWork after the wasm, Intl warm-up and data are all in, to the first line: median ${after.length ? median(after).toFixed(1) : '?'} ms.`);
}
