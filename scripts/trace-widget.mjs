// Where a page's main thread goes: Chromium traces of loads of the badge from a bundle (or the
// Intl floor), printing embed.js's marks, each main-thread task over 0.3 ms with its largest
// parts, and V8's wasm events (wasm.CompileLazy: functions compiled on first call, on the main
// thread). Tracing adds its own cost: compare traces with each other, not with measure-widget.
// Usage: node scripts/trace-widget.mjs [/badge-bundle|/floor-intl] [loads]
import { writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { widgetOrigin, hostOrigin, browser } from '../tests/e2e/harness.mjs';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = process.env.REPLYBY_DIST || path.join(root, 'dist');
const W = await widgetOrigin(dist);
const F = await widgetOrigin(path.join(root, 'target/floor'));
await writeFile(path.join(dist, 'acme.bundle.json'), execFileSync('cargo', ['run', '-p', 'replyby', '--locked', '-q', '--', 'bundle', path.join(dist, 'acme.json')], { cwd: root }));
const NOW = '2027-03-03T15:00:00Z';
const t0 = '<script>window.t0 = performance.now(); performance.mark("t0")</script>';
const pages = {
  '/badge-bundle': `<!doctype html><title>w</title>${t0}<p>host page text</p><script type="module" src="${W.base}embed.js" data-config="${W.base}acme.bundle.json" data-view="badge" data-plan="pro" data-now="${NOW}"></script>`,
  '/floor-intl': `<!doctype html><title>f</title>${t0}<p>host page text</p><p id="floor"></p>
    <script type="module">import init, { write_intl_line } from '${F.base}replyby_floor.js'; await init(); write_intl_line(); performance.mark('line')</script>`,
};
const H = await hostOrigin(pages);
const b = await browser();
const which = process.argv[2] || '/badge-bundle';
for (let i = 0; i < Number(process.argv[3] || 1); i++) {
  const ctx = await b.newContext();
  const page = await ctx.newPage();
  await page.addInitScript(() => {
    const tick = () => { const done = document.getElementById('floor')?.textContent || document.querySelector('[data-replyby-host]')?.shadowRoot?.querySelector('.replyby > *');
      if (done) { window.firstLine = performance.now() - window.t0; performance.mark('firstline'); } else requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
  });
  await b.startTracing(page, { categories: ['devtools.timeline', 'v8.execute', 'blink.user_timing', 'loading', 'v8', 'v8.wasm', 'disabled-by-default-v8.wasm.detailed', 'disabled-by-default-devtools.timeline'] });
  await page.goto(`${H.base}${which}`);
  await page.waitForTimeout(1200);
  const fl = await page.evaluate(() => window.firstLine);
  const buf = await b.stopTracing();
  await ctx.close();
  const ev = JSON.parse(buf.toString()).traceEvents;
  const names = {};
  for (const e of ev) if (e.name === 'thread_name') names[`${e.pid}:${e.tid}`] = e.args.name;
  const marks = ev.filter((e) => e.cat.includes('user_timing') && (e.ph === 'R' || e.ph === 'I' || e.ph === 'n' || e.ph === 'b'));
  const t0e = marks.find((e) => e.name === 't0');
  if (!t0e) { console.log('no t0'); continue; }
  const main = `${t0e.pid}:${t0e.tid}`;
  const T = (ts) => ((ts - t0e.ts) / 1000).toFixed(1);
  const wasmEv = {};
  for (const e of ev) if (/wasm/i.test(e.name) && e.ts >= t0e.ts) { const k = `${e.name} ${names[`${e.pid}:${e.tid}`] || e.tid}`; const w = (wasmEv[k] ||= { n: 0, dur: 0 }); w.n++; w.dur += (e.dur || 0) / 1000; }
  console.log(Object.entries(wasmEv).sort((a, b) => b[1].dur - a[1].dur).slice(0, 15).map(([k, v]) => `${k}: ${v.n}× ${v.dur.toFixed(1)} ms`).join('\n'));
  console.log(`--- ${which} first line ${fl?.toFixed(1)} ms; main thread ${names[main]}`);
  for (const m of marks) if (m.ts >= t0e.ts) console.log(`mark ${m.name} @${T(m.ts)}`);
  const top = ev.filter((e) => `${e.pid}:${e.tid}` === main && e.ph === 'X' && e.ts >= t0e.ts - 1000 && (e.name === 'ThreadControllerImpl::RunTask' || e.name === 'RunTask')).sort((a, b) => a.ts - b.ts);
  for (const t of top) {
    if (t.dur < 300) continue;
    const kids = ev.filter((e) => `${e.pid}:${e.tid}` === main && e.ph === 'X' && e.ts >= t.ts && e.ts < t.ts + t.dur && e !== t && e.dur > 200)
      .sort((a, b) => b.dur - a.dur).slice(0, 6).map((e) => `${e.name}${e.args?.data?.url ? '(' + e.args.data.url.split('/').pop() + ')' : ''}${e.args?.data?.functionName ? '(' + e.args.data.functionName + ')' : ''} ${(e.dur / 1000).toFixed(1)}`);
    console.log(`@${T(t.ts)} +${(t.dur / 1000).toFixed(1)}: ${kids.join(' | ')}`);
  }
}
await b.close(); W.server.close(); F.server.close(); H.server.close();
