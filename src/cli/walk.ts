// Finding the images: files given by name are always tried; folders are walked
// recursively, in name order, and a file in them counts when its name ends in an image
// extension or its first bytes carry a PNG, JPEG or QOI signature. Every file's signature
// is read here, so that `--format same` knows each output's extension before any decoding.

import { open, readdir, realpath, stat } from 'node:fs/promises';
import { basename, join, relative, resolve } from 'node:path';
import { sniff, unknownSignature, type Format } from '../codecs/codecs.js';
import { headerHint, holdsWholeImage, workEstimate, type HeaderHint } from './work.js';

export interface InputFile {
  /** The path as the user's arguments spell it (joined with the folder's entries). */
  path: string;
  /** Where its thumbnail goes, below --out: the path inside its folder, or its name. */
  relative: string;
  /** Size in bytes (for the progress estimate). */
  size: number;
  /** The format its signature names; undefined when it has none. */
  format: Format | undefined;
  /** Its thumbnail's work, roughly, from its size and header (work.ts): the longest go first. */
  work: number;
  /** Its decode holds the whole image in memory (work.ts): few such jobs run side by side. */
  heavy: boolean;
  /** The file itself, whatever path leads to it ('device:inode'), so that no output replaces it. */
  id: string;
}

export interface WalkFailure {
  path: string;
  code: string;
  message: string;
}

const IMAGE_EXTENSIONS = /\.(jpe?g|png|qoi)$/i;

/** The format a file's name suggests. */
export function formatOfName(name: string): Format | undefined {
  const match = IMAGE_EXTENSIONS.exec(name);
  if (!match) return undefined;
  const extension = match[1]!.toLowerCase();
  return extension === 'png' ? 'png' : extension === 'qoi' ? 'qoi' : 'jpeg';
}

/** How much of each file is read here: its signature, and the header behind EXIF and ICC segments. */
const HEAD_BYTES = 64 * 1024;

/**
 * The format of a file's first bytes (undefined for a file too short, unreadable, or of
 * another kind), what its header says of the work to decode it, and how many bytes were
 * read (-1: the file could not be read; its job will say why).
 */
async function sniffFile(path: string): Promise<{ format: Format | undefined; hint: HeaderHint | undefined; bytesRead: number }> {
  let handle;
  try {
    handle = await open(path, 'r');
    const head = new Uint8Array(HEAD_BYTES);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const format = sniff(head.subarray(0, bytesRead));
    return { format, hint: headerHint(head.subarray(0, bytesRead), format), bytesRead };
  } catch {
    return { format: undefined, hint: undefined, bytesRead: -1 };
  } finally {
    await handle?.close();
  }
}

/** A FIFO or a device would be waited on, or read without end: it is reported, not read. */
function notAFile(path: string): WalkFailure {
  return { path, code: 'NOT_A_FILE', message: 'is not a regular file or a folder (a pipe, device or socket)' };
}

function failure(path: string, error: unknown): WalkFailure {
  const code = (error as { code?: unknown }).code;
  return { path, code: typeof code === 'string' ? code : 'ERROR', message: (error as Error).message };
}

/** What the walk found: the images, what failed, and what no thumbnail may overwrite. */
export interface Found {
  files: InputFile[];
  failures: WalkFailure[];
  /**
   * Every input file looked at, images or not (a file named like an image that is none, a
   * WebP named .jpg, is still the user's): its path and 'device:inode' ('' if unknown).
   */
  looked: Array<{ path: string; id: string }>;
  /** The folders walked (resolved paths). */
  folders: string[];
}

/**
 * The images under `inputs`, in argument order and name order within folders, and the
 * arguments that could not be read. `skip`: a folder never entered (the output folder).
 */
export async function findImages(inputs: string[], skip: string | undefined): Promise<Found> {
  const files: InputFile[] = [];
  const failures: WalkFailure[] = [];
  const looked: Found['looked'] = [];
  const folders: string[] = [];
  const skipReal = skip === undefined ? undefined : await realpath(skip).catch(() => resolve(skip));
  const seenFolders = new Set<string>();
  const seenFiles = new Set<string>();

  async function addFile(path: string, relativePath: string, explicit: boolean): Promise<void> {
    const real = await realpath(path).catch(() => resolve(path));
    if (seenFiles.has(real)) return;
    const { format, hint, bytesRead } = await sniffFile(path);
    if (!explicit && format === undefined && formatOfName(path) === undefined) return;
    seenFiles.add(real);
    const info = await stat(path).catch(() => undefined);
    looked.push({ path, id: info === undefined ? '' : `${info.dev}:${info.ino}` });
    if (format === undefined && bytesRead > 0) {
      // Read no further: the first bytes already say it is no image (a large file would be
      // read whole into the arena for nothing).
      const error = unknownSignature('probe');
      failures.push({ path, code: error.code, message: error.message });
      return;
    }
    const size = info?.size ?? 0;
    files.push({
      path, relative: relativePath, size, format, work: workEstimate(size, format ?? formatOfName(path), hint),
      heavy: holdsWholeImage(format ?? formatOfName(path), hint),
      id: info === undefined ? '' : `${info.dev}:${info.ino}`,
    });
  }

  async function walk(folder: string, root: string): Promise<void> {
    const real = await realpath(folder).catch(() => resolve(folder));
    if (real === skipReal || seenFolders.has(real)) return;
    seenFolders.add(real);
    folders.push(resolve(folder));
    let entries;
    try {
      entries = await readdir(folder, { withFileTypes: true });
    } catch (error) {
      failures.push(failure(folder, error));
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const path = join(folder, entry.name);
      let info;
      try {
        // Symbolic links are followed. A dangling one named like an image is reported, as a
        // file named like one that cannot be read is; others are skipped like any non-image.
        info = entry.isSymbolicLink() ? await stat(path) : entry;
      } catch (error) {
        if (formatOfName(path) !== undefined) failures.push(failure(path, error));
        continue;
      }
      if (info.isDirectory()) await walk(path, root);
      else if (info.isFile()) await addFile(path, relative(root, path), false);
      else if (formatOfName(path) !== undefined) failures.push(notAFile(path));
    }
  }

  for (const input of inputs) {
    let info;
    try {
      info = await stat(input);
    } catch (error) {
      failures.push(failure(input, error));
      continue;
    }
    if (info.isDirectory()) {
      const real = await realpath(input).catch(() => resolve(input));
      if (real === skipReal) {
        failures.push({ path: input, code: 'OUTPUT_FOLDER', message: 'is also the --out folder: thumbnails are written there, never read from it' });
      } else {
        await walk(input, input);
      }
    } else if (info.isFile()) {
      await addFile(input, basename(input), true);
    } else {
      failures.push(notAFile(input));
    }
  }
  return { files, failures, looked, folders };
}
