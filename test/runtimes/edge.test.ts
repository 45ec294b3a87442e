// The edge resizer of examples/edge in real workerd (the npm package): the server is
// started as its README says, on a free loopback port, and every answer to real HTTP
// requests is checked. Thumbnails are compared with Pillow's (test/goldens/thumbnail.json
// for the CLI's fixtures, test/goldens/edge.json for a 5120×2880 photo): PNG and QOI answers
// pixel for pixel through readers of our own, JPEG answers byte for byte with what Pillow's
// save(quality=80) writes. Bad input of every kind must answer 400, 413 or 415 with a JSON
// { code, message }, never 500, and leave the arena as it was.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { Arena } from '../../dist/node.js';
import { FIXTURES, firstDifference, loadThumbnailGoldens, readPng, sha256, type ThumbnailGolden } from '../helpers/thumbnails.js';
import { chunk, concat, SIGNATURE } from '../helpers/png-writer.js';
import { readQoi } from '../helpers/qoi-reader.js';
import { startWorkerd, workerdAvailable } from '../helpers/workerd.mjs';

const ROOT = new URL('../../', import.meta.url);
const BYTES_PER_PIXEL = { L: 1, LA: 2, RGB: 3, RGBA: 4 } as const;
const ARENA_BYTES = 96 * 1024 * 1024;
const BODY_LIMIT = 16 * 1024 * 1024;

const goldens = loadThumbnailGoldens();
const edge = JSON.parse(readFileSync(new URL('test/goldens/edge.json', ROOT), 'utf8'));

let server: Awaited<ReturnType<typeof startWorkerd>>;
let base = '';

interface Answer { status: number; type: string | null; headers: Headers; bytes: Uint8Array }

async function post(query: string, body: Uint8Array | string): Promise<Answer> {
  const response = await fetch(`${base}/?${query}`, { method: 'POST', body: body as BodyInit });
  return { status: response.status, type: response.headers.get('content-type'), headers: response.headers, bytes: new Uint8Array(await response.arrayBuffer()) };
}

/** The JSON error of an answer, with its status. */
function failureOf(answer: Answer): { status: number; code: string; message: string } {
  expect(answer.type, new TextDecoder().decode(answer.bytes)).toBe('application/json');
  const { code, message, ...rest } = JSON.parse(new TextDecoder().decode(answer.bytes));
  expect(rest).toEqual({});
  expect(typeof message).toBe('string');
  return { status: answer.status, code, message };
}

async function stats(): Promise<Record<string, any>> {
  const response = await fetch(`${base}/stats`);
  expect(response.status).toBe(200);
  return response.json();
}

/** Nothing held: every image and block the requests took is back (cached blocks aside). */
async function expectNothingHeld(): Promise<Record<string, any>> {
  const s = await stats();
  expect({ imagesLive: s.imagesLive, blocksInUse: s.blocksInUse, bytesInUse: s.bytesInUse, liveBlocks: s.heap.liveBlocks, liveImages: s.heap.liveImages })
    .toEqual({ imagesLive: 0, blocksInUse: 0, bytesInUse: 0, liveBlocks: 0, liveImages: 0 });
  expect(s.bytesMax).toBe(ARENA_BYTES);
  return s;
}

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(name, FIXTURES)));

function golden(input: string, fit: string, width: number, height: number, filter = 'lanczos'): ThumbnailGolden {
  const found = goldens.find((g) => g.input === input && g.fit === fit && g.width === width && g.height === height && g.filter === filter);
  if (!found) throw new Error(`no golden for ${input} ${fit} ${width}x${height} ${filter}`);
  return found;
}

/** An answer's pixels equal Pillow's thumbnail (PNG and QOI answers; QOI holds L as RGB). */
function expectPillowPixels(answer: Answer, format: 'png' | 'qoi', expected: ThumbnailGolden['output']): void {
  expect(answer.status, new TextDecoder().decode(answer.bytes.subarray(0, 300))).toBe(200);
  expect(answer.type).toBe(format === 'png' ? 'image/png' : 'image/qoi');
  expect([answer.headers.get('x-image-width'), answer.headers.get('x-image-height')]).toEqual([String(expected.width), String(expected.height)]);
  let pixels: Uint8Array;
  if (format === 'png') {
    const png = readPng(answer.bytes);
    expect({ mode: png.mode, width: png.width, height: png.height }).toEqual({ mode: expected.mode, width: expected.width, height: expected.height });
    pixels = png.pixels;
  } else {
    const qoi = readQoi(answer.bytes);
    expect({ channels: qoi.channels, width: qoi.width, height: qoi.height })
      .toEqual({ channels: expected.mode === 'RGBA' || expected.mode === 'LA' ? 4 : 3, width: expected.width, height: expected.height });
    pixels = qoi.pixels;
    if (expected.mode === 'L' || expected.mode === 'LA') throw new Error('compare gray QOI answers through RGB goldens');
  }
  if (expected.pixels) {
    expect(firstDifference(pixels, expected.pixels, expected.width, BYTES_PER_PIXEL[expected.mode])).toBe('equal');
  } else {
    expect(sha256(pixels)).toBe(expected.sha256);
  }
}

describe('the workerd entry (dist/workerd.js)', () => {
  it('takes the plain core as a module, never compiles one, never shares memory, has no pool', async () => {
    const edgeEntry = await import('../../dist/workerd.js');
    await expect(edgeEntry.Arena.create({ maxBytes: 8 << 20 })).rejects.toMatchObject({
      code: 'UNSUPPORTED',
      message: 'Arena.create(): this runtime cannot compile WebAssembly at run time: import the core (pixel-arena/pixel-arena.plain.wasm) as a module and pass it as options.module',
    });
    const module = await WebAssembly.compile(readFileSync(new URL('dist/pixel-arena.plain.wasm', ROOT)));
    await expect(edgeEntry.Arena.create({ module, shared: true })).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    const arena = await edgeEntry.Arena.create({ module, maxBytes: 8 << 20 });
    expect(arena.memory.buffer).toBeInstanceOf(ArrayBuffer);
    await expect(edgeEntry.Pool.create({ arena })).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    const image = arena.decode(fixture('thumbs/camera_L_201x151.png'));
    expect([image.mode, image.width, image.height]).toEqual(['L', 201, 151]);
    image.release();
    expect(arena.stats().imagesLive).toBe(0);
    arena.close();
  });
});

describe.runIf(workerdAvailable)('the edge resizer in workerd', () => {
  beforeAll(async () => {
    server = await startWorkerd();
    base = server.base;
  }, 30_000);
  afterAll(() => server?.stop());

  it('answers GET / with its usage', async () => {
    const response = await fetch(`${base}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    const text = await response.text();
    expect(text).toContain('POST /?w=W&h=H');
    expect(text).toContain('fit      inside (default)');
  });

  it('gives Pillow\'s thumbnails of JPEG and PNG files: PNG, JPEG and QOI answers', async () => {
    // fit inside 64×64 lanczos, the CLI's default: every fixture, as PNG (pixels) and as
    // JPEG (the bytes Pillow's save(quality=80) writes, alpha dropped).
    const inside = goldens.filter((g) => g.fit === 'inside' && g.width === 64 && g.height === 64 && g.filter === 'lanczos');
    expect(inside.length).toBe(18);
    for (const g of inside) {
      const body = fixture(g.input);
      expectPillowPixels(await post('w=64&h=64&format=png', body), 'png', g.output);
      const jpeg = await post('w=64&h=64&fit=inside&format=jpeg', body);
      expect(jpeg.status).toBe(200);
      expect(jpeg.type).toBe('image/jpeg');
      expect(sha256(jpeg.bytes), g.name).toBe(g.jpeg80);
    }
    // The input's format when none is asked: a JPEG answers JPEG, a PNG answers PNG.
    const rocket = golden('thumbs/rocket.jpg', 'inside', 64, 64);
    const same = await post('w=64&h=64', fixture('thumbs/rocket.jpg'));
    expect([same.type, sha256(same.bytes)]).toEqual(['image/jpeg', rocket.jpeg80]);
    expectPillowPixels(await post('w=64&h=64', fixture('thumbs/coffee_RGBA_240x180.png')), 'png',
      golden('thumbs/coffee_RGBA_240x180.png', 'inside', 64, 64).output);
    // Quality is Pillow's quality.
    const q80 = await post('w=64&h=64&quality=80', fixture('thumbs/rocket.jpg'));
    const q30 = await post('w=64&h=64&quality=30', fixture('thumbs/rocket.jpg'));
    expect(sha256(q80.bytes)).toBe(rocket.jpeg80);
    expect(q30.bytes.length).toBeLessThan(q80.bytes.length);
    // Other boxes, fits and filters; QOI answers of colour pictures.
    const cases: Array<[input: string, fit: string, w: number, h: number, filter: string, format: 'png' | 'qoi']> = [
      ['thumbs/rocket.jpg', 'inside', 256, 256, 'lanczos', 'qoi'],
      ['thumbs/rocket.jpg', 'inside', 32, 32, 'lanczos', 'png'],
      ['thumbs/coffee_orientation_6.jpg', 'inside', 96, 64, 'lanczos', 'qoi'],
      ['thumbs/coffee_orientation_8.jpg', 'inside', 17, 9, 'lanczos', 'png'],
      ['thumbs/astronaut_422_397x301.jpg', 'inside', 100, 100, 'lanczos', 'png'],
      ['thumbs/camera_gray_progressive.jpg', 'inside', 50, 50, 'lanczos', 'png'],
      ['thumbs/chelsea_palette_250x200.png', 'inside', 128, 128, 'lanczos', 'qoi'],
      ['thumbs/coffee_RGBA_240x180.png', 'inside', 100, 100, 'lanczos', 'qoi'],
      ['thumbs/camera_LA_201x151.png', 'inside', 20, 20, 'lanczos', 'png'],
      ['photos/chelsea.png', 'inside', 5000, 5000, 'lanczos', 'png'],
      ['thumbs/coffee_orientation_5.jpg', 'cover', 96, 40, 'lanczos', 'png'],
      ['thumbs/coffee_RGBA_240x180.png', 'fill', 40, 96, 'lanczos', 'png'],
      ['thumbs/chelsea_strip_451x23.jpg', 'cover', 120, 120, 'lanczos', 'qoi'],
      ['thumbs/rocket.jpg', 'inside', 30, 45, 'bicubic', 'png'],
      ['thumbs/camera_LA_201x151.png', 'cover', 48, 32, 'nearest', 'png'],
      ['photos/chelsea.png', 'fill', 33, 50, 'hamming', 'qoi'],
    ];
    for (const [input, fit, w, h, filter, format] of cases) {
      const g = golden(input, fit, w, h, filter);
      expectPillowPixels(await post(`w=${w}&h=${h}&fit=${fit}&filter=${filter}&format=${format}`, fixture(input)), format, g.output);
    }
    await expectNothingHeld();
  });

  it('thumbnails a 5120×2880 photo in its 96 MiB arena (decoded scaled), and refuses what cannot fit', async () => {
    // The photo, made again as make_edge_goldens.py made it with Pillow: the library's
    // decode, crop and quality-90 encode give Pillow's bytes, checked by the SHA-256.
    const arena = await Arena.create({ maxBytes: 256 << 20 });
    const source = arena.decode(new Uint8Array(readFileSync(new URL(edge.photo.source, ROOT))));
    const crop = source.crop(edge.photo.box);
    const photo = crop.encode('jpeg', { quality: edge.photo.quality });
    [source, crop].forEach((image) => image.release());
    arena.close();
    expect(sha256(photo), 'the 5120×2880 photo is the file Pillow wrote').toBe(edge.photo.sha256);

    for (const c of edge.cases) {
      const jpeg = await post(`w=${c.width}&h=${c.height}`, photo);
      expect(jpeg.status, new TextDecoder().decode(jpeg.bytes.subarray(0, 300))).toBe(200);
      expect([jpeg.type, sha256(jpeg.bytes)]).toEqual(['image/jpeg', c.jpeg80]);
      expectPillowPixels(await post(`w=${c.width}&h=${c.height}&format=png`, photo), 'png', c.output);
    }
    const after = await expectNothingHeld();
    // Scaled decodes only (the largest, draft 2, decodes 2560×1440): a full decode alone
    // would take 59 MB.
    expect(after.peakBytesInUse).toBeLessThan(48 << 20);

    // Undecodable here at full size: refused from the header, before anything is decoded.
    const before = await stats();
    for (const query of ['w=5120&h=2880', 'w=256&h=256&fit=cover', 'w=300&h=200&fit=fill']) {
      const refused = failureOf(await post(query, photo));
      expect(refused.status, query).toBe(413);
      expect(refused.code).toBe('LIMIT_EXCEEDED');
      expect(refused.message).toMatch(/^a 5120×2880 JPEG resized to \d+×\d+ needs about [\d.]+ MiB of memory, more than the 86\.4 MiB a request may take$/);
    }
    // No decode ran: one would have taken 59 MB, beyond the peak so far.
    const now = await expectNothingHeld();
    expect(now.peakBytesInUse).toBe(before.peakBytesInUse);
  });

  it('answers bad input with 400, 413 or 415 and a JSON error, never 500', async () => {
    const rocket = fixture('thumbs/rocket.jpg');
    const png = fixture('thumbs/camera_L_201x151.png');
    const corruptPng = png.slice();
    corruptPng[png.length - 40] = png[png.length - 40]! ^ 0x55; // inside the last IDAT: its CRC no longer matches
    const hugeJpeg = rocket.slice();
    let at = 2;
    while (!(hugeJpeg[at] === 0xff && hugeJpeg[at + 1]! >= 0xc0 && hugeJpeg[at + 1]! <= 0xc2)) at += 2 + ((hugeJpeg[at + 2]! << 8) | hugeJpeg[at + 3]!);
    hugeJpeg.set([0xea, 0x60, 0xea, 0x60], at + 5); // SOF: 60000×60000
    const ihdr = new Uint8Array(13);
    new DataView(ihdr.buffer).setUint32(0, 40_000);
    new DataView(ihdr.buffer).setUint32(4, 30_000);
    ihdr.set([8, 2, 0, 0, 0], 8);
    const hugePng = concat([SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', Uint8Array.of(0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01)), chunk('IEND', new Uint8Array(0))]);
    const text = (s: string) => new TextEncoder().encode(s);

    const cases: Array<[query: string, body: Uint8Array, status: number, code: string, message?: string | RegExp]> = [
      // parameters
      ['h=64', rocket, 400, 'INVALID_ARGUMENT', 'Expected integer between 1 and 8192 for w but received nothing'],
      ['w=64', rocket, 400, 'INVALID_ARGUMENT', 'Expected integer between 1 and 8192 for h but received nothing'],
      ['w=0&h=64', rocket, 400, 'INVALID_ARGUMENT', "Expected integer between 1 and 8192 for w but received '0' of type string"],
      ['w=1.5&h=64', rocket, 400, 'INVALID_ARGUMENT', "Expected integer between 1 and 8192 for w but received '1.5' of type string"],
      ['w=abc&h=64', rocket, 400, 'INVALID_ARGUMENT', "Expected integer between 1 and 8192 for w but received 'abc' of type string"],
      ['w=-5&h=64', rocket, 400, 'INVALID_ARGUMENT'],
      ['w=64&h=99999', rocket, 400, 'INVALID_ARGUMENT', "Expected integer between 1 and 8192 for h but received '99999' of type string"],
      ['w=64&h=1e3', rocket, 400, 'INVALID_ARGUMENT'],
      ['w=64&h=', rocket, 400, 'INVALID_ARGUMENT', "Expected integer between 1 and 8192 for h but received '' of type string"],
      ['w=64&h=64&fit=contain', rocket, 400, 'INVALID_ARGUMENT', "Expected one of 'inside', 'cover', 'fill' for fit but received 'contain' of type string"],
      ['w=64&h=64&format=webp', rocket, 400, 'INVALID_ARGUMENT', "Expected one of 'png', 'jpeg', 'qoi' for format but received 'webp' of type string"],
      ['w=64&h=64&format=jpg', rocket, 400, 'INVALID_ARGUMENT'],
      ['w=64&h=64&quality=0', rocket, 400, 'INVALID_ARGUMENT', "Expected integer between 1 and 100 for quality but received '0' of type string"],
      ['w=64&h=64&quality=101', rocket, 400, 'INVALID_ARGUMENT'],
      ['w=64&h=64&filter=cubic', rocket, 400, 'INVALID_ARGUMENT'],
      ['w=64&h=64&size=64', rocket, 400, 'INVALID_ARGUMENT', "Expected one of w, h, fit, format, quality, filter for query parameter but received 'size' of type string"],
      ['w=64&w=32&h=64', rocket, 400, 'INVALID_ARGUMENT', "Expected one value for w but received '64,32' of type string"],
      // bodies that are not images, or broken ones
      ['w=64&h=64', new Uint8Array(0), 400, 'DECODE_FAILED', 'probe: the data is empty'],
      ['w=64&h=64', text('hello, this is not a picture'), 400, 'DECODE_FAILED', 'probe: the data is not a PNG, JPEG or QOI file (unknown signature)'],
      ['w=64&h=64', rocket.subarray(0, rocket.length >> 1), 400, 'DECODE_FAILED'],
      ['w=64&h=64', rocket.subarray(0, 300), 400, 'DECODE_FAILED'],
      ['w=64&h=64&format=png', corruptPng, 400, 'DECODE_FAILED'],
      ['w=64&h=64', png.subarray(0, 60), 400, 'DECODE_FAILED'],
      ['w=64&h=64', Uint8Array.of(0xff, 0xd8, 0xff), 400, 'DECODE_FAILED'],
      // pictures too large for the arena, known from their header
      ['w=64&h=64', hugeJpeg, 413, 'LIMIT_EXCEEDED', /^a 60000×60000 JPEG resized to 64×64 needs about/],
      ['w=64&h=64', hugePng, 413, 'LIMIT_EXCEEDED', /^a 40000×30000 PNG resized to 64×48 needs about/],
      // formats this resizer recognises but does not read
      ['w=64&h=64', text('GIF89a\x01\x00\x01\x00\x80\x00\x00'), 415, 'UNSUPPORTED', 'the body is a GIF file: this resizer reads PNG, JPEG and QOI'],
      ['w=64&h=64', text('RIFF\x24\x00\x00\x00WEBPVP8 '), 415, 'UNSUPPORTED', 'the body is a WebP file: this resizer reads PNG, JPEG and QOI'],
      ['w=64&h=64', text('II*\x00\x08\x00\x00\x00'), 415, 'UNSUPPORTED'],
      ['w=64&h=64', text('\x00\x00\x00\x1cftypavif\x00\x00\x00\x00'), 415, 'UNSUPPORTED'],
      ['w=64&h=64', fixture('jpeg/corpus/lossless_sof3.jpg'), 415, 'UNSUPPORTED', 'decode(jpeg): the data is valid but uses a feature this library does not handle'],
      ['w=64&h=64', fixture('jpeg/corpus/precision_12.jpg'), 415, 'UNSUPPORTED'],
    ];
    for (const [query, body, status, code, message] of cases) {
      const failure = failureOf(await post(query, body));
      expect({ query, status: failure.status, code: failure.code }).toEqual({ query, status, code });
      if (typeof message === 'string') expect(failure.message).toBe(message);
      else if (message) expect(failure.message).toMatch(message);
    }
    // Other methods and paths.
    const put = await fetch(`${base}/?w=64&h=64`, { method: 'PUT', body: rocket });
    expect([put.status, put.headers.get('allow'), (await put.json()).code]).toEqual([405, 'GET, HEAD, POST', 'METHOD_NOT_ALLOWED']);
    const missing = await fetch(`${base}/thumbnail?w=64&h=64`, { method: 'POST', body: rocket });
    expect([missing.status, (await missing.json()).code]).toEqual([404, 'NOT_FOUND']);
    await expectNothingHeld();
    // The isolate lives on and still answers.
    expect(sha256((await post('w=64&h=64', rocket)).bytes)).toBe(golden('thumbs/rocket.jpg', 'inside', 64, 64).jpeg80);
  });

  it('refuses a body over 16 MiB before reading it all: declared, or streamed without a length', async () => {
    // The answer may come while the client still sends, so the client stops writing at the
    // limit (as a client whose upload was refused would) and reads the answer.
    const declared = await rawPost({ 'content-length': String(BODY_LIMIT + 1) }, 0);
    expect(declared.status).toBe(413);
    expect(JSON.parse(declared.body)).toEqual({ code: 'LIMIT_EXCEEDED', message: `the body has ${BODY_LIMIT + 1} bytes, more than the ${BODY_LIMIT} accepted` });
    const streamed = await rawPost({ 'transfer-encoding': 'chunked' }, BODY_LIMIT + 65536);
    expect(streamed.status).toBe(413);
    expect(JSON.parse(streamed.body)).toEqual({ code: 'LIMIT_EXCEEDED', message: `the body has more than ${BODY_LIMIT} bytes, more than the ${BODY_LIMIT} accepted` });
    // Exactly at the limit is read (and is no picture).
    const full = failureOf(await post('w=64&h=64', new Uint8Array(BODY_LIMIT)));
    expect([full.status, full.code]).toEqual([400, 'DECODE_FAILED']);
    await expectNothingHeld();
  });

  it('serves 16 concurrent requests from its one arena, each answer right', async () => {
    const kinds: Array<() => Promise<void>> = [
      async () => { // JPEG thumbnails byte for byte
        const g = golden('thumbs/coffee_orientation_6.jpg', 'inside', 64, 64);
        const a = await post('w=64&h=64', fixture(g.input));
        expect([a.status, sha256(a.bytes)]).toEqual([200, g.jpeg80]);
      },
      async () => {
        const g = golden('photos/chelsea.png', 'inside', 256, 256);
        expectPillowPixels(await post('w=256&h=256&format=png', fixture(g.input)), 'png', g.output);
      },
      async () => {
        const g = golden('thumbs/rocket.jpg', 'cover', 96, 40);
        expectPillowPixels(await post('w=96&h=40&fit=cover&format=qoi', fixture(g.input)), 'qoi', g.output);
      },
      async () => { // a bad one among them
        const f = failureOf(await post('w=64&h=64', fixture('thumbs/rocket.jpg').subarray(0, 20000)));
        expect([f.status, f.code]).toEqual([400, 'DECODE_FAILED']);
      },
    ];
    await Promise.all(Array.from({ length: 16 }, (_, i) => kinds[i % kinds.length]!()));
    const s = await expectNothingHeld();
    // One isolate served everything: its counters never restarted.
    expect(s.allocated).toBeGreaterThan(100);
    expect(server.child.exitCode).toBe(null);
    expect(server.log()).not.toMatch(/uncaught|exception/i);
  });
});

/** A POST with raw headers that writes `bodyBytes` zero bytes at most, then waits for the answer. */
function rawPost(headers: Record<string, string>, bodyBytes: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const url = new URL(`${base}/?w=64&h=64`);
    const req = httpRequest({ host: url.hostname, port: url.port, path: `${url.pathname}${url.search}`, method: 'POST', headers });
    req.on('response', (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (data) => { body += data; });
      response.on('end', () => {
        resolve({ status: response.statusCode!, body });
        req.destroy();
      });
    });
    req.on('error', (error) => { if (!req.destroyed) reject(error); });
    const piece = new Uint8Array(65536);
    let sent = 0;
    const write = () => {
      while (sent < bodyBytes) {
        sent += piece.length;
        if (!req.write(piece)) {
          req.once('drain', write);
          return;
        }
      }
    };
    req.flushHeaders();
    write();
  });
}
