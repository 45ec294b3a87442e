// Treiber stacks of runs in shared memory (the block cache, the partial slabs).
//
// A node is a run's first page; its link is in the run's page map entry (word 1), never in
// the run's own bytes, so that nothing a user writes into a freed block can bend a stack.
// A head is one u64: the low 32 bits are the top node's page + 1 (0: empty), the high 32
// bits a tag that every successful push and pop increments. A pop that read head (A, t)
// and then lost A to another thread, which popped it, reused it and pushed it back, finds
// the head at (A, t+k) and its CAS fails: the tag is what defeats ABA.
//
// A pop reads the link of a node that another thread may already have popped and
// relinked; that read is harmless and the CAS that follows fails. The caller of a push or
// a pop records its outcome in its frame straight after the call returns: between the
// CAS that succeeds and the return there is no point where the thread can stop.

import { loadShared64, casShared64 } from "../shared/atomics";
import { runLink, runPages, setRunWord } from "./pages";

// @ts-ignore: decorator
@inline function nextHead(head: u64, top: u32): u64 {
  return (((head >> 32) + 1) << 32) | <u64>top;
}

/** Pushes the run starting at `page` (which the caller owns) onto the stack at `head`. */
export function pushRun(head: usize, page: u32): void {
  let pages = runPages(page);
  let seen = loadShared64(head);
  while (true) {
    setRunWord(page, pages, <u32>seen);
    let found = casShared64(head, seen, nextHead(seen, page + 1));
    if (found == seen) return;
    seen = found;
  }
}

/** Pushes an already linked chain of runs, first..last, in one step. */
export function pushChain(head: usize, first: u32, last: u32): void {
  let pages = runPages(last);
  let seen = loadShared64(head);
  while (true) {
    setRunWord(last, pages, <u32>seen);
    let found = casShared64(head, seen, nextHead(seen, first + 1));
    if (found == seen) return;
    seen = found;
  }
}

/** Pops the top run; returns its first page, or -1 when the stack is empty. */
export function popRun(head: usize): i32 {
  let seen = loadShared64(head);
  while (true) {
    let top = <u32>seen;
    if (top == 0) return -1;
    let next = runLink(top - 1);
    let found = casShared64(head, seen, nextHead(seen, next));
    if (found == seen) return <i32>(top - 1);
    seen = found;
  }
}

/** The top run's first page without popping it, or -1: a glance, without ordering (the pop that may follow decides). */
// @ts-ignore: decorator
@inline export function peekRun(head: usize): i32 {
  return <i32>(<u32>load<u64>(head)) - 1;
}
