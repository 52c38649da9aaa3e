// Every language, in Chromium: each view in each of the 24 languages says nothing in English
// (beyond the config's own names), Arabic and Hebrew are laid out right to left (and Arabic
// passes axe-core), German and Russian fit a 320 px phone, embed.js picks the language the
// way DESIGN.md says and fetches its file beside the wasm, and a file that fails to load
// leaves a consistent English widget. Every widget's clock is pinned (data-now).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { widgetOrigin, hostOrigin, browser, widgetTexts } from './harness.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const shots = path.join(root, 'docs/screenshots');
const axeSource = await readFile(path.join(root, 'node_modules/axe-core/axe.min.js'), 'utf8');
const configText = await readFile(path.join(root, 'examples/acme.json'), 'utf8');
const json = async (p) => JSON.parse(await readFile(path.join(root, p), 'utf8'));

const LANGUAGES = ['en', 'es', 'pt', 'fr', 'de', 'it', 'nl', 'sv', 'da', 'nb', 'fi', 'pl', 'cs', 'tr', 'ru', 'uk', 'ar', 'he',
  'ja', 'ko', 'zh-Hans', 'zh-Hant', 'hi', 'id'];
// Monday 2027-02-15 10:00 New York: Presidents' Day (closed, deferred requests).
const CLOSED = '2027-02-15T15:00:00Z';
// Wednesday 2027-03-03 10:00 New York: open.
const OPEN = '2027-03-03T15:00:00Z';

// The English words of en.json (every sentence, the receipt's too).
const english = new Set();
const latinWords = (s) => [...s.matchAll(/\p{Script=Latin}+(?:['’]\p{Script=Latin}+)*/gu)].map((m) => m[0].toLowerCase());
for (const v of Object.values(await json('i18n/en.json'))) {
  for (const s of typeof v === 'string' ? [v] : Object.values(v)) latinWords(s.replace(/\{[a-z_]+\}/g, ' ')).forEach((w) => english.add(w));
}
// Words that are English and also this language's own (German "Team", French "message",
// Danish "send", the "e-mail" most languages write, Finnish "to" for Thursday): they are not
// left-over English.
const NATIVE = {
  cs: 'a e mail to server', da: 'for time send e mail browser', de: 'minute team in e mail name an browser server',
  es: 'a error', fi: 'on to', fr: 'support minute minutes date e mail message a', id: 'server',
  it: 'e team mail a browser in server', nb: 'time send e', nl: 'open team week in e we is browser server',
  pl: 'e mail a', pt: 'e mail a', sv: 'in e', tr: 'on e',
};
// Names the widget shows as the config (and its holiday presets) spell them.
const names = new Set();
const collect = (v) => {
  if (Array.isArray(v)) v.forEach(collect);
  else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) if (['company', 'name', 'blurb'].includes(k) && typeof x === 'string') names.add(x); else collect(x);
  }
};
const acme = JSON.parse(configText);
collect(acme);
// The presets the config names, as the build exports them beside embed.js, with their names
// in other languages (`l10n`): the widget shows a holiday in the visitor's language where the
// preset has it.
const presetIds = new Set(acme.teams.flatMap((t) => (t.holidays || []).map((h) => (typeof h === 'string' ? h : h.preset)).filter(Boolean)));
for (const id of presetIds) {
  const doc = await json(`dist/presets/${id}.json`);
  collect(doc.rules);
  for (const table of Object.values(doc.l10n || {})) Object.values(table).forEach((n) => names.add(n));
}
// Longest first, each as whole words only (the plan id "pro" is no part of "problem").
const nameRes = [...names].filter((n) => /\p{L}/u.test(n)).sort((a, b) => b.length - a.length)
  .map((n) => new RegExp(`(?<!\\p{L})${n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?!\\p{L})`, 'gu'));
/** The English words in `text` once the config's names are taken out. */
function leftoverEnglish(text, lang) {
  let rest = text;
  for (const re of nameRes) rest = rest.replace(re, ' ');
  const native = new Set((NATIVE[lang] || '').split(' '));
  return [...new Set(latinWords(rest).filter((w) => english.has(w) && !native.has(w)))];
}

let W, H, B;
const pages = {};
const tag = (attrs) => `<script type="module" src="${W.base}embed.js" data-config="${W.base}acme.json" ${attrs}></script>`;
const six = (locale) => ['badge', 'panel', 'compare'].flatMap((view) => [CLOSED, OPEN].map((now) =>
  tag(`data-view="${view}" data-plan="basic" data-now="${now}" data-locale="${locale}"`))).join('\n');

before(async () => {
  W = await widgetOrigin(path.join(root, 'dist'));
  H = await hostOrigin(pages);
  B = await browser();
  await mkdir(shots, { recursive: true });
  for (const lang of LANGUAGES) pages[`/all/${lang}`] = `<!doctype html><title>${lang}</title>${six(lang)}`;
  for (const view of ['badge', 'panel', 'compare']) {
    for (const locale of ['ar', 'he', 'de', 'ru', 'ja', 'pt-BR']) {
      pages[`/${view}/${locale}`] = `<!doctype html><html lang="en"><title>${view}</title><main>${tag(`data-view="${view}" data-plan="basic" data-now="${CLOSED}" data-locale="${locale}" data-theme="light"`)}</main>`;
    }
  }
  pages['/browser-locale'] = `<!doctype html><title>b</title>${tag(`data-view="badge" data-plan="basic" data-now="${CLOSED}"`)}`;
});

after(async () => {
  await B?.close();
  W?.server.close();
  H?.server.close();
});

/** Everything a widget says: its text (closed-day lists opened), labels and SVG titles. */
const everything = (page) => page.evaluate(() => [...document.querySelectorAll('[data-replyby-host]')].map((h) => {
  const r = h.shadowRoot.querySelector('.replyby');
  r.querySelectorAll('details').forEach((d) => { d.open = true; });
  const labels = [...r.querySelectorAll('[aria-label], title, label')].map((e) => e.getAttribute('aria-label') || e.textContent);
  return { text: `${r.innerText}\n${labels.join('\n')}`, lang: r.lang, dir: r.dir };
}));

for (const lang of LANGUAGES) {
  test(`${lang}: every view, open and closed, in ${lang} only${lang === 'ar' || lang === 'he' ? ', right to left' : ''}`, async () => {
    const ctx = await B.newContext({ timezoneId: 'Europe/London', locale: 'en-GB' });
    const page = await ctx.newPage();
    await page.goto(`${H.base}/all/${lang}`);
    await widgetTexts(page, 6);
    const widgets = await everything(page);
    assert.equal(widgets.length, 6);
    for (const w of widgets) {
      assert.equal(w.lang, lang, 'lang attribute');
      assert.equal(w.dir, lang === 'ar' || lang === 'he' ? 'rtl' : 'ltr');
      if (lang !== 'en') assert.deepEqual(leftoverEnglish(w.text, lang), [], w.text);
    }
    // Chromium's plural rules are the ones the language file was written for.
    const cat = await json(`i18n/${lang}.json`);
    const want = await page.evaluate((l) => new Intl.PluralRules(l).resolvedOptions().pluralCategories.sort(), lang);
    assert.deepEqual(Object.keys(cat['target.hours']).sort(), want);
    await ctx.close();
  });
}

test('the word check finds English: an English widget fails it', async () => {
  const ctx = await B.newContext();
  const page = await ctx.newPage();
  await page.goto(`${H.base}/all/en`);
  await widgetTexts(page, 6);
  const found = leftoverEnglish((await everything(page)).map((w) => w.text).join('\n'), 'de');
  for (const w of ['closed', 'back', 'hear', 'business', 'request', 'send']) assert.ok(found.includes(w), `${w} in ${found}`);
  // The config's names are not counted: "Business hours (New York)" is a coverage's name.
  assert.ok(!found.includes('york') && !found.includes('acme'), found.join(' '));
  await ctx.close();
});

for (const view of ['badge', 'panel', 'compare']) {
  test(`axe-core finds no violation in Arabic: ${view}`, async () => {
    const ctx = await B.newContext({ viewport: { width: 1100, height: 900 }, timezoneId: 'Asia/Riyadh', locale: 'ar' });
    const page = await ctx.newPage();
    await page.goto(`${H.base}/${view}/ar`);
    await widgetTexts(page, 1);
    await page.addScriptTag({ content: axeSource });
    const result = await page.evaluate(() => window.axe.run(document.querySelector('replyby-widget'), { resultTypes: ['violations'] }));
    assert.deepEqual(result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), []);
    await ctx.close();
  });
}

for (const locale of ['de', 'ru']) {
  test(`${locale} fits a 320 px phone: nothing sticks out sideways in any view`, async () => {
    for (const view of ['badge', 'panel', 'compare']) {
      const ctx = await B.newContext({ viewport: { width: 320, height: 800 }, timezoneId: 'Europe/Berlin', locale });
      const page = await ctx.newPage();
      await page.goto(`${H.base}/${view}/${locale}`);
      await widgetTexts(page, 1);
      const out = await page.evaluate(() => {
        const r = document.querySelector('replyby-widget').shadowRoot.querySelector('.replyby');
        r.querySelectorAll('details').forEach((d) => { d.open = true; });
        const wide = [...r.querySelectorAll('*')].filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5)
          .map((e) => `${e.tagName.toLowerCase()}.${e.className?.baseVal ?? e.className}: ${e.textContent.slice(0, 40)}`);
        return { page: document.documentElement.scrollWidth - window.innerWidth, wide };
      });
      assert.ok(out.page <= 0, `${view}: the page scrolls sideways by ${out.page}px`);
      assert.deepEqual(out.wide, [], view);
      await ctx.close();
    }
  });
}

test('screenshots: the panel in Japanese, Arabic and Brazilian Portuguese', async () => {
  for (const [locale, timezoneId] of [['ja', 'Asia/Tokyo'], ['ar', 'Asia/Riyadh'], ['pt-BR', 'America/Sao_Paulo']]) {
    const ctx = await B.newContext({ viewport: { width: 700, height: 900 }, timezoneId, locale });
    const page = await ctx.newPage();
    await page.goto(`${H.base}/panel/${locale}`);
    await widgetTexts(page, 1);
    await (await page.$('replyby-widget')).screenshot({ path: path.join(shots, `panel-${locale}.png`) });
    await ctx.close();
  }
});

test('the language: data-locale or the browser\'s languages, mapped as DESIGN.md says, its file fetched once', async () => {
  for (const [locales, attr, file, lang] of [
    [['en-GB'], 'pt-BR', 'pt', 'pt-BR'],
    [['en-GB'], 'zh-TW', 'zh-Hant', 'zh-Hant-TW'],
    [['en-GB'], 'zh-HK', 'zh-Hant', 'zh-Hant-HK'],
    [['en-GB'], 'zh-SG', 'zh-Hans', 'zh-Hans-SG'],
    [['en-GB'], 'zh', 'zh-Hans', 'zh-Hans'],
    [['en-GB'], 'nn-NO', 'nb', 'nb-NO'],
    [['en-GB'], 'no', 'nb', 'nb'],
    [['en-GB'], 'iw', 'he', 'he'],
    [['en-GB'], 'in', 'id', 'id'],
    [['en-GB'], 'th', null, 'en'],
    [['th-TH', 'de-AT', 'fr'], null, 'de', 'de-AT'],
    [['th-TH'], null, null, 'en'],
    [['en-US', 'de'], null, null, 'en-US'],
  ]) {
    const ctx = await B.newContext({ locale: locales[0] });
    await ctx.addInitScript((l) => Object.defineProperty(navigator, 'languages', { get: () => l }), locales);
    const page = await ctx.newPage();
    const fetched = [];
    page.on('request', (r) => { if (r.url().includes('/i18n/')) fetched.push(new URL(r.url()).pathname); });
    if (attr) {
      pages['/pick'] = `<!doctype html><title>p</title>${tag(`data-view="badge" data-plan="basic" data-now="${CLOSED}" data-locale="${attr}"`)}`;
      await page.goto(`${H.base}/pick`);
    } else {
      await page.goto(`${H.base}/browser-locale`);
    }
    await widgetTexts(page, 1);
    const [w] = await everything(page);
    assert.equal(w.lang, lang, `${attr || locales}`);
    assert.deepEqual(fetched, file ? [`/i18n/${file}.json`] : [], `${attr || locales}`);
    await ctx.close();
  }
});

test('the language file is fetched while the wasm downloads, not after it', async () => {
  const ctx = await B.newContext();
  const page = await ctx.newPage();
  let sawCatalog;
  const catalogSeen = new Promise((r) => { sawCatalog = r; });
  page.on('request', (r) => { if (r.url().endsWith('/i18n/ja.json')) sawCatalog(); });
  // Hold the wasm until the language file has been asked for; if embed.js asked for it only
  // after the wasm, this would wait forever (and the test time out).
  let heldUntilCatalog = false;
  await page.route('**/replyby-widget_bg.wasm', async (route) => {
    await catalogSeen;
    heldUntilCatalog = true;
    await route.continue();
  });
  await page.goto(`${H.base}/panel/ja`);
  await widgetTexts(page, 1);
  assert.ok(heldUntilCatalog);
  await ctx.close();
});

test('a language file that fails to load: English sentences and English dates, and the console says which file', async () => {
  const ctx = await B.newContext({ timezoneId: 'Europe/Berlin' });
  const page = await ctx.newPage();
  const errors = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.route('**/i18n/de.json', (route) => route.fulfill({ status: 404, body: 'gone', headers: { 'access-control-allow-origin': '*' } }));
  await page.goto(`${H.base}/badge/de`);
  const [text] = await widgetTexts(page, 1);
  assert.match(text, /^Closed for Washington's Birthday · back tomorrow 09:00 AM EST \(03:00 PM your time\)$/);
  const [w] = await everything(page);
  assert.equal(w.lang, 'en');
  assert.ok(errors.some((e) => /replyby: cannot load the language file .*\/i18n\/de\.json \(HTTP 404\); showing English/.test(e)), errors.join('\n'));
  await ctx.close();
});
