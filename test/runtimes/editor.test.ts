// The browser image editor of examples/browser, driven in Debian's Chromium through
// playwright-core as a user drives it, served by its own `npm run demo` server. In a
// cross-origin isolated page it opens a JPEG through the file input, resizes and blurs it
// on a pool of two workers, and saves PNG and JPEG files whose bytes must equal what the
// Node entry gives for the same operations; the canvas must show those pixels. Without
// isolation it must say that it works in one thread, and still give the same bytes (a
// PNG dropped on the page, turned, cropped, made gray). A screenshot of each page is left
// in out/test-artifacts/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Download, type Page } from 'playwright-core';
import { Arena, type Image } from '../../dist/node.js';
import { startServer } from '../../examples/browser/server.mjs';

const ROOT = new URL('../../', import.meta.url);
const ARTIFACTS = fileURLToPath(new URL('out/test-artifacts/', ROOT));
const JPEG = fileURLToPath(new URL('test/fixtures/thumbs/rocket.jpg', ROOT));
const PNG = fileURLToPath(new URL('test/fixtures/thumbs/coffee_RGBA_240x180.png', ROOT));
const hash = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

let browser: Browser;
let arena: Arena;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  arena = await Arena.create({ maxBytes: 128 << 20 });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
});

afterAll(async () => {
  await browser?.close();
  if (arena) {
    expect(arena.stats().imagesLive).toBe(0);
    arena.close();
  }
});

/** Opens the editor from a fresh server; waits until it is ready. */
async function openEditor(isolated: boolean, query = ''): Promise<{ page: Page; close: () => Promise<void>; errors: string[] }> {
  const server = await startServer({ port: 0, isolated });
  const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  page.on('console', (message) => { if (message.type() === 'error') errors.push(message.text()); });
  await page.goto(`${server.url}${query}`);
  await page.waitForSelector('body[data-state="idle"]');
  return { page, errors, close: async () => { await page.close(); await server.close(); } };
}

/** Clicks and waits until the step has finished; the message line must not be an error. */
async function act(page: Page, selector: string): Promise<string> {
  await page.click(selector);
  await page.waitForSelector('body[data-state="idle"]');
  const message = await page.textContent('#message');
  expect(await page.getAttribute('#message', 'class') ?? '', message ?? '').not.toContain('error');
  return message ?? '';
}

async function save(page: Page, format: 'png' | 'jpeg', quality?: number): Promise<{ name: string; bytes: Uint8Array }> {
  await page.selectOption('#save-format', format);
  if (quality !== undefined) await page.fill('#save-quality', String(quality));
  const [download] = await Promise.all([page.waitForEvent('download'), act(page, '#save')]) as [Download, string];
  return { name: download.suggestedFilename(), bytes: new Uint8Array(readFileSync(await download.path())) };
}

/** The canvas as RGBA, and the size it shows. */
async function canvasPixels(page: Page): Promise<{ width: number; height: number; rgba: string }> {
  const { width, height, data } = await page.evaluate(() => {
    const canvas = document.getElementById('canvas') as HTMLCanvasElement;
    const pixels = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    return { width: canvas.width, height: canvas.height, data: Array.from(pixels) };
  });
  return { width, height, rgba: hash(Uint8Array.from(data)) };
}

function rgbaHash(image: Image): string {
  const rgba = image.convert('RGBA');
  const pixels = rgba.toPixels();
  rgba.release();
  return hash(pixels);
}

/** Runs `steps` on a chain of images, releasing every intermediate; returns the last. */
function chain(first: Image, ...steps: Array<(image: Image) => Image>): Image {
  return steps.reduce((image, next) => {
    const result = next(image);
    image.release();
    return result;
  }, first);
}

const available = existsSync('/usr/bin/chromium') && existsSync(fileURLToPath(new URL('dist/web.js', ROOT)));

describe.runIf(available)('the browser image editor', () => {
  it('in a cross-origin isolated page: a JPEG resized and blurred on two workers, saved as Node makes it', async () => {
    const { page, close, errors } = await openEditor(true, '?workers=2');
    try {
      expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(true);
      expect(await page.textContent('#threads')).toBe("Cross-origin isolated: 2 workers share the arena's memory with this page.");
      expect(await page.textContent('#stat-workers')).toBe('2 (3 threads attached)');

      await page.setInputFiles('#file', JPEG);
      await page.waitForSelector('body[data-state="idle"]');
      expect(await page.textContent('#message')).toMatch(/^Opening rocket\.jpg: 640×427 RGB in \d+ ms on 2 workers\.$/);

      await page.fill('#resize-width', '320'); // keeps the aspect: 427 / 2 rounded
      expect(await page.inputValue('#resize-height')).toBe('214');
      await page.selectOption('#resize-filter', 'bicubic');
      expect(await act(page, '#resize')).toMatch(/^Resize: 320×214 RGB in \d+ ms on 2 workers\.$/);
      await page.fill('#blur-radius', '1.5');
      expect(await act(page, '#blur')).toMatch(/^Blur: 320×214 RGB in \d+ ms on 2 workers\.$/);

      const png = await save(page, 'png');
      expect(png.name).toBe('rocket-edited.png');

      // The same steps through the Node entry.
      const blurred = chain(arena.decode(new Uint8Array(readFileSync(JPEG)), { autoOrient: true }),
        (i) => i.resize(320, 214, { filter: 'bicubic' }), (i) => i.gaussianBlur(1.5));
      expect(hash(png.bytes), 'the saved PNG is the Node entry\'s').toBe(hash(blurred.encode('png')));
      expect(await canvasPixels(page)).toEqual({ width: 320, height: 214, rgba: rgbaHash(blurred) });

      // Undo goes back to the resized picture; the JPEG quality slider is the quality.
      expect(await act(page, '#undo')).toMatch(/^Undo: back to 320×214 RGB/);
      const jpeg = await save(page, 'jpeg', 40);
      expect(jpeg.name).toBe('rocket-edited.jpg');
      const resized = chain(arena.decode(new Uint8Array(readFileSync(JPEG)), { autoOrient: true }), (i) => i.resize(320, 214, { filter: 'bicubic' }));
      expect(hash(jpeg.bytes), 'the saved JPEG is the Node entry\'s').toBe(hash(resized.encode('jpeg', { quality: 40 })));
      expect(await canvasPixels(page)).toEqual({ width: 320, height: 214, rgba: rgbaHash(resized) });
      [blurred, resized].forEach((i) => i.release());

      // The arena holds the history (the decode and the resize) and nothing else.
      expect(await page.textContent('#stat-images')).toBe('2');
      await page.screenshot({ path: `${ARTIFACTS}browser-editor-isolated.png`, fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('in a page that is not isolated: says so, works in one thread, and gives the same bytes', async () => {
    const { page, close, errors } = await openEditor(false);
    try {
      expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(false);
      expect(await page.textContent('#threads')).toMatch(/^Not cross-origin isolated: no shared memory here, so everything runs in this one thread/);
      expect(await page.textContent('#stat-workers')).toBe('none: one thread');

      // Dropped on the page, as from a file manager.
      const bytes = readFileSync(PNG);
      const transfer = await page.evaluateHandle(({ data, name }) => {
        const dataTransfer = new DataTransfer();
        dataTransfer.items.add(new File([Uint8Array.from(data)], name, { type: 'image/png' }));
        return dataTransfer;
      }, { data: Array.from(bytes), name: 'coffee.png' });
      await page.dispatchEvent('#drop', 'drop', { dataTransfer: transfer });
      await page.waitForFunction(() => document.getElementById('message')!.textContent!.startsWith('Opening coffee.png: '));
      await page.waitForSelector('body[data-state="idle"]');
      expect(await page.textContent('#message')).toMatch(/^Opening coffee\.png: 240×180 RGBA in \d+ ms in one thread\.$/);

      expect(await act(page, '[data-transpose="rotate270"]')).toMatch(/^↻ 90°: 180×240 RGBA in \d+ ms in one thread\.$/);
      await page.fill('#crop-x', '20');
      await page.fill('#crop-y', '30');
      await page.fill('#crop-width', '100');
      await page.fill('#crop-height', '150');
      expect(await act(page, '#crop')).toMatch(/^Crop: 100×150 RGBA/);
      expect(await act(page, '#grayscale')).toMatch(/^Grayscale: 100×150 L/);
      const jpeg = await save(page, 'jpeg', 90);
      const png = await save(page, 'png');

      const gray = chain(arena.decode(new Uint8Array(bytes), { autoOrient: true }),
        (i) => i.transpose('rotate270'), (i) => i.crop([20, 30, 120, 180]), (i) => i.convert('L'));
      expect(hash(jpeg.bytes)).toBe(hash(gray.encode('jpeg', { quality: 90 })));
      expect(hash(png.bytes)).toBe(hash(gray.encode('png')));
      expect(await canvasPixels(page)).toEqual({ width: 100, height: 150, rgba: rgbaHash(gray) });
      gray.release();

      await page.screenshot({ path: `${ARTIFACTS}browser-editor-one-thread.png`, fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('reports a bad step on the page and carries on', async () => {
    const { page, close } = await openEditor(true, '?workers=2');
    try {
      await page.setInputFiles('#file', { name: 'broken.jpg', mimeType: 'image/jpeg', buffer: readFileSync(JPEG).subarray(0, 4000) });
      await page.waitForSelector('body[data-state="idle"]');
      expect(await page.textContent('#message')).toBe('Opening broken.jpg failed: DECODE_FAILED: decode(jpeg): the data is malformed or truncated');
      await page.setInputFiles('#file', JPEG);
      await page.waitForSelector('body[data-state="idle"]');
      await page.fill('#resize-width', '0');
      await page.click('#resize');
      await page.waitForSelector('body[data-state="idle"]');
      expect(await page.textContent('#message')).toMatch(/^Resize failed: INVALID_ARGUMENT: Expected integer between 1 and \d+ for width but received 0 of type number$/);
      expect(await page.textContent('#stat-images')).toBe('1');
    } finally {
      await close();
    }
  });
});
