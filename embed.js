// replyby embed loader: one <script type="module" src=".../embed.js" data-config=...>
// per widget. Reserves each widget's space at once, downloads the WebAssembly once.
const base = new URL('.', import.meta.url);
// Each view's least height, held from the start so that the page below does not move when
// it renders (the badge's one line exactly: line height + padding + border).
const RESERVE = { badge: 'calc(2.95em + 2px)', panel: '30em', compare: '36em' };
let ready;
// User Timing marks (replyby:wasm, :intl, :data, :mount) show in a browser's performance
// panel where the time to the first line goes; scripts/measure-widget.mjs reads them.
const mark = (name, value) => (performance.mark?.(`replyby:${name}`), value);
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
// They run at background priority where the browser can say so (scheduler.postTask): the
// fetches' responses, the glue module and the wasm go first.
const task = (f) => globalThis.scheduler?.postTask?.(f, { priority: 'background' }) ?? new Promise((r) => setTimeout(() => r(f())));
const warmIntl = () => Promise.all(WARM.map(task)).then(() => mark('intl'));
const load = () => ready ||= (() => {
  // The wasm is fetched and compiled (streaming, off the main thread) while the glue module
  // is imported, not after it. A server that sends the wasm without the application/wasm
  // type cannot stream it: then it is compiled from the downloaded bytes.
  const wasm = new URL('replyby-widget_bg.wasm', base);
  const compiled = WebAssembly.compileStreaming(fetch(wasm))
    .catch(() => fetch(wasm).then((r) => r.arrayBuffer()).then((b) => WebAssembly.compile(b)));
  return Promise.all([
    import(new URL('replyby-widget.js', base).href).then(async (m) => {
      await m.default({ module_or_path: compiled });
      return mark('wasm', m);
    }),
    warmIntl(),
  ]).then(([m]) => m);
})();

// The languages the widget speaks (i18n/<lang>.json beside this file). The visitor's first
// locale whose language is one of them picks it (pt-BR → pt; zh-TW/HK/MO → zh-Hant, other
// Chinese → zh-Hans; no/nn → nb; iw → he, in → id), else English. Dates and times are
// formatted for that locale with the language made the chosen one (nn-NO → nb-NO), so the
// sentences and the dates are always in one language.
const LANGS = 'en es pt fr de it nl sv da nb fi pl cs tr ru uk ar he ja ko zh-Hans zh-Hant hi id'.split(' ');
const ALIAS = { iw: 'he', in: 'id', no: 'nb', nn: 'nb' };
function negotiate(wanted) {
  for (const tag of wanted) {
    try {
      const l = new Intl.Locale(tag);
      let lang = ALIAS[l.language] || l.language;
      if (lang === 'zh') lang = l.maximize().script === 'Hant' ? 'zh-Hant' : 'zh-Hans';
      if (!LANGS.includes(lang)) continue;
      const [language, script] = lang.split('-');
      return [lang, new Intl.Locale(tag, { language, script }).toString()];
    } catch { /* not a locale: try the next */ }
  }
  return ['en', 'en'];
}
// One download per language, started with the wasm's, not after it.
const catalogs = {};
const catalog = (lang) => lang === 'en' ? Promise.resolve() : catalogs[lang] ||= (async () => {
  const url = new URL(`i18n/${lang}.json`, base);
  try {
    const r = await fetch(url);
    if (!r.ok) throw new Error(`HTTP ${r.status}`);
    return await r.text();
  } catch (e) {
    console.error(`replyby: cannot load the language file ${url} (${e.message || e}); showing English`);
  }
})();

// The config (when it is a URL) and the holiday presets it names are fetched at once, in
// parallel with the wasm, not after it. The preset ids are read the way the core's
// `preset_ids` reads them: a team's holiday entry that is a string, or {"preset": id}.
const texts = {};
const text = (url) => texts[url] ||= fetch(url).then((r) => r.ok ? r.text() : Promise.reject(new Error(`HTTP ${r.status}`)));
const presetIds = (t) => {
  try {
    return [...new Set(JSON.parse(t).teams.flatMap((team) => (team.holidays || []).map((h) => typeof h === 'string' ? h : h?.preset)).filter((id) => typeof id === 'string' && /^[a-z0-9-]+$/.test(id)))];
  } catch { return []; }
};
const withPresets = async (configText) => {
  const presets = {};
  await Promise.all(presetIds(configText).map((id) => {
    const url = new URL(`presets/${id}.json`, base).href;
    return text(url).then((t) => { presets[id] = t; }, (e) => console.error(`replyby: cannot load the holiday preset "${id}" from ${url} (${e.message})`));
  }));
  return { configText, presets };
};
// A bundle (`GET /v1/bundle`, `replyby bundle`) is the config with the presets it names, in one
// response: `{"replyby_bundle": 1, "config": TEXT, "presets": {id: TEXT}}`. It saves the
// presets' round trip after the config's. Anything else is a plain config.
const unpack = (t) => {
  try {
    const b = JSON.parse(t);
    if (b?.replyby_bundle === 1 && typeof b.config === 'string') return { configText: b.config, presets: b.presets || {} };
  } catch { /* not JSON: the wasm says where */ }
  return withPresets(t);
};
const configAndPresets = async (config = '') => {
  const inline = config.trim().startsWith('{');
  // A config that does not load is the wasm's to report (it says where and why).
  const fetched = inline ? config : await text(new URL(config, location.href).href).catch(() => undefined);
  const data = fetched ? await (inline ? withPresets(fetched) : unpack(fetched)) : { presets: {} };
  // An inline config is the wasm's to read from `config` (and never refetched).
  return mark('data', inline ? { presets: data.presets } : { ...data, fetched });
};

// Staff change their hours while pages stay open. A widget whose config is a URL looks
// again when its tab comes back after 5 minutes away, and hourly while it is shown:
// `cache: 'no-cache'` makes the browser ask with the ETag it holds (If-None-Match), so an
// unchanged config costs a 304, and the same text is not shown again. A new one goes to
// the mounted widget, which keeps what the visitor typed.
const follow = (url, opts, last, handle) => {
  let at = Date.now();
  const look = async () => {
    at = Date.now();
    try {
      const r = await fetch(url, { cache: 'no-cache' });
      const t = r.ok && await r.text();
      if (t && t !== last) handle()?.update({ ...opts, ...await unpack(last = t) });
    } catch { /* offline: the shown config stays */ }
  };
  const back = () => document.hidden || Date.now() - at < 3e5 || look();
  document.addEventListener('visibilitychange', back);
  const hourly = setInterval(() => document.hidden || look(), 36e5);
  return () => { document.removeEventListener('visibilitychange', back); clearInterval(hourly); };
};

// `data-structured-data`: the hours of the plan's coverage as schema.org JSON-LD in the page's
// <head>, for search engines. A data block (`application/ld+json`) is never run, so a strict
// CSP allows it. It comes from `replyby serve`'s `/v1/hours` beside the config, or from the URL
// the attribute gives (a file `replyby hours --format schema-org` wrote). One block per page,
// however many widgets ask.
let ld;
const structuredData = (o, configText) => ld ||= (async () => {
  let url = o.structuredData;
  if (!url) {
    // An inline config (or one that did not load) names no server to ask.
    if (!configText) throw new Error('give data-structured-data a URL with an inline config');
    const plans = JSON.parse(configText).plans || [];
    const plan = plans.find((p) => p.id === o.plan) || plans[0];
    url = new URL(`/v1/hours?coverage=${encodeURIComponent(plan?.coverage)}&format=schema-org`, new URL(o.config, location.href));
  }
  const r = await fetch(new URL(url, location.href));
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  const block = document.createElement('script');
  block.type = 'application/ld+json';
  block.dataset.replyby = '';
  block.textContent = await r.text();
  document.head.append(block);
})().catch((e) => console.error(`replyby: no structured data (${e.message})`));

function mount(el, o = {}) {
  const view = o.view || 'panel';
  const root = el.shadowRoot || el.attachShadow({ mode: 'open' });
  el.setAttribute('data-replyby-host', '');
  el.style.display = 'block';
  el.style.minHeight = RESERVE[view] || RESERVE.panel;
  if (o.theme) el.setAttribute('data-theme', o.theme);
  const box = document.createElement('div');
  root.replaceChildren(box);
  let handle, stop, gone = false;
  // The downloads start first: negotiating the language is the page's first Intl use, which
  // loads ICU data (milliseconds of main thread) before it can answer.
  const module = load(), data = configAndPresets(o.config);
  if (o.structuredData != null) data.then((d) => structuredData(o, d.configText));
  const [lang, locale] = negotiate(o.locale ? [o.locale] : navigator.languages || [navigator.language]);
  const sentences = catalog(lang);
  // A sentence in the visitor's language (English is compiled into the wasm, so it is here too).
  const say = async (key, english) => { try { return JSON.parse(await sentences)[key] || english; } catch { return english; } };
  let settled = false;
  // Until the widget renders (seconds on a slow phone connection): "Loading support hours…",
  // once the visitor's sentences are in, which come long before the wasm.
  say('loading', 'Loading support hours…').then((line) => { if (!settled && !gone) box.textContent = line; });
  Promise.all([module, sentences, data]).then(([m, catalog, { fetched, ...data }]) => {
    settled = true;
    box.replaceChildren();
    if (gone) return;
    const opts = { ...o, ...data, view, ...(catalog || lang === 'en' ? { lang, locale, catalog } : { locale: 'en' }) };
    handle = mark('mount', m).mount(box, opts);
    if (fetched) stop = follow(new URL(o.config, location.href).href, opts, fetched, () => handle);
  }).catch(async (e) => {
    settled = true;
    console.error('replyby: the widget could not load', e);
    box.textContent = await say('unavailable', 'Support hours are unavailable right now.');
  });
  return {
    unmount() {
      gone = true;
      stop?.();
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
  mount(el, { config: d.config, view: d.view, plan: d.plan, timeZone: d.timeZone, locale: d.locale, theme: d.theme, now: d.now, structuredData: d.structuredData });
}
