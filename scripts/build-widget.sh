#!/usr/bin/env bash
# Builds the widget into dist/ — the steps `trunk build --release` runs, without needing
# Trunk itself (a 10-minute install): cargo → wasm-bindgen --target web → wasm-opt -Oz,
# then embed.js, the language files, the demo page and the example config beside them, and the
# config studio (dist/studio/). Also builds the timing
# floor (target/floor/). `trunk serve` with Trunk.toml gives the same output for development.
#
# Size: the release build rebuilds the standard library for size — panics abort on the
# spot without formatting a message, `{:?}` formats nothing, no panic locations — which
# saves about 18 KB brotli. Those are unstable cargo/rustc options; RUSTC_BOOTSTRAP=1 lets
# the pinned stable 1.95 toolchain use them, for this one build only (its own target dir).
# REPLYBY_STABLE_BUILD=1 builds with plain stable options instead, for comparison.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"
OPT=(-Oz --converge --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue)

if [ "${REPLYBY_STABLE_BUILD:-0}" = 1 ]; then
  cargo build -p replyby-widget --lib --release --target wasm32-unknown-unknown --locked -q
  WASM=target/wasm32-unknown-unknown/release/replyby_widget.wasm
else
  RUSTC_BOOTSTRAP=1 \
  RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none -Zfmt-debug=none" \
    cargo build -p replyby-widget --lib --release --target wasm32-unknown-unknown --locked -q \
      --target-dir target/size -Zbuild-std=std,panic_abort -Zbuild-std-features=optimize_for_size
  WASM=target/size/wasm32-unknown-unknown/release/replyby_widget.wasm
fi
rm -rf dist && mkdir -p dist
wasm-bindgen --target web --no-typescript --out-dir dist --out-name replyby-widget "$WASM"
wasm-opt "${OPT[@]}" dist/replyby-widget_bg.wasm -o dist/replyby-widget_bg.wasm
# wasm-bindgen's glue is readable JavaScript; ship it minified (exports keep their names).
esbuild dist/replyby-widget.js --minify --format=esm --log-level=warning --allow-overwrite --outfile=dist/replyby-widget.js
# embed.js ships minified too (its comments are for this repository's readers).
esbuild embed.js --minify --format=esm --log-level=warning --outfile=dist/embed.js
cp examples/acme.json dist/
# The holiday presets, one file each, beside embed.js: a widget fetches only those its config
# names (the wasm carries no preset data).
cargo run -p replyby-core --example export-presets --locked -q -- dist/presets
# Each language's sentences, fetched by embed.js beside the wasm for visitors who need them
# (English is compiled in).
mkdir -p dist/i18n && cp i18n/*.json dist/i18n/
# The demo page, without Trunk's directives (embed.js loads the module itself).
grep -v 'data-trunk' index.html > dist/index.html

# The config studio (dist/studio/): its wasm module (replyby check, presets, imports, quotes in
# the page) with plain stable options — its size does not count — and its page (studio/web/).
cargo build -p replyby-studio --lib --release --target wasm32-unknown-unknown --locked -q
mkdir -p dist/studio
wasm-bindgen --target web --no-typescript --out-dir dist/studio --out-name replyby-studio \
  target/wasm32-unknown-unknown/release/replyby_studio.wasm
wasm-opt "${OPT[@]}" dist/studio/replyby-studio_bg.wasm -o dist/studio/replyby-studio_bg.wasm
esbuild dist/studio/replyby-studio.js --minify --format=esm --log-level=warning --allow-overwrite --outfile=dist/studio/replyby-studio.js
if [ -d studio/web ]; then cp -r studio/web/. dist/studio/; fi

# The wasm, the scripts, the presets and the language files each get their brotli (quality 11)
# and gzip (level 9) beside them: `replyby serve --static-dir dist` sends those to browsers that
# accept them (as a static host that serves precompressed files would). Not the HTML pages or
# the example config, which people edit in place (a stale .br would be served instead of the
# edit). node's zlib, already needed for the size check, does both.
node -e '
const fs = require("fs"), path = require("path"), z = require("zlib");
const walk = (d) => fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]);
for (const f of walk("dist").filter((f) => /\.(wasm|js)$|\/(presets|i18n)\/[^/]+\.json$/.test(f))) {
  const b = fs.readFileSync(f);
  fs.writeFileSync(f + ".br", z.brotliCompressSync(b, { params: { [z.constants.BROTLI_PARAM_QUALITY]: 11, [z.constants.BROTLI_PARAM_SIZE_HINT]: b.length } }));
  fs.writeFileSync(f + ".gz", z.gzipSync(b, { level: 9 }));
}'

cargo build -p replyby-floor --release --target wasm32-unknown-unknown --locked -q
wasm-bindgen --target web --no-typescript --out-dir target/floor target/wasm32-unknown-unknown/release/replyby_floor.wasm
wasm-opt "${OPT[@]}" target/floor/replyby_floor_bg.wasm -o target/floor/replyby_floor_bg.wasm
echo "dist/: $(du -sh dist | cut -f1)"
