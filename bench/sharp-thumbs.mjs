// Child process of bench/thumbs.mjs: sharp making the same thumbnails as `pixel-arena thumbs`
// (every JPEG of a folder, EXIF orientation applied, inside a 256×256 box, JPEG quality 80),
// with its libuv thread pool (UV_THREADPOOL_SIZE, set by the parent) as its only parallelism.
// Prints one JSON line: { files, maxRssBytes }.
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';

const [input, output] = process.argv.slice(2);
sharp.concurrency(1);
sharp.cache(false);
mkdirSync(output, { recursive: true });
const files = readdirSync(input).filter((name) => /\.jpe?g$/i.test(name)).sort();
await Promise.all(files.map((name) =>
  sharp(join(input, name)).rotate().resize(256, 256, { fit: 'inside' }).jpeg({ quality: 80 }).toFile(join(output, name))));
console.log(JSON.stringify({ files: files.length, maxRssBytes: process.resourceUsage().maxRSS * 1024 }));
