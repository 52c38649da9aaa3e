// A/B runs of widget builds: each build's badge (VIEW=panel|compare for another view) from a
// bundle, interleaved load by load with the Intl floor (so a busy moment hits every page alike),
// N loads each in fresh browser contexts; medians of the first line, of the time from the data
// to it, and of embed.js's User Timing marks. Build variants into copies of dist/ first.
// Usage: node scripts/widget-ab.mjs N DIST [DIST…]   e.g. node scripts/widget-ab.mjs 20 dist /tmp/variant
import { writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { widgetOrigin, hostOrigin, browser } from '../tests/e2e/harness.mjs';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.argv[2] || 15);
const view = process.env.VIEW || 'badge';
const dists = process.argv.slice(3).map((d) => path.resolve(d));
const F = await widgetOrigin(path.join(root, 'target/floor'));
const NOW = '2027-03-03T15:00:00Z';
const t0 = '<script>window.t0 = performance.now()</script>';
const pages = {
  '/floor-intl': `<!doctype html><title>f</title>${t0}<p>host page text</p><p id="floor"></p>
    <script type="module">import init, { write_intl_line } from '${F.base}replyby_floor.js'; await init(); write_intl_line();</script>`,
};
const origins = [];
for (const [i, d] of dists.entries()) {
  await writeFile(path.join(d, 'acme.bundle.json'), execFileSync('cargo', ['run', '-p', 'replyby', '--locked', '-q', '--', 'bundle', path.join(d, 'acme.json')], { cwd: root }));
  const W = await widgetOrigin(d); origins.push(W);
  pages[`/w${i}`] = `<!doctype html><title>w</title>${t0}<p>host page text</p><script type="module" src="${W.base}embed.js" data-config="${W.base}acme.bundle.json" data-view="${view}" data-plan="pro" data-now="${NOW}"></script>`;
}
const H = await hostOrigin(pages);
const b = await browser();
const watch = () => { const tick = () => { const done = document.getElementById('floor')?.textContent || document.querySelector('[data-replyby-host]')?.shadowRoot?.querySelector('.replyby > *');
  if (done) window.firstLine = performance.now() - window.t0; else requestAnimationFrame(tick); }; requestAnimationFrame(tick); };
async function once(p) {
  const ctx = await b.newContext(); const page = await ctx.newPage();
  await page.addInitScript(() => { window.longTasks = []; new PerformanceObserver((l) => l.getEntries().forEach((e) => window.longTasks.push(e.duration))).observe({ type: 'longtask', buffered: true }); });
  await page.addInitScript(watch);
  await page.goto(`${H.base}${p}`);
  let t; for (let w = 0; t === undefined && w < 3000; w += 250) { await page.waitForTimeout(250); t = await page.evaluate(() => window.firstLine); }
  await page.waitForTimeout(200);
  const r = await page.evaluate(() => { const at = {}; for (const m of performance.getEntriesByType('mark')) at[m.name] ??= m.startTime - window.t0; return { at, lt: window.longTasks }; });
  await ctx.close();
  return { t, at: r.at, longest: Math.max(0, ...r.lt) };
}
const res = Object.fromEntries(Object.keys(pages).map((p) => [p, []]));
for (let i = 0; i < runs; i++) for (const p of Object.keys(pages)) res[p].push(await once(p));
const med = (xs) => { const s = xs.filter((x) => x !== undefined).sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const floor = med(res['/floor-intl'].map((x) => x.t));
for (const [p, r] of Object.entries(res)) {
  const m = med(r.map((x) => x.t));
  const after = r.map((x) => x.t - Math.max(x.at['replyby:wasm'] ?? 0, x.at['replyby:data'] ?? 0));
  const marks = {}; for (const x of r) for (const [k, v] of Object.entries(x.at)) (marks[k] ||= []).push(v);
  console.log(`${p} ${dists[Number(p.slice(2))] || ''}: median ${m.toFixed(1)} (${(m / floor).toFixed(2)}× Intl floor); after wasm+data ${med(after)?.toFixed(1)}; >50ms tasks ${r.filter((x) => x.longest > 50).length}/${runs}; marks ${Object.entries(marks).filter(([k]) => k.startsWith('replyby')).map(([k, v]) => `${k.slice(8)}=${med(v).toFixed(1)}`).join(' ')}`);
}
await b.close(); F.server.close(); H.server.close(); for (const W of origins) W.server.close();
