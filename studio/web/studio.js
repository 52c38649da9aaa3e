// The config studio: the JSON is the truth, the forms a help. Every keystroke is checked by
// the core compiled to wasm (replyby-studio.js, the same code as `replyby check`), the preview
// is the real widget (../replyby-widget.js) mounted three times, and Publish is
// `PUT /v1/config` with If-Match. With no server behind it (a static copy of dist/), the page
// opens and saves a file instead. Nothing here decides a time: quotes, preset dates and the
// visitor's local instant come from the core.
import initStudio, * as core from './replyby-studio.js';

const $ = (id) => document.getElementById(id);
const el = (tag, props = {}, ...children) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (v === true) e.setAttribute(k, '');
    else if (v !== false && v != null) e.setAttribute(k, v);
  }
  e.append(...children);
  return e;
};
const widgetBase = new URL('../', import.meta.url);
const LANGS = 'en es pt fr de it nl sv da nb fi pl cs tr ru uk ar he ja ko zh-Hans zh-Hant hi id'.split(' ');
const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const UNITS = ['business_hours', 'business_days', 'business_minutes', 'hours', 'minutes'];
const DRAFT = `replyby-studio-draft:${location.origin}${location.pathname}`;

// ---- the studio's own language ----
let ui = 'en';
let strings = {};
const english = {};
const t = (key, vars = {}) => (strings[key] ?? english[key] ?? key).replace(/\{(\w+)\}/g, (_, k) => vars[k] ?? '');
async function loadStrings(lang) {
  if (!Object.keys(english).length) Object.assign(english, await (await fetch(new URL('i18n/en.json', import.meta.url))).json());
  strings = lang === 'en' ? english : await (await fetch(new URL(`i18n/${lang}.json`, import.meta.url))).json();
  ui = lang;
  document.documentElement.lang = lang;
  for (const e of document.querySelectorAll('[data-t]')) e.textContent = t(e.dataset.t);
  document.title = t('title');
}

// ---- state ----
let text = '';
let doc = null;            // the JSON parsed, or null while it does not parse
let checked = { problems: [], warnings: [] };
let team = 0;              // the team the forms show
let server = null;         // /studio/session, when a server is behind the page
let base = { etag: null, text: '' }; // the published version the draft started from
let instant = Date.now();
let lastGood = null;       // the last text without problems: what the preview shows
let widget;
const handles = {};
const catalogs = {};

const box = $('json');

function saveDraft() {
  if (text === base.text) localStorage.removeItem(DRAFT);
  else localStorage.setItem(DRAFT, JSON.stringify({ text, etag: base.etag, baseText: base.text, savedAt: new Date().toISOString() }));
  $('draft-state').textContent = text === base.text ? '' : t('draftKept');
}

// Nothing typed is lost on reload. The JSON is the draft; a form field still being typed in
// when the page goes away is applied to it first (its change event, as a Tab would), and the
// fields that are not config yet (a new team, an OSM value, the version note, a search) are
// kept beside the draft.
const FIELDS = `${DRAFT}:fields`;
const KEPT_FIELDS = ['new-team-name', 'new-team-zone', 'osm', 'preset-search', 'note'];
function keepFieldsAcrossReloads() {
  const kept = JSON.parse(localStorage.getItem(FIELDS) || '{}');
  for (const id of KEPT_FIELDS) if (kept[id]) $(id).value = kept[id];
  if (kept['preset-search']) searchPresets();
  addEventListener('pagehide', () => {
    const f = document.activeElement;
    if (f && f !== box && f.closest('form, section') && f.matches('input:not([type=file]), select') && !KEPT_FIELDS.includes(f.id)) {
      f.dispatchEvent(new Event('change'));
    }
    const fields = Object.fromEntries(KEPT_FIELDS.map((id) => [id, $(id).value]).filter(([, v]) => v));
    if (Object.keys(fields).length) localStorage.setItem(FIELDS, JSON.stringify(fields));
    else localStorage.removeItem(FIELDS);
  });
}

// A new text from anywhere (typing, a form, a file): checked, forms and preview follow.
function setText(next, { fromBox = false } = {}) {
  text = next;
  if (!fromBox) box.value = next;
  saveDraft();
  try { doc = JSON.parse(next); } catch { doc = null; }
  validate();
  renderForms();
  schedulePreview();
}

// A form edit: the parsed config changed; the JSON is rewritten from it.
function edit(f) {
  if (!doc) return;
  f(doc);
  setText(JSON.stringify(doc, null, 2) + '\n');
}

// ---- problems ----
function validate() {
  checked = JSON.parse(core.check(text));
  const list = $('problem-list');
  list.replaceChildren(...checked.problems.map((p) => el('li', {}, el('button', {
    type: 'button', class: 'link', 'data-path': p.path,
    onclick: () => { box.focus(); box.setSelectionRange(p.start, p.end); scrollToCaret(p.start); },
  }, el('code', { text: p.path || '/' }), `: ${p.message}`))));
  const warnings = checked.warnings || [];
  $('warnings-h').hidden = !warnings.length;
  $('warning-list').replaceChildren(...warnings.map((w) => el('li', {}, el('code', { text: w.path }), `: ${w.message}`)));
  const n = checked.problems.length;
  $('problem-count').textContent = n ? t(n === 1 ? 'oneProblem' : 'problemsCount', { n }) : (checked.summary ? t('noProblems', { summary: checked.summary }) : '');
  box.setAttribute('aria-invalid', n ? 'true' : 'false');
  if (!n) lastGood = text;
  renderMarks();
}

// The editor marks each problem's place: a copy of the text behind the (transparent) textarea
// with the spans in <mark>, scrolled with it.
function renderMarks() {
  const spans = [...checked.problems, ...(checked.warnings || [])]
    .filter((p) => p.end > p.start)
    .sort((a, b) => a.start - b.start);
  const parts = [];
  let at = 0;
  for (const s of spans) {
    if (s.start < at) continue;
    parts.push(text.slice(at, s.start), el('mark', { text: text.slice(s.start, s.end) }));
    at = s.end;
  }
  parts.push(text.slice(at) + '\n');
  $('marks').replaceChildren(...parts);
  syncScroll();
}
function syncScroll() {
  const back = document.querySelector('.backdrop');
  back.scrollTop = box.scrollTop;
  back.scrollLeft = box.scrollLeft;
}
function scrollToCaret(offset) {
  const line = text.slice(0, offset).split('\n').length - 1;
  const height = parseFloat(getComputedStyle(box).lineHeight) || 18;
  box.scrollTop = Math.max(0, line * height - box.clientHeight / 3);
  syncScroll();
}

// ---- forms ----
const dayName = (i) => new Intl.DateTimeFormat(ui, { weekday: 'long', timeZone: 'UTC' }).format(Date.UTC(2024, 0, 1 + i));
// What the days of an `hours` object are is the core's to say (`parse_days`, wrapping ranges
// included); the grid only shows and edits the seven lists.
function perDay(hours) {
  const r = JSON.parse(core.hours_by_day(JSON.stringify(hours ?? {})));
  return { days: r.days ?? DAYS.map(() => []), error: r.error };
}
// Seven days' lists back to `hours`: runs of days with the same hours become one key.
const compress = (days) => Object.fromEntries(JSON.parse(core.hours_from_days(JSON.stringify(days))).entries ?? []);
// Lowercase without accents: "São Paulo" is found as "sao paulo", and slugs are ASCII.
const fold = (s) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
const intervals = (value) => value.split(/[,;]/).map((s) => s.trim()).filter(Boolean);

let presetList = [];
function presetName(id) {
  const p = presetList.find((x) => x.id === id);
  return p ? p.label : id;
}
function describeRule(h) {
  if (typeof h === 'string') return `${presetName(h)} (${t('preset')} ${h})`;
  if (h.preset) return `${presetName(h.preset)} (${t('preset')} ${h.preset})${h.except?.length ? ` — ${t('except')} ${h.except.join(', ')}` : ''}`;
  const when = h.date || (h.from && `${h.from} – ${h.to}`) || (h.month && `${t('everyYear')} ${h.month}-${h.day ?? ''}`) || JSON.stringify(h);
  return `${h.name}: ${when}${h.hours ? ` (${h.hours.join(', ')})` : ''}`;
}

// The forms are rebuilt from the JSON after every edit; a keyboard user keeps their place:
// the control that had focus (by id) has it again, or the nearest one that still exists.
function renderForms() {
  const focused = document.activeElement?.id;
  drawForms();
  if (focused && (!document.activeElement || document.activeElement === document.body)) {
    const again = $(focused) || $(focused.replace(/^(hol|plan)-\d+-/, (_, kind) => `${kind}-0-`)) || $(focused.startsWith('hol-') ? 'preset-search' : 'add-plan');
    again?.focus();
  }
}

function drawForms() {
  const usable = !!doc && typeof doc === 'object' && Array.isArray(doc.teams);
  // With no team yet (a new config), only "Add a team" and the plans are there to use.
  const hasTeam = usable && doc.teams.length > 0 && doc.teams.every((x) => x && typeof x === 'object');
  for (const id of ['team-fields', 'team', 'osm', 'osm-import', 'ics', 'preset-add']) $(id).disabled = !hasTeam;
  $('add-team').disabled = !usable;
  $('add-plan').disabled = !usable;
  document.querySelector('.forms').classList.toggle('off', !usable);
  if (!usable) {
    $('forms-h').nextElementSibling.textContent = t('formsOff');
    return;
  }
  $('forms-h').nextElementSibling.textContent = t(hasTeam ? 'formsHint' : 'formsNoTeam');
  team = Math.max(0, Math.min(team, doc.teams.length - 1));
  if (!hasTeam) {
    $('team').replaceChildren();
    $('hours-body').replaceChildren();
    $('holiday-list').replaceChildren();
    renderPlans();
    return;
  }
  const sel = $('team');
  sel.replaceChildren(...doc.teams.map((tm, i) => el('option', { value: i, text: `${tm.name ?? tm.id} (${tm.timezone ?? '?'})`, selected: i === team })));
  const tm = doc.teams[team] || {};
  setValue($('team-name'), tm.name ?? '');
  setValue($('team-zone'), tm.timezone ?? '');
  $('coverage-boxes').replaceChildren(...(doc.coverages || []).filter((c) => Array.isArray(c.teams)).map((c) => {
    const id = `cov-${c.id}`;
    return el('div', { class: 'check' },
      el('input', { type: 'checkbox', id, checked: c.teams.includes(tm.id), onchange: (e) => edit((d) => {
        const cov = d.coverages.find((x) => x.id === c.id);
        cov.teams = e.target.checked ? [...new Set([...cov.teams, tm.id])] : cov.teams.filter((x) => x !== tm.id);
      }) }),
      el('label', { for: id, text: c.name ?? c.id }));
  }));
  $('hours-caption').textContent = t('hoursOf', { team: tm.name ?? tm.id ?? '' });
  const { days, error: hoursError } = perDay(tm.hours);
  // Hours the grid cannot show are not overwritten from it: the JSON is the place to fix them.
  if (hoursError) $('hours-caption').textContent = t('hoursUnreadable', { team: tm.name ?? tm.id ?? '', error: hoursError });
  const body = $('hours-body');
  if (body.children.length !== 7 || body.dataset.lang !== ui) {
    body.dataset.lang = ui;
    body.replaceChildren(...DAYS.map((d, i) => el('tr', {},
      el('th', { scope: 'row' }, el('label', { for: `h-${d}`, text: dayName(i) })),
      el('td', {}, el('input', { id: `h-${d}`, 'data-day': d, spellcheck: 'false', autocomplete: 'off', placeholder: t('closed'), onchange: onHours })))));
  }
  DAYS.forEach((d, i) => { setValue($(`h-${d}`), days[i].join(', ')); $(`h-${d}`).disabled = !!hoursError; });
  $('holiday-list').replaceChildren(...(tm.holidays || []).map((h, i) => {
    const label = describeRule(h);
    return el('li', {}, el('span', { text: label }), ' ', el('button', { type: 'button', class: 'quiet', id: `hol-${i}-remove`, onclick: () => edit((x) => x.teams[team].holidays.splice(i, 1)) },
      t('remove'), el('span', { class: 'sr-only', text: ` ${label}` })));
  }));
  renderPlans();
}

function renderPlans() {
  $('plans-body').replaceChildren(...(Array.isArray(doc.plans) ? doc.plans : []).map((p, i) => {
    const unit = UNITS.find((u) => p.first_reply && u in p.first_reply) || 'business_hours';
    const covs = (doc.coverages || []).map((c) => el('option', { value: c.id, text: c.name ?? c.id, selected: c.id === p.coverage }));
    const name = el('input', { id: `plan-${i}-name`, 'aria-label': t('planNameOf', { id: p.id }), value: p.name ?? '', onchange: (e) => edit((d) => { d.plans[i].name = e.target.value; }) });
    const coverage = el('select', { id: `plan-${i}-coverage`, 'aria-label': t('coverageOf', { plan: p.name ?? p.id }), onchange: (e) => edit((d) => { d.plans[i].coverage = e.target.value; }) }, ...covs);
    const amount = el('input', { id: `plan-${i}-amount`, type: 'number', min: 1, 'aria-label': t('amountOf', { plan: p.name ?? p.id }), value: p.first_reply?.[unit] ?? '',
      onchange: (e) => edit((d) => { d.plans[i].first_reply = { [unit]: Number(e.target.value) }; }) });
    const units = el('select', { id: `plan-${i}-unit`, 'aria-label': t('unitOf', { plan: p.name ?? p.id }), onchange: (e) => edit((d) => { d.plans[i].first_reply = { [e.target.value]: p.first_reply?.[unit] ?? 1 }; }) },
      ...UNITS.map((u) => el('option', { value: u, text: t(`unit_${u}`), selected: u === unit })));
    const remove = el('button', { id: `plan-${i}-remove`, type: 'button', class: 'quiet', onclick: () => edit((d) => { d.plans.splice(i, 1); }) },
      t('remove'), el('span', { class: 'sr-only', text: ` ${p.name ?? p.id}` }));
    return el('tr', {}, el('td', {}, name), el('td', {}, coverage), el('td', {}, amount, units), el('td', {}, remove));
  }));
}
function addPlan() {
  edit((d) => {
    d.plans = Array.isArray(d.plans) ? d.plans : [];
    let n = d.plans.length + 1;
    while (d.plans.some((p) => p.id === `plan-${n}`)) n++;
    const coverage = (d.coverages || [])[0]?.id ?? '';
    d.plans.push({ id: `plan-${n}`, name: t('newPlan', { n }), coverage, first_reply: { business_hours: 8 } });
  });
}
// Form fields are not rewritten under the user's cursor.
function setValue(input, v) { if (document.activeElement !== input) input.value = v; }

function onHours() {
  const days = DAYS.map((d) => intervals($(`h-${d}`).value));
  edit((d) => { d.teams[team].hours = compress(days); });
}

function importOsm() {
  const input = $('osm');
  const out = $('osm-errors');
  const r = JSON.parse(core.import_osm(input.value));
  if (r.hours) {
    input.removeAttribute('aria-invalid');
    edit((d) => { d.teams[team].hours = r.hours; });
    out.replaceChildren(el('p', { text: t('osmDone', { team: doc.teams[team].name ?? '' }) }));
    return;
  }
  input.setAttribute('aria-invalid', 'true');
  out.replaceChildren(el('ul', { class: 'errors' }, ...r.errors.map((e) => el('li', { text: t('atColumn', { column: e.column, message: e.message }) }))),
    el('pre', { text: r.described, tabindex: 0 }));
  const first = r.errors[0];
  if (first) { input.focus(); input.setSelectionRange(first.start, first.end); }
}

async function importIcs(file) {
  const out = $('ics-result');
  const r = JSON.parse(core.import_ics(await file.text()));
  if (r.errors) {
    out.replaceChildren(el('ul', { class: 'errors' }, ...r.errors.map((e) => el('li', { text: `${file.name}: ${e.message}` }))));
    return;
  }
  edit((d) => { const tm = d.teams[team]; tm.holidays = [...(tm.holidays || []), ...r.holidays]; });
  out.replaceChildren(el('p', { text: t('icsDone', { n: r.holidays.length, file: file.name, team: doc.teams[team].name ?? '' }) }),
    ...(r.skipped?.length ? [el('ul', {}, ...r.skipped.map((s) => el('li', { text: t('icsSkipped', { summary: s.summary, reason: s.reason }) })))] : []));
}

function addTeam() {
  const name = $('new-team-name').value.trim();
  const zone = $('new-team-zone').value.trim();
  const err = $('add-team-error');
  if (!name || !zone) { err.textContent = t('addTeamNeeds'); return; }
  err.textContent = '';
  edit((d) => {
    const slug = fold(name).replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'team';
    let id = slug;
    for (let n = 2; d.teams.some((x) => x.id === id); n++) id = `${slug}-${n}`;
    d.teams.push({ id, name, timezone: zone, hours: { 'mon-fri': ['09:00-17:00'] }, holidays: [] });
    team = d.teams.length - 1;
  });
  $('new-team-name').value = '';
  $('new-team-zone').value = '';
  $('team').focus();
}

// ---- holiday presets: every country and subdivision, searched by name in the studio's language ----
function labelPresets() {
  let regions;
  try { regions = new Intl.DisplayNames([ui], { type: 'region' }); } catch { regions = null; }
  presetList = JSON.parse(core.presets()).map((p) => {
    const [country, ...rest] = p.name.split(', ');
    let local = country;
    const code = p.id.split('-')[0];
    if (regions && /^[a-z]{2}$/.test(code)) { try { local = regions.of(code.toUpperCase()) || country; } catch { /* not a region */ } }
    const label = [local, ...rest].join(', ');
    return { ...p, label, key: fold(`${label} ${p.name} ${p.id}`) };
  });
  presetList.sort((a, b) => a.label.localeCompare(b.label, ui));
}
function searchPresets() {
  const q = fold($('preset-search').value).trim();
  const found = q ? presetList.filter((p) => q.split(/\s+/).every((w) => p.key.includes(w))) : [];
  $('preset-count').textContent = q ? t(found.length === 1 ? 'presetFound' : 'presetsFound', { n: found.length }) : '';
  $('preset-results').replaceChildren(...found.slice(0, 40).map((p) => el('li', {}, el('button', { type: 'button', class: 'link', onclick: () => showPreset(p) }, `${p.label} `, el('code', { text: p.id })))));
}
let shownPreset = null;
function showPreset(p) {
  shownPreset = p;
  const year = new Date(instant).getUTCFullYear();
  const r = JSON.parse(core.preset_dates(p.id, year));
  $('preset-detail').hidden = false;
  $('preset-title').textContent = `${p.label} (${p.id})`;
  $('preset-caption').textContent = t('presetCloses', { year });
  const tm = doc?.teams?.[team];
  $('preset-add').textContent = t('presetAdd', { preset: p.label, team: tm?.name ?? tm?.id ?? '' });
  const fmt = new Intl.DateTimeFormat(ui, { dateStyle: 'full', timeZone: 'UTC' });
  $('preset-dates').replaceChildren(...(r.dates || []).map((h) => el('tr', {}, el('th', { scope: 'row', text: fmt.format(Date.parse(`${h.date}T00:00:00Z`)) }), el('td', { text: h.name }))));
  if (r.error) $('preset-dates').replaceChildren(el('tr', {}, el('td', { text: r.error })));
}
function addPreset() {
  if (!shownPreset || !doc) return;
  const id = shownPreset.id;
  edit((d) => {
    const tm = d.teams[team];
    tm.holidays = tm.holidays || [];
    if (!tm.holidays.some((h) => h === id || h?.preset === id)) tm.holidays.push(id);
  });
  $('preset-add').textContent = t('presetAdded', { preset: shownPreset.label, team: doc.teams[team].name ?? '' });
}

// ---- the preview ----
const zoneOk = (z) => { try { new Intl.DateTimeFormat('en', { timeZone: z }); return !!z; } catch { return false; } };
const visitorZone = () => (zoneOk($('zone').value.trim()) ? $('zone').value.trim() : 'UTC');
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
// The instant's wall time in the visitor's zone, for the datetime-local control (display only).
function localValue(ms, zone) {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-CA', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' })
    .formatToParts(ms).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}
function showInstant() {
  setValue($('instant'), localValue(instant, visitorZone()));
  $('instant-utc').textContent = t('instantIs', { utc: iso(instant) });
}
function onInstant() {
  const v = $('instant').value;
  if (!v) return;
  // The core turns the visitor's wall time into an instant (a time in a DST gap moves later, one in a fold is the earlier).
  const r = JSON.parse(core.local_instant(visitorZone(), v.length === 16 ? `${v}:00` : v));
  if (r.instant) { instant = Date.parse(r.instant); $('instant-utc').textContent = t('instantIs', { utc: iso(instant) }); schedulePreview(); }
}

async function catalog(lang) {
  if (lang === 'en') return undefined;
  return catalogs[lang] ||= fetch(new URL(`i18n/${lang}.json`, widgetBase)).then((r) => (r.ok ? r.text() : undefined));
}
function presetsFor(configText) {
  const presets = {};
  try {
    for (const tm of JSON.parse(configText).teams || []) for (const h of tm.holidays || []) {
      const id = typeof h === 'string' ? h : h?.preset;
      if (typeof id === 'string' && !presets[id]) { const doc = core.preset_document(id); if (doc) presets[id] = doc; }
    }
  } catch { /* the preview keeps the last good config */ }
  return presets;
}
let previewTimer;
const previewLang = {};
function schedulePreview() { clearTimeout(previewTimer); previewTimer = setTimeout(renderPreview, 120); }
// The plan the badge and panel show: the config's plans offered, the choice kept while the
// plan is there (the first plan otherwise, as the widget does without data-plan).
function previewPlans(configText) {
  const select = $('preview-plan');
  let plans = [];
  try { plans = (JSON.parse(configText).plans || []).filter((p) => typeof p?.id === 'string'); } catch { /* kept as it was */ }
  const want = select.value;
  const ids = plans.map((p) => p.id).join(' ');
  if (select.dataset.ids !== ids || plans.some((p, i) => select.options[i]?.text !== (p.name ?? p.id))) {
    select.replaceChildren(...plans.map((p) => el('option', { value: p.id, text: p.name ?? p.id })));
    select.dataset.ids = ids;
  }
  select.value = plans.some((p) => p.id === want) ? want : (plans[0]?.id ?? '');
  return select.value;
}
async function renderPreview() {
  if (!widget || lastGood == null) return;
  const lang = $('lang').value || 'en';
  const zone = visitorZone();
  // The config inline (the widget reads `config` text that starts with "{"), with its presets.
  const opts = { config: lastGood, presets: presetsFor(lastGood), timeZone: zone, lang, locale: lang, catalog: await catalog(lang), now: iso(instant) };
  const plan = previewPlans(lastGood);
  for (const view of ['badge', 'panel', 'compare']) {
    const host = $(`view-${view}`);
    const root = host.shadowRoot || host.attachShadow({ mode: 'open' });
    // The widget keeps its language and its pinned instant for life (update() takes a new
    // config only): a new language or instant is a new widget.
    // So does its plan: a new plan is a new badge and panel.
    const key = view === 'compare' ? `${lang} ${opts.now}` : `${lang} ${opts.now} ${plan}`;
    const viewOpts = view === 'compare' || !plan ? { ...opts, view } : { ...opts, view, plan };
    if (handles[view] && previewLang[view] === key) handles[view].update(viewOpts);
    else {
      handles[view]?.unmount();
      const inner = document.createElement('div');
      root.replaceChildren(inner);
      handles[view] = widget.mount(inner, viewOpts);
    }
    previewLang[view] = key;
  }
  renderQuotes(zone);
  $('preview-h').nextElementSibling.dataset.stale = String(lastGood !== text);
}
function renderQuotes(zone) {
  const r = JSON.parse(core.quotes(lastGood, iso(instant)));
  const fmt = new Intl.DateTimeFormat(ui, { timeZone: zone, weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' });
  const plans = Object.fromEntries((JSON.parse(lastGood).plans || []).map((p) => [p.id, p.name ?? p.id]));
  $('quotes').replaceChildren(...(r.quotes || []).map((q) => el('li', { 'data-plan': q.plan, text: t('quote', { plan: plans[q.plan] ?? q.plan, time: fmt.format(Date.parse(q.respond_by)), zone }) })),
    ...(lastGood !== text ? [el('li', { class: 'hint', text: t('previewStale') })] : []));
}

// ---- publish ----
function setWhere() {
  if (server) {
    const src = server.source === 'store' ? t('fromStore') : t('fromFile', { file: server.source?.file ?? '' });
    $('where').textContent = t('signedIn', { name: server.name, source: src });
    $('publish-hint').textContent = server.source === 'store' ? t('publishHint') : t('fileManaged');
    $('publish').disabled = server.source !== 'store';
  } else {
    $('where').textContent = t('staticMode');
    $('publish-hint').textContent = t('staticPublish');
    $('publish').disabled = true;
  }
}
function changedPaths(a, b, path = '', out = []) {
  if (JSON.stringify(a) === JSON.stringify(b)) return out;
  if (a && b && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) changedPaths(a[k], b[k], `${path}/${k}`, out);
  } else out.push({ path: path || '/', before: a, after: b });
  return out;
}
const show = (v) => (v === undefined ? t('absent') : JSON.stringify(v));
async function publish() {
  const result = $('publish-result');
  if (checked.problems.length) { result.textContent = t('fixFirst', { n: checked.problems.length }); return; }
  result.textContent = t('publishing');
  const url = new URL(server.configUrl, location.href);
  if ($('note').value.trim()) url.searchParams.set('note', $('note').value.trim());
  const r = await fetch(url, { method: 'PUT', credentials: 'same-origin', headers: { 'content-type': 'application/json', 'if-match': base.etag, [server.formTokenHeader]: server.formToken }, body: text });
  const body = await r.json().catch(() => ({}));
  if (r.ok) {
    base = { etag: r.headers.get('etag') || `"v${body.version}"`, text };
    saveDraft();
    $('conflict').hidden = true;
    $('note').value = '';
    result.textContent = t('published', { version: body.version });
    showSnippets();
    return;
  }
  if (r.status === 412) return conflict(r.headers.get('etag'));
  if (r.status === 422) { result.textContent = `${body.error}: ${(body.problems || []).map((p) => `${p.path}: ${p.message}`).join('; ')}`; return; }
  if (r.status === 401) { result.replaceChildren(t('signedOut'), ' ', el('a', { href: './', text: t('signInAgain') })); return; }
  result.textContent = body.error || `HTTP ${r.status}`;
}
let theirs = null;
async function conflict(winner) {
  // The version that won (the 412's ETag); this instance may take a moment to serve it.
  for (let i = 0; i < 20; i++) {
    const r = await fetch(new URL(`${server.configUrl}?layer=base`, location.href), { cache: 'no-store' });
    theirs = { etag: r.headers.get('etag'), text: await r.text() };
    if (!winner || theirs.etag === winner) break;
    await new Promise((res) => setTimeout(res, 250));
  }
  let changes = [];
  try { changes = changedPaths(JSON.parse(base.text), JSON.parse(theirs.text)); } catch { /* shown as a whole */ }
  $('publish-result').textContent = '';
  $('conflict').hidden = false;
  $('conflict-text').textContent = t('conflictText', { etag: theirs.etag, n: changes.length });
  $('conflict-list').replaceChildren(...changes.slice(0, 50).map((c) => el('li', {}, el('code', { text: c.path }), `: ${show(c.before)} → ${show(c.after)}`)));
  $('conflict-keep').focus();
}
function snippet(view, plan) {
  const origin = location.origin;
  return `<script type="module" src="${origin}/embed.js"\n        data-config="${origin}${server?.bundleUrl ?? '/v1/bundle'}"\n        data-view="${view}"${plan ? ` data-plan="${plan}"` : ''}></script>`;
}
function showSnippets() {
  if (!server) return;
  const plan = doc?.plans?.[0]?.id;
  $('snippets').hidden = false;
  $('snippet-list').replaceChildren(...[['badge', plan], ['panel', plan], ['compare']].map(([view, p]) => {
    const code = snippet(view, p);
    const id = `snippet-${view}`;
    return el('div', { class: 'snippet' }, el('h4', { id: `${id}-h`, text: t(view) }),
      el('pre', { id, 'aria-labelledby': `${id}-h`, tabindex: 0 }, el('code', { text: code })),
      el('button', { type: 'button', onclick: (e) => navigator.clipboard?.writeText(code).then(() => { e.target.textContent = t('copied'); }) }, t('copy'), el('span', { class: 'sr-only', text: ` ${t(view)}` })));
  }));
}

// ---- files (also what the static page has instead of a server) ----
function saveFile() {
  const a = el('a', { href: URL.createObjectURL(new Blob([text], { type: 'application/json' })), download: 'config.json' });
  document.body.append(a);
  a.click();
  a.remove();
}

// ---- start ----
async function start() {
  await initStudio();
  const saved = localStorage.getItem('replyby-studio-lang');
  await loadStrings(['de', 'es'].includes(saved) ? saved : 'en');
  $('ui-lang').value = ui;
  labelPresets();
  $('zones').replaceChildren(...(Intl.supportedValuesOf?.('timeZone') || []).map((z) => el('option', { value: z })));
  const names = (() => { try { return new Intl.DisplayNames([ui], { type: 'language' }); } catch { return null; } })();
  $('lang').replaceChildren(...LANGS.map((l) => el('option', { value: l, text: `${names?.of(l) ?? l} (${l})` })));
  $('zone').value = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

  try {
    const r = await fetch('session', { credentials: 'same-origin', cache: 'no-store' });
    if (r.ok && (r.headers.get('content-type') || '').includes('json')) server = await r.json();
  } catch { /* no server: the static studio */ }
  if (server) {
    // The preview starts at the server's instant (a demo or test server's clock is pinned).
    if (server.now && !Number.isNaN(Date.parse(server.now))) instant = Date.parse(server.now);
    const r = await fetch(new URL(`${server.configUrl}?layer=base`, location.href), { cache: 'no-store' });
    base = { etag: r.headers.get('etag'), text: await r.text() };
  } else {
    const r = await fetch(new URL('acme.json', widgetBase)).catch(() => null);
    base = { etag: null, text: r?.ok ? await r.text() : '{\n  "company": "",\n  "teams": []\n}\n' };
  }
  setWhere();
  const draft = JSON.parse(localStorage.getItem(DRAFT) || 'null');
  if (draft && draft.text !== base.text) {
    // The draft goes on from the version it was based on: publishing it over a newer one is a conflict, not a silent overwrite.
    if (draft.etag) base = { etag: draft.etag, text: draft.baseText ?? base.text };
    setText(draft.text);
    $('draft-state').textContent = t('draftRestored', { at: new Date(draft.savedAt).toLocaleString(ui) });
  } else setText(base.text);
  showInstant();
  showSnippets();

  box.addEventListener('input', () => setText(box.value, { fromBox: true }));
  box.addEventListener('scroll', syncScroll);
  $('team').addEventListener('change', (e) => { team = Number(e.target.value); renderForms(); if (shownPreset) showPreset(shownPreset); });
  $('team-name').addEventListener('change', (e) => edit((d) => { d.teams[team].name = e.target.value; }));
  $('team-zone').addEventListener('change', (e) => edit((d) => { d.teams[team].timezone = e.target.value.trim(); }));
  $('osm-import').addEventListener('click', importOsm);
  $('osm').addEventListener('keydown', (e) => { if (e.key === 'Enter') importOsm(); });
  $('ics').addEventListener('change', (e) => e.target.files[0] && importIcs(e.target.files[0]));
  $('preset-search').addEventListener('input', searchPresets);
  $('preset-add').addEventListener('click', addPreset);
  $('add-team').addEventListener('click', addTeam);
  $('add-plan').addEventListener('click', addPlan);
  $('zone').addEventListener('change', () => { showInstant(); if (lastGood != null) renderQuotes(visitorZone()); schedulePreview(); });
  $('lang').addEventListener('change', schedulePreview);
  $('preview-plan').addEventListener('change', schedulePreview);
  $('instant').addEventListener('change', onInstant);
  $('publish').addEventListener('click', publish);
  $('conflict-keep').addEventListener('click', () => { base = { ...theirs }; $('conflict').hidden = true; saveDraft(); publish(); });
  $('conflict-take').addEventListener('click', () => { base = { ...theirs }; $('conflict').hidden = true; setText(theirs.text); $('publish-result').textContent = t('tookTheirs'); });
  $('save').addEventListener('click', saveFile);
  $('open').addEventListener('change', async (e) => { const f = e.target.files[0]; if (f) setText(await f.text()); });
  $('discard').addEventListener('click', () => {
    localStorage.removeItem(DRAFT);
    localStorage.removeItem(FIELDS);
    for (const id of KEPT_FIELDS) $(id).value = '';
    setText(base.text);
    $('draft-state').textContent = t('discarded');
  });
  keepFieldsAcrossReloads();
  $('ui-lang').addEventListener('change', async (e) => {
    localStorage.setItem('replyby-studio-lang', e.target.value);
    await loadStrings(e.target.value);
    labelPresets();
    setWhere();
    validate();
    renderForms();
    searchPresets();
    showInstant();
    showSnippets();
    if (lastGood != null) renderQuotes(visitorZone());
  });

  const m = await import(new URL('replyby-widget.js', widgetBase).href);
  await m.default({ module_or_path: new URL('replyby-widget_bg.wasm', widgetBase) });
  widget = m;
  await renderPreview();
  document.body.dataset.ready = 'true';
}
start().catch((e) => {
  console.error(e);
  $('where').textContent = `The studio could not start: ${e.message}`;
});
