// What the CLI says while it works, on stderr: a progress bar redrawn in place when stderr
// is a terminal (images done, megapixels per second, time left), one line per image
// otherwise; a failure is always a line of its own.

export interface ProgressCounts {
  done: number;
  failed: number;
  total: number;
  bytesDone: number;
  bytesTotal: number;
  /** Source pixels decoded so far. */
  pixels: number;
  seconds: number;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--';
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), rest = s % 60;
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${String(rest).padStart(2, '0')}` : `${m}:${String(rest).padStart(2, '0')}`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 2 ** 20) return `${(bytes / 2 ** 10).toFixed(1)} KiB`;
  if (bytes < 2 ** 30) return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  return `${(bytes / 2 ** 30).toFixed(2)} GiB`;
}

export function megapixelsPerSecond(pixels: number, seconds: number): number {
  return seconds > 0 ? pixels / 1e6 / seconds : 0;
}

export class Progress {
  readonly #stream: NodeJS.WriteStream;
  readonly #tty: boolean;
  #lastDraw = 0;
  #drawn = false;

  constructor(stream: NodeJS.WriteStream) {
    this.#stream = stream;
    this.#tty = stream.isTTY === true;
  }

  /** One image finished (a thumbnail written, or a failure). */
  update(counts: ProgressCounts, line: string, failed: boolean): void {
    if (failed || !this.#tty) {
      this.#clear();
      this.#stream.write(`${this.#tty ? '' : `[${counts.done + counts.failed}/${counts.total}] `}${line}\n`);
    }
    if (!this.#tty) return;
    const now = performance.now();
    if (failed || now - this.#lastDraw > 100 || counts.done + counts.failed === counts.total) this.#draw(counts, now);
  }

  #draw(counts: ProgressCounts, now: number): void {
    const finished = counts.done + counts.failed;
    const width = 24;
    const fraction = counts.bytesTotal > 0 ? counts.bytesDone / counts.bytesTotal : finished / Math.max(1, counts.total);
    const filled = Math.round(fraction * width);
    const rate = megapixelsPerSecond(counts.pixels, counts.seconds);
    const left = fraction > 0 ? (counts.seconds * (1 - fraction)) / fraction : Infinity;
    const text = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${finished}/${counts.total} images`
      + `${counts.failed ? `, ${counts.failed} failed` : ''}  ${rate.toFixed(1)} MP/s  ETA ${formatDuration(left)}`;
    const columns = this.#stream.columns || 80;
    this.#stream.write(`\r${text.slice(0, columns - 1)}\x1b[K`);
    this.#drawn = true;
    this.#lastDraw = now;
  }

  #clear(): void {
    if (this.#drawn) this.#stream.write('\r\x1b[K');
    this.#drawn = false;
  }

  /** Ends the bar's line before the summary. */
  finish(): void {
    if (this.#drawn) this.#stream.write('\n');
    this.#drawn = false;
  }
}
