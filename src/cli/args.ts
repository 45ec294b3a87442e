// The command line of `pixel-arena`, read with node:util's parseArgs and checked once:
// anything wrong is a UsageError (exit status 2) whose message says what and why.

import { parseArgs } from 'node:util';
import type { Format } from '../codecs/codecs.js';
import type { Filter } from '../kernels/resize.js';
import type { Fit } from '../thumbnail.js';
import { MAX_WORKERS } from '../pool/options.js';

export const USAGE = `Usage: pixel-arena thumbs <files or folders...> --out <dir> [options]

Makes a thumbnail of every JPEG, PNG and QOI image among the files and folders given.
Folders are walked recursively (images are recognised by their content); thumbnails
mirror the folders' relative paths under --out, with the output format's extension.

Options:
  --out <dir>            where the thumbnails go (required)
  --size <n>             the box the thumbnail fits, n × n pixels (default 256)
  --width <w> --height <h>
                         a box of another shape (instead of --size)
  --fit <mode>           inside (default): the whole picture within the box, never enlarged
                         cover: exactly the box, the centre cropped
                         fill: exactly the box, stretched
  --filter <name>        nearest, box, bilinear, hamming, bicubic or lanczos (default)
  --format <name>        same (default: as the input), jpeg, png or qoi
  --quality <1..100>     JPEG quality (default 80)
  --workers <n>          worker threads (default: one per core)
  --max-memory <size>    the memory images may use, e.g. 256M, 2G, 768Mi (default 512M);
                         when it is full, images wait for others to finish
  --json                 print one JSON report on stdout
  -h, --help             print this text
  -v, --version          print the version

Exit status: 0 when every image was made, 1 when some input failed, 2 for a usage error.
Example: pixel-arena thumbs photos --out thumbs --size 320 --format jpeg`;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface ThumbsOptions {
  inputs: string[];
  out: string;
  width: number;
  height: number;
  fit: Fit;
  filter: Filter;
  /** undefined: the input's own format. */
  format: Format | undefined;
  quality: number;
  workers: number | undefined;
  maxBytes: number;
  json: boolean;
}

export type Command =
  | { command: 'help' }
  | { command: 'version' }
  | ({ command: 'thumbs' } & ThumbsOptions);

const FITS: readonly Fit[] = ['inside', 'cover', 'fill'];
const FILTERS: readonly Filter[] = ['nearest', 'box', 'bilinear', 'hamming', 'bicubic', 'lanczos'];
const FORMATS = ['same', 'jpeg', 'png', 'qoi'] as const;
/** The arena's largest memory: 4 GiB less one wasm page. */
const MAX_BYTES = 2 ** 32 - 65536;
const MIN_BYTES = 16 * 2 ** 20;
const DEFAULT_BYTES = 512 * 2 ** 20;

function integer(name: string, text: string, min: number, max: number): number {
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}, not '${text}'`);
  }
  return Number(text);
}

function oneOf<T extends string>(name: string, text: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(text)) {
    throw new UsageError(`--${name} must be one of ${allowed.join(', ')}, not '${text}'`);
  }
  return text as T;
}

/** '512M', '2G', '1.5GiB', '512Mi', '300000000' (bytes); K, M and G are powers of 1024. */
export function parseSize(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(?:([KMG])(?:i?B|i)?|B)?$/i.exec(text.trim());
  if (!match) throw new UsageError(`--max-memory must be a size such as 512M or 2G, not '${text}'`);
  const unit = match[2]?.toUpperCase();
  const bytes = Math.round(Number(match[1]) * (unit === 'K' ? 2 ** 10 : unit === 'M' ? 2 ** 20 : unit === 'G' ? 2 ** 30 : 1));
  if (bytes < MIN_BYTES || bytes > MAX_BYTES) {
    throw new UsageError(`--max-memory must be from 16M to 4095M (4 GiB less 64 KiB), not '${text}'`);
  }
  return bytes;
}

export function parseCommand(argv: string[]): Command {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        out: { type: 'string', short: 'o' },
        size: { type: 'string' },
        width: { type: 'string' },
        height: { type: 'string' },
        fit: { type: 'string' },
        filter: { type: 'string' },
        format: { type: 'string' },
        quality: { type: 'string' },
        workers: { type: 'string' },
        'max-memory': { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return { command: 'help' };
  if (values.version) return { command: 'version' };
  const [command, ...inputs] = positionals;
  if (command === undefined) throw new UsageError('a command is needed: pixel-arena thumbs <files or folders...> --out <dir>');
  if (command !== 'thumbs') throw new UsageError(`unknown command '${command}' (the one command is 'thumbs')`);
  if (inputs.length === 0) throw new UsageError('thumbs needs at least one file or folder');
  if (values.out === undefined || values.out === '') throw new UsageError('thumbs needs --out <dir>, the folder the thumbnails go to');

  const side = 0x3fffffff;
  let width = 256, height = 256;
  if (values.size !== undefined) {
    if (values.width !== undefined || values.height !== undefined) throw new UsageError('give either --size or --width and --height, not both');
    width = height = integer('size', values.size, 1, side);
  } else if (values.width !== undefined || values.height !== undefined) {
    if (values.width === undefined || values.height === undefined) throw new UsageError('--width and --height go together (or use --size for a square box)');
    width = integer('width', values.width, 1, side);
    height = integer('height', values.height, 1, side);
  }
  const format = values.format === undefined ? 'same' : oneOf('format', values.format, FORMATS);
  return {
    command: 'thumbs',
    inputs,
    out: values.out,
    width,
    height,
    fit: values.fit === undefined ? 'inside' : oneOf('fit', values.fit, FITS),
    filter: values.filter === undefined ? 'lanczos' : oneOf('filter', values.filter, FILTERS),
    format: format === 'same' ? undefined : format,
    quality: values.quality === undefined ? 80 : integer('quality', values.quality, 1, 100),
    workers: values.workers === undefined ? undefined : integer('workers', values.workers, 1, MAX_WORKERS),
    maxBytes: values['max-memory'] === undefined ? DEFAULT_BYTES : parseSize(values['max-memory']),
    json: values.json === true,
  };
}
