// The same allocator behind one global lock, as Pillow's arena finally was: a futex-style
// mutex in shared memory (Atomics.wait / notify) around every alloc and free.

export function createLock() {
  return new SharedArrayBuffer(4);
}

export class Locked {
  constructor(arena, lockBuffer) {
    this.arena = arena;
    this.word = new Int32Array(lockBuffer);
  }

  #lock() {
    const w = this.word;
    let c = Atomics.compareExchange(w, 0, 0, 1);
    if (c === 0) return;
    do {
      if (c === 2 || Atomics.compareExchange(w, 0, 1, 2) !== 0) Atomics.wait(w, 0, 2);
    } while ((c = Atomics.compareExchange(w, 0, 0, 2)) !== 0);
  }

  #unlock() {
    if (Atomics.sub(this.word, 0, 1) !== 1) {
      Atomics.store(this.word, 0, 0);
      Atomics.notify(this.word, 0, 1);
    }
  }

  alloc(bytes) {
    this.#lock();
    try { return this.arena.alloc(bytes); } finally { this.#unlock(); }
  }

  free(block) {
    this.#lock();
    try { this.arena.free(block); } finally { this.#unlock(); }
  }
}
