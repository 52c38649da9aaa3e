// The config studio's own sentences (studio/web/i18n/<lang>.json): German and Spanish have every
// key of English, nothing else, and the same {placeholders}. Run: node --test tests/studio-catalogs.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '../studio/web/i18n');
const load = async (lang) => JSON.parse(await readFile(path.join(dir, `${lang}.json`), 'utf8'));
const holes = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

for (const lang of ['de', 'es']) {
  test(`studio ${lang}: the keys and placeholders of en.json`, async () => {
    const [en, other] = [await load('en'), await load(lang)];
    assert.deepEqual(Object.keys(other).sort(), Object.keys(en).sort());
    for (const [key, text] of Object.entries(en)) {
      assert.deepEqual(holes(other[key]), holes(text), `${lang}.json "${key}"`);
      assert.ok(other[key].trim(), `${lang}.json "${key}" is empty`);
    }
  });
}
