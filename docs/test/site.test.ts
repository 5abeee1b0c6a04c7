// The built docs site in a real browser (Debian's chromium driven by playwright-core): the landing page,
// the sidebar's packages, search, an op page, and every internal link.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const dist = fileURLToPath(new URL('../.vitepress/dist/', import.meta.url));
const browserPath = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
// In CI the browser is installed by .ci/run and this test is mandatory; elsewhere it may be absent.
const skipReason = browserPath ? undefined : 'no chromium at /usr/bin/chromium (apt-get install chromium to run this test)';
if (!browserPath && process.env.CI) throw new Error('CI must run the docs browser test, but chromium is not installed');
if (!existsSync(join(dist, 'index.html'))) throw new Error('the docs site is not built: run npm run docs:build');

const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json', '.svg': 'image/svg+xml', '.woff2': 'font/woff2' };

let server: Server;
let base = '';
let browser: Browser;

function serve(): Promise<void> {
  server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    let file = join(dist, path);
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!existsSync(file) && existsSync(`${file}.html`)) file = `${file}.html`;
    if (!file.startsWith(dist) || !existsSync(file)) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    resolve();
  }));
}

async function open(path: string): Promise<Page> {
  const page = await browser.newPage();
  const response = await page.goto(base + path, { waitUntil: 'networkidle' });
  expect(response?.status(), path).toBe(200);
  return page;
}

describe.skipIf(skipReason !== undefined)(`docs site in a browser${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  beforeAll(async () => {
    await serve();
    browser = await chromium.launch({ executablePath: browserPath, args: ['--no-sandbox', '--disable-gpu'] });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    server?.close();
  });

  it('renders the landing page with the set-up commands', async () => {
    const page = await open('/');
    await expect(page.locator('h1').first().textContent()).resolves.toContain('mlxts');
    const text = await page.locator('body').textContent();
    expect(text).toContain('npm install');
    expect(text).toContain('npm test');
    await page.close();
  });

  it('the sidebar lists every package', async () => {
    const page = await open('/api/core/');
    const sidebar = (await page.locator('aside, .VPSidebar').first().textContent()) ?? '';
    for (const pkg of ['@mlxts/core', '@mlxts/fast', '@mlxts/linalg', '@mlxts/quant', '@mlxts/nn', '@mlxts/optimizers']) expect(sidebar).toContain(pkg);
    await page.close();
  });

  it('the training guide and the nn and optimizers pages render', async () => {
    for (const [path, text] of [
      ['/guide/training', 'nn.valueAndGrad(model'],
      ['/api/nn/', 'MultiHeadAttention'],
      ['/api/optimizers/', 'clipGradNorm'],
    ]) {
      const page = await open(path);
      expect((await page.locator('main').textContent()) ?? '', path).toContain(text);
      await page.close();
    }
  });

  it('search finds an op and opens its page, which shows the signature and an example', async () => {
    const page = await open('/');
    await page.locator('.DocSearch-Button, .VPNavBarSearchButton, button[aria-label="Search"]').first().click();
    const input = page.locator('input[type="search"], #localsearch-input, .search-input').first();
    await input.fill('takeAlongAxis');
    const result = page.locator('.result, [role="option"], .search-result').filter({ hasText: 'takeAlongAxis' }).first();
    await result.waitFor({ timeout: 10_000 });
    await result.click();
    await page.waitForURL(/takeAlongAxis/, { timeout: 10_000 });
    const main = (await page.locator('main').textContent()) ?? '';
    expect(main).toContain('function takeAlongAxis(a: ArrayLike, indices: ArrayLike, axis?: number');
    expect(main).toContain('mx.takeAlongAxis(mx.array([[10, 20], [30, 40]]), [[1], [0]], 1)');
    await page.close();
  });

  // Crawled over HTTP rather than page by page in the browser: VitePress prerenders every page, sidebar and
  // links included, and ~300 browser navigations take minutes on a small CI machine.
  it('no internal link is broken (every page crawled)', async () => {
    const seen = new Set<string>();
    const queue = ['/'];
    const broken: string[] = [];
    while (queue.length > 0) {
      const path = queue.shift()!;
      if (seen.has(path)) continue;
      seen.add(path);
      const response = await fetch(base + path);
      if (response.status !== 200) {
        broken.push(`${path} (${response.status})`);
        continue;
      }
      if (!path.endsWith('.html') && path !== '/' && !path.endsWith('/')) continue;
      const html = await response.text();
      for (const [, href] of html.matchAll(/<a\b[^>]*\bhref="([^"]+)"/g)) {
        const url = new URL(href.replaceAll('&amp;', '&'), base + path);
        if (url.origin !== base) continue;
        if (!seen.has(url.pathname)) queue.push(url.pathname);
      }
    }
    expect(broken).toEqual([]);
    expect(seen.size).toBeGreaterThan(60);
  }, 60_000);
});
