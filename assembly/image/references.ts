// Reference records: who holds each reference to an image (see layout.ts).
//
// A record moves FREE → HELD (created by its holder) or FREE → SENT (shared by its
// holder), SENT → HELD (adopted by the receiver), and HELD/SENT → FREE (released by its
// holder, or reclaimed for a holder that died). Each move is one CAS on the record word,
// so a record is adopted or released at most once, whatever threads race for it.
//
// Free records wait on the free list of the slot that freed them; only that slot's owner
// touches the list. Record chunks are pages taken from the heap and never given back;
// they form a push-only list that reclaim walks.

import {
  REF_SIZE, REF_WORD, REF_IMAGE, REF_LINK, REFS_PER_CHUNK, CHUNK_NEXT, REF_FREE, REF_HELD, REF_SENT
} from "./layout";
import {
  ARENA_HEADER, HEADER_REF_CHUNKS, SLOT_REF_FREE, KIND_REFS, PAGE_SHIFT, RESULT_TAG,
  ERR_INVALID_HANDLE, ERR_DOUBLE_FREE
} from "../alloc/layout";
import { loadShared32, loadShared64, casShared32, casShared64, publish64 } from "../shared/atomics";
import {
  takePages, loadEntry, entryTag, entryKind, makeEntry, entryAddress, pageAddress, pageOf, inHeap
} from "../alloc/pages";
import { DEBUG, slotBase, attachmentIdHere, setResult, fail } from "../alloc/state";

// @ts-ignore: decorator
@inline function makeWord(state: u32, holder: u32, tag: u32): u64 {
  return (<u64>tag << 32) | (<u64>(holder & 0xFFFFFF) << 8) | <u64>state;
}
// @ts-ignore: decorator
@inline export function wordState(word: u64): u32 { return <u32>word & 0xFF; }
/** The attachment id of the holder. */
// @ts-ignore: decorator
@inline export function wordHolder(word: u64): u32 { return (<u32>word >> 8) & 0xFFFFFF; }
// @ts-ignore: decorator
@inline export function wordTag(word: u64): u32 { return <u32>(word >> 32); }

/** A new chunk of records on this slot's free list; false when no page is left. */
function growRecords(): bool {
  let page = takePages(1);
  if (page < 0) return false;
  let chunk = pageAddress(<u32>page);
  let tag = entryTag(loadEntry(<u32>page)) + 1;
  publish64(entryAddress(<u32>page), makeEntry(KIND_REFS, 1, tag));
  // Link records 1..255 privately, then publish the chunk.
  let freeHead = slotBase + SLOT_REF_FREE;
  let next = load<u32>(freeHead);
  for (let i = REFS_PER_CHUNK - 1; i >= 1; i--) {
    let record = chunk + (<usize>i * REF_SIZE);
    store<u64>(record + REF_WORD, makeWord(REF_FREE, 0, 0));
    store<u32>(record + REF_IMAGE, 0);
    store<u32>(record + REF_LINK, next);
    next = <u32>record;
  }
  store<u32>(freeHead, next);
  let head = ARENA_HEADER + HEADER_REF_CHUNKS;
  let seen = loadShared32(head);
  while (true) {
    store<u32>(chunk + CHUNK_NEXT, seen);
    let found = casShared32(head, seen, <u32>chunk);
    if (found == seen) break;
    seen = found;
  }
  return true;
}

/**
 * A new reference to `image` in `state`, held by this thread. Returns the record (0: no
 * memory) and its tag in RESULT_TAG. The caller has already counted the reference on the image.
 */
export function newReference(image: usize, state: u32): usize {
  let freeHead = slotBase + SLOT_REF_FREE;
  let record = <usize>load<u32>(freeHead);
  if (record == 0) {
    if (!growRecords()) return 0;
    record = <usize>load<u32>(freeHead);
  }
  store<u32>(freeHead, load<u32>(record + REF_LINK));
  let tag = wordTag(loadShared64(record + REF_WORD));
  if (DEBUG) assert(wordState(loadShared64(record + REF_WORD)) == REF_FREE, "free list held a live record");
  store<u32>(record + REF_IMAGE, <u32>image);
  publish64(record + REF_WORD, makeWord(state, attachmentIdHere(), tag));
  setResult(RESULT_TAG, tag);
  return record;
}

/** Puts a record this thread just freed on its free list. */
function recycle(record: usize): void {
  let freeHead = slotBase + SLOT_REF_FREE;
  store<u32>(record + REF_LINK, load<u32>(freeHead));
  store<u32>(freeHead, <u32>record);
}

/** The image a record names, if the record is in `state` with `tag` and held by `holder`; else 0. */
export function referencedImage(record: usize, tag: u32, state: u32, holder: u32): usize {
  let word = loadShared64(record + REF_WORD);
  if (wordTag(word) != tag || wordState(word) != state || wordHolder(word) != holder) return 0;
  return <usize>load<u32>(record + REF_IMAGE);
}

/** Is `record` the address of a record (inside a reference chunk)? */
export function isRecordAddress(record: usize): bool {
  if (!inHeap(record)) return false;
  let offset = record & ((<usize>1 << PAGE_SHIFT) - 1);
  if (offset == 0 || (offset & (REF_SIZE - 1)) != 0) return false;
  return entryKind(loadEntry(pageOf(record - offset))) == KIND_REFS;
}

/**
 * Moves a SENT record to HELD by this thread (adopt). Returns the image, or 0 with
 * ERR_INVALID_HANDLE when the record was already adopted, released or reclaimed.
 */
export function adoptReference(record: usize, tag: u32): usize {
  let at = record + REF_WORD;
  let word = loadShared64(at);
  while (true) {
    if (wordTag(word) != tag || wordState(word) != REF_SENT) { fail(ERR_INVALID_HANDLE); return 0; }
    let found = casShared64(at, word, makeWord(REF_HELD, attachmentIdHere(), tag));
    if (found == word) return <usize>load<u32>(record + REF_IMAGE);
    word = found;
  }
}

/**
 * Frees a record held by `holder` (this thread, or a dead one being reclaimed) in one of
 * the states in `states` (bit per state). Returns the image whose count must now drop,
 * or 0 with an error code set.
 */
export function dropReference(record: usize, tag: u32, holder: u32, states: u32): usize {
  if (DEBUG) assert(REF_HELD < 32 && REF_SENT < 32, "state bits");
  let at = record + REF_WORD;
  let word = loadShared64(at);
  while (true) {
    if (wordTag(word) != tag) { fail(ERR_DOUBLE_FREE); return 0; }
    let state = wordState(word);
    if (((1 << state) & states) == 0 || wordHolder(word) != holder) {
      fail(state == REF_FREE ? ERR_DOUBLE_FREE : ERR_INVALID_HANDLE);
      return 0;
    }
    let found = casShared64(at, word, makeWord(REF_FREE, 0, tag + 1));
    if (found == word) break;
    word = found;
  }
  let image = <usize>load<u32>(record + REF_IMAGE);
  recycle(record);
  return image;
}

/** The reference chunks, for reclaim and the heap walker. */
export function firstChunk(): usize {
  return <usize>loadShared32(ARENA_HEADER + HEADER_REF_CHUNKS);
}

export function nextChunk(chunk: usize): usize {
  return <usize>loadShared32(chunk + CHUNK_NEXT);
}

export function recordWord(record: usize): u64 {
  return loadShared64(record + REF_WORD);
}
