// Shared harness: a widget origin serving dist/ (with CORS, as any CDN would), a host
// origin serving test pages, and Debian's Chromium driven by playwright-core.
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { chromium } from 'playwright-core';

const TYPES = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json', '.html': 'text/html', '.css': 'text/css' };

export async function serve(handler) {
  const server = http.createServer(handler);
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: server.address().port };
}

/** dist/ on its own origin. `requests` counts paths; `hold` can delay a path. */
export async function widgetOrigin(dist) {
  const requests = [];
  const { server, port } = await serve(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    requests.push(url.pathname);
    const file = path.join(dist, path.normalize(url.pathname).replace(/^\/+/, ''));
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream', 'access-control-allow-origin': '*', 'cache-control': 'no-store' });
      res.end(body);
    } catch {
      res.writeHead(404, { 'access-control-allow-origin': '*' });
      res.end('not found');
    }
  });
  return { server, base: `http://127.0.0.1:${port}/`, requests };
}

/** Host pages by path, on another origin (localhost vs 127.0.0.1). A page is its HTML, or
 *  `{ body, headers }` to send headers with it (a Content-Security-Policy, say). */
export async function hostOrigin(pages) {
  const { server, port } = await serve((req, res) => {
    const page = pages[new URL(req.url, 'http://x').pathname];
    if (page === undefined) { res.writeHead(404); res.end(); return; }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', ...(page.headers || {}) });
    res.end(page.body ?? page);
  });
  return { server, base: `http://localhost:${port}` };
}

export async function browser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

/** Text of every widget on the page, in document order, once all have rendered. */
export async function widgetTexts(page, count) {
  await page.waitForFunction((n) => {
    const hosts = [...document.querySelectorAll('[data-replyby-host]')];
    return hosts.length >= n && hosts.every((h) => h.shadowRoot?.querySelector('.replyby:not([aria-busy]) > :not(style):not(.loading)'));
  }, count, { timeout: 20000 });
  return page.evaluate(() => [...document.querySelectorAll('[data-replyby-host]')]
    .map((h) => h.shadowRoot.querySelector('.replyby').innerText));
}
