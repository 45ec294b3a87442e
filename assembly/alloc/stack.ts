// Treiber stacks in shared memory.
//
// A head is one u64: the low 32 bits address the top node, the high 32 bits are a tag
// that every successful push and pop increments. A pop that read head (A, t) and then
// lost A to another thread, which popped it, reused it and pushed it back, finds the head
// at (A, t+k) and its CAS fails: the tag is what defeats ABA.
//
// A node's link is a u32 at `linkOffset` inside the node. A pop reads the link of a node
// that another thread may already have popped and overwritten; that read is harmless (the
// memory stays mapped) and the CAS that follows fails.

import { loadShared64, casShared64, loadShared32, publish32 } from "../shared/atomics";
import { DEBUG } from "./state";

// @ts-ignore: decorator
@inline function nextHead(head: u64, top: usize): u64 {
  return (((head >> 32) + 1) << 32) | <u64>top;
}

/** Pushes `node` (any thread). */
export function pushNode(head: usize, node: usize, linkOffset: usize): void {
  if (DEBUG) assert(node != 0 && (head & 7) == 0, "bad stack push");
  let seen = loadShared64(head);
  while (true) {
    publish32(node + linkOffset, <u32>seen);
    let found = casShared64(head, seen, nextHead(seen, node));
    if (found == seen) return;
    seen = found;
  }
}

/** Pushes an already linked chain first..last in one step (any thread). */
export function pushChain(head: usize, first: usize, last: usize, linkOffset: usize): void {
  let seen = loadShared64(head);
  while (true) {
    publish32(last + linkOffset, <u32>seen);
    let found = casShared64(head, seen, nextHead(seen, first));
    if (found == seen) return;
    seen = found;
  }
}

/** Pops the top node, or returns 0 when empty (any thread). */
export function popNode(head: usize, linkOffset: usize): usize {
  let seen = loadShared64(head);
  while (true) {
    let top = <usize><u32>seen;
    if (top == 0) return 0;
    let next = <usize>loadShared32(top + linkOffset);
    let found = casShared64(head, seen, nextHead(seen, next));
    if (found == seen) return top;
    seen = found;
  }
}

/** Is the stack empty right now? */
// @ts-ignore: decorator
@inline export function stackEmpty(head: usize): bool {
  return <u32>loadShared64(head) == 0;
}
