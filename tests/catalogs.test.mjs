// The language files (i18n/<lang>.json): every language has every sentence of en.json, with
// the same {placeholders}, and its plural sentences have exactly the categories that
// Intl.PluralRules gives for the language. Run: node --test tests/catalogs.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '../i18n');
/** The languages DESIGN.md promises; embed.js negotiates to exactly these. */
export const LANGUAGES = ['en', 'es', 'pt', 'fr', 'de', 'it', 'nl', 'sv', 'da', 'nb', 'fi', 'pl', 'cs', 'tr', 'ru', 'uk', 'ar', 'he',
  'ja', 'ko', 'zh-Hans', 'zh-Hant', 'hi', 'id'];
/** The count of a plural sentence: a language may write it in words in some forms
 * (Arabic "ساعة واحدة", Hebrew "שעתיים"), so only it may be left out of a form. */
const COUNT = 'n';

const placeholders = (s) => [...s.matchAll(/\{([^{}]*)\}/g)].map((m) => m[1]).sort();
const load = async (lang) => JSON.parse(await readFile(path.join(dir, `${lang}.json`), 'utf8'));
const en = await load('en');

test('there is one file per language, and no other', async () => {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort();
  assert.deepEqual(files, [...LANGUAGES].sort());
});

test('English: plain strings or plural objects, braces balanced, placeholders are names', () => {
  for (const [key, value] of Object.entries(en)) {
    const forms = typeof value === 'string' ? [value] : Object.values(value);
    for (const s of forms) {
      assert.equal(typeof s, 'string', key);
      assert.equal(s.replace(/\{[a-z_]+\}/g, '').match(/[{}]/), null, `${key}: stray brace in ${JSON.stringify(s)}`);
    }
    if (typeof value !== 'string') {
      assert.deepEqual(Object.keys(value).sort(), ['one', 'other'], key);
      for (const s of forms) assert.ok(placeholders(s).includes(COUNT), `${key}: English forms say the count`);
    }
  }
});

for (const lang of LANGUAGES) {
  test(`${lang}: every key of en.json, same placeholders, Intl's plural categories`, async () => {
    const cat = await load(lang);
    assert.deepEqual(Object.keys(cat).sort(), Object.keys(en).sort(), 'same keys as en.json');
    const categories = new Intl.PluralRules(lang).resolvedOptions().pluralCategories.slice().sort();
    const problems = [];
    for (const [key, want] of Object.entries(en)) {
      const got = cat[key];
      if (typeof want === 'string') {
        if (typeof got !== 'string') { problems.push(`${key}: should be a string`); continue; }
        if (got.trim() === '') problems.push(`${key}: empty`);
        if (placeholders(got).join() !== placeholders(want).join()) problems.push(`${key}: placeholders {${placeholders(got)}} instead of {${placeholders(want)}}`);
        if (got.replace(/\{[a-z_]+\}/g, '').match(/[{}]/)) problems.push(`${key}: stray brace`);
        continue;
      }
      if (typeof got !== 'object' || got === null || Array.isArray(got)) { problems.push(`${key}: should be an object of plural forms`); continue; }
      const have = Object.keys(got).sort();
      if (have.join() !== categories.join()) problems.push(`${key}: plural forms ${have} instead of ${categories}`);
      const all = [...new Set(Object.values(want).flatMap(placeholders))].sort();
      for (const [category, s] of Object.entries(got)) {
        if (typeof s !== 'string' || s.trim() === '') { problems.push(`${key}.${category}: not a sentence`); continue; }
        const p = placeholders(s);
        const missing = all.filter((x) => x !== COUNT && !p.includes(x));
        const extra = p.filter((x) => !all.includes(x));
        if (missing.length || extra.length) problems.push(`${key}.${category}: missing {${missing}} extra {${extra}}`);
        if (s.replace(/\{[a-z_]+\}/g, '').match(/[{}]/)) problems.push(`${key}.${category}: stray brace`);
      }
      // The count may be written in words, but not in every form (it would never be shown).
      if (!Object.values(got).some((s) => placeholders(s).includes(COUNT))) problems.push(`${key}: no form shows {${COUNT}}`);
    }
    assert.deepEqual(problems, []);
  });
}

test('catalogs are written out, not copied: no non-English sentence is the English one', async () => {
  // Sentences that are the same in the language (a name field, a bare layout template).
  const same = new Set(['closed_days.team', 'time.range', 'time.day_time']);
  const copied = [];
  for (const lang of LANGUAGES.filter((l) => l !== 'en')) {
    const cat = await load(lang);
    for (const [key, want] of Object.entries(en)) {
      if (typeof want === 'string' && !same.has(key) && cat[key] === want && want.split(' ').length > 1) copied.push(`${lang} ${key}`);
    }
  }
  assert.deepEqual(copied, []);
});
