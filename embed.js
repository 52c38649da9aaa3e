// replyby embed loader: one <script type="module" src=".../embed.js" data-config=...>
// per widget. Reserves each widget's space at once, downloads the WebAssembly once.
const base = new URL('.', import.meta.url);
const RESERVE = { badge: '2.6em', panel: '30em', compare: '36em' };
let ready;
// The browser's first Intl use loads ICU data: 20-90 ms in one go on the main thread.
// Each step below loads a part of it in a task of its own, while the wasm downloads, so no
// single task is long. (A blob: worker could do it off the main thread, but a strict CSP
// forbids blob: workers and reports every attempt as a violation; a page cannot be asked
// which it allows without trying.)
const WARM = [
  () => new Intl.Locale('en').maximize(),
  () => Intl.DateTimeFormat.supportedLocalesOf(['en']),
  () => new Intl.NumberFormat().format(1),
  () => new Intl.DateTimeFormat().resolvedOptions(),
  () => new Intl.DateTimeFormat('en', { timeZone: 'America/New_York', timeZoneName: 'short' }).format(0),
];
const warmIntl = () => new Promise((done) => { WARM.forEach((f) => setTimeout(f)); setTimeout(done); });
const load = () => {
  ready ||= Promise.all([
    import(new URL('replyby-widget.js', base).href).then(async (m) => {
      await m.default({ module_or_path: new URL('replyby-widget_bg.wasm', base) });
      return m;
    }),
    warmIntl(),
  ]).then(async ([m]) => {
    // Instantiating, warming Yew's code (see `warm` in src/lib.rs) and the first render
    // are separate tasks.
    const tick = () => new Promise((r) => setTimeout(r));
    await tick();
    m.warm();
    await tick();
    return m;
  });
  return ready;
};

function mount(el, o = {}) {
  const view = o.view || 'panel';
  const root = el.shadowRoot || el.attachShadow({ mode: 'open' });
  el.setAttribute('data-replyby-host', '');
  el.style.display = 'block';
  el.style.minHeight = RESERVE[view] || RESERVE.panel;
  if (o.theme) el.setAttribute('data-theme', o.theme);
  const box = document.createElement('div');
  root.replaceChildren(box);
  let handle, gone = false;
  load().then((m) => { if (!gone) handle = m.mount(box, { ...o, view }); }).catch((e) => {
    console.error('replyby: the widget could not load', e);
    box.textContent = 'Support hours are unavailable right now.';
  });
  return {
    unmount() {
      gone = true;
      handle?.unmount();
      handle = undefined;
      root.replaceChildren();
      el.style.minHeight = '';
      el.removeAttribute('data-replyby-host');
    },
  };
}

window.ReplyBy = { mount };

for (const s of document.querySelectorAll('script[src]')) {
  if (s.src !== import.meta.url || s.dataset.replybyMounted) continue;
  s.dataset.replybyMounted = '1';
  const d = s.dataset;
  // A tag pasted into <head> renders at the top of <body>; elsewhere, where it stands.
  const el = d.target ? document.querySelector(d.target) : s.closest('head')
    ? document.body.prepend(document.createElement('replyby-widget')) || document.body.firstElementChild
    : s.parentNode.insertBefore(document.createElement('replyby-widget'), s);
  if (!el) { console.error(`replyby: data-target "${d.target}" matches no element`); continue; }
  mount(el, { config: d.config, view: d.view, plan: d.plan, timeZone: d.timeZone, locale: d.locale, theme: d.theme, now: d.now });
}
