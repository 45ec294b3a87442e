// An ownership ledger kept outside the allocator, in its own SharedArrayBuffer, to catch
// a block handed to two owners at once whatever the allocator itself believes.
//
// pages:    Int32 per 4 KiB page of the memory: a page block's owner (low 16 bits), or a
//           count of small blocks on the page (multiples of 65536).
// granules: Uint16 per 64-byte granule: the owner of a small block's granules.
// Owners are 1-based worker numbers.

const PAGE = 4096;
const GRANULE = 64;
const SMALL_MAX = 2040;
const SMALL_UNIT = 65536;

export function createLedger(maxBytes) {
  return {
    pages: new SharedArrayBuffer((maxBytes / PAGE) * 4),
    granules: new SharedArrayBuffer((maxBytes / GRANULE) * 2),
  };
}

export class Ledger {
  constructor(buffers, owner) {
    this.pages = new Int32Array(buffers.pages);
    this.granules = new Uint16Array(buffers.granules);
    this.owner = owner;
    this.conflicts = [];
  }

  #conflict(what, block, found) {
    this.conflicts.push(`${what}: block ${block.ptr}+${block.size} (tag ${block.tag}) found owner ${found} (worker ${this.owner})`);
  }

  /** Records that this worker now owns `block`; reports a conflict if anyone else does. */
  claim(block) {
    if (block.size <= SMALL_MAX) {
      const page = Math.floor(block.ptr / PAGE);
      const before = Atomics.add(this.pages, page, SMALL_UNIT);
      if ((before & 0xffff) !== 0) this.#conflict('small block on a page block', block, before & 0xffff);
      const first = (block.ptr - 8) / GRANULE;
      const count = (block.size + 8) / GRANULE;
      for (let g = first; g < first + count; g++) {
        const found = Atomics.compareExchange(this.granules, g, 0, this.owner);
        if (found !== 0) this.#conflict('granule', block, found);
      }
    } else {
      const first = block.ptr / PAGE;
      for (let p = first; p < first + block.size / PAGE; p++) {
        const found = Atomics.compareExchange(this.pages, p, 0, this.owner);
        if (found !== 0) this.#conflict('page', block, found);
      }
    }
  }

  /** Gives `block` up (before freeing it); `owner` is who claimed it. */
  unclaim(block, owner = this.owner) {
    if (block.size <= SMALL_MAX) {
      const first = (block.ptr - 8) / GRANULE;
      const count = (block.size + 8) / GRANULE;
      for (let g = first; g < first + count; g++) {
        const found = Atomics.compareExchange(this.granules, g, owner, 0);
        if (found !== owner) this.#conflict('granule release', block, found);
      }
      Atomics.sub(this.pages, Math.floor(block.ptr / PAGE), SMALL_UNIT);
    } else {
      const first = block.ptr / PAGE;
      for (let p = first; p < first + block.size / PAGE; p++) {
        const found = Atomics.compareExchange(this.pages, p, owner, 0);
        if (found !== owner) this.#conflict('page release', block, found);
      }
    }
  }
}

/**
 * Ownership stamps written into a block's bytes: (owner, sequence) at the start of every
 * 4 KiB page and at the end; small blocks are stamped whole. A block handed to two owners
 * shows the other owner's stamp when it is checked.
 */
export function stamp(view, owner, sequence) {
  const words = new Int32Array(view.buffer, view.byteOffset, view.byteLength >> 2);
  if (view.byteLength <= SMALL_MAX) {
    for (let i = 0; i < words.length; i += 2) { words[i] = owner; words[i + 1] = sequence; }
    return;
  }
  for (let at = 0; at < words.length; at += PAGE / 4) { words[at] = owner; words[at + 1] = sequence; }
  words[words.length - 2] = owner;
  words[words.length - 1] = sequence;
}

/** True when the stamps are intact. */
export function stampIntact(view, owner, sequence) {
  const words = new Int32Array(view.buffer, view.byteOffset, view.byteLength >> 2);
  if (view.byteLength <= SMALL_MAX) {
    for (let i = 0; i < words.length; i += 2) if (words[i] !== owner || words[i + 1] !== sequence) return false;
    return true;
  }
  for (let at = 0; at < words.length; at += PAGE / 4) if (words[at] !== owner || words[at + 1] !== sequence) return false;
  return words[words.length - 2] === owner && words[words.length - 1] === sequence;
}
