// Reference records: who holds each reference to an image (see layout.ts).
//
// A record moves FREE → HELD (created by its holder) or FREE → SENT (shared by its
// holder), SENT → HELD (adopted by the receiver), and HELD/SENT → FREE (released by its
// holder, or reclaimed for a holder that died). Each move is one CAS on the record word,
// so a record is adopted or released at most once, whatever threads race for it.
//
// Free records wait on the free list of the slot that freed them; only that slot's owner
// touches the list (or reclaim, standing in for it). Record chunks are pages taken from
// the heap and never given back; they form a push-only list that reclaim walks.

import {
  REF_SIZE, REF_WORD, REF_IMAGE, REF_LINK, REFS_PER_CHUNK, CHUNK_NEXT, REF_FREE, REF_HELD, REF_SENT,
  IMAGE_MAGIC, IMAGE_LIVE, IMAGE_MODE, IMAGE_WIDTH, IMAGE_HEIGHT
} from "./layout";
import {
  ARENA_HEADER, HEADER_REF_CHUNKS, SLOT_REF_FREE, KIND_REFS, PAGE_SHIFT, PAGE_SIZE, ERR_INVALID_HANDLE, ERR_DOUBLE_FREE, TAG_MASK
} from "../alloc/layout";
import { loadShared32, loadShared64, casShared32, casShared64, publish64 } from "../shared/atomics";
import { takePages, makeEntry, entryKind, entryAddress, pageAddress, pageOf, inHeap, loadEntry, setRunWord } from "../alloc/pages";
import { slotBase, slotIndex, fail, freshTag, noteShortfall } from "../alloc/state";
import { frameNext, frameOpen, frameClose, phase, setPhase, arg, setArg, OP_GROW_RECORDS } from "../alloc/frames";

// @ts-ignore: decorator
@inline export function makeWord(state: u32, holder: u32, tag: u64): u64 {
  return ((tag & TAG_MASK) << 16) | (<u64>(holder & 0xFF) << 8) | <u64>state;
}
// @ts-ignore: decorator
@inline export function wordState(word: u64): u32 { return <u32>word & 0xFF; }
/** The slot of the holder. */
// @ts-ignore: decorator
@inline export function wordHolder(word: u64): u32 { return (<u32>word >> 8) & 0xFF; }
// @ts-ignore: decorator
@inline export function wordTag(word: u64): u64 { return word >> 16; }

// ── growing the free list: OP_GROW_RECORDS ────────────────────────────────────────
//
//  args  0 chunk
const GROW_ARG_CHUNK: usize = 0;
/** Taking a page (a nested take; undone if it did not finish). */
const GROW_TAKING: u32 = 1;
/** Took page arg 0. */
const GROW_TAKEN: u32 = 2;
/** Its entry says REFS. */
const GROW_MARKED: u32 = 4;
/** Its records are on this slot's free list. */
const GROW_LINKED: u32 = 6;

/** A new chunk of records on this slot's free list; false when no page is left. */
function growRecords(): bool {
  let frame = frameNext();
  frameOpen(frame, OP_GROW_RECORDS);
  setPhase(frame, GROW_TAKING);
  let page = takePages(1, true, true);
  if (page < 0) { frameClose(frame); noteShortfall(PAGE_SIZE); return false; }
  setArg(frame, GROW_ARG_CHUNK, pageAddress(<u32>page));
  setPhase(frame, GROW_TAKEN);
  resumeGrowRecords(frame);
  return true;
}

export function resumeGrowRecords(frame: usize): void {
  if (phase(frame) == GROW_TAKING) { frameClose(frame); return; }
  let chunk = <usize>arg(frame, GROW_ARG_CHUNK);
  if (phase(frame) == GROW_TAKEN) {
    setRunWord(pageOf(chunk), 1, 0);
    publish64(entryAddress(pageOf(chunk)), makeEntry(KIND_REFS, freshTag()));
    setPhase(frame, GROW_MARKED);
  }
  if (phase(frame) == GROW_MARKED) {
    // Link records 1..255 privately (running this again is harmless), then hand them to
    // this slot's free list in one store.
    let freeHead = slotBase + SLOT_REF_FREE;
    let next = load<u32>(freeHead);
    for (let i = REFS_PER_CHUNK - 1; i >= 1; i--) {
      let record = chunk + (<usize>i * REF_SIZE);
      store<u64>(record + REF_WORD, 0);
      store<u32>(record + REF_IMAGE, 0);
      store<u32>(record + REF_LINK, next);
      next = <u32>record;
    }
    store<u32>(freeHead, next);
    setPhase(frame, GROW_LINKED);
  }
  let head = ARENA_HEADER + HEADER_REF_CHUNKS;
  let seen = loadShared32(head);
  while (true) {
    store<u32>(chunk + CHUNK_NEXT, seen);
    let found = casShared32(head, seen, <u32>chunk);
    if (found == seen) break;
    seen = found;
  }
  frameClose(frame);
}

/** Makes sure this slot's free list holds a record; false when no page is left (ARENA_FULL). */
export function ensureRecord(): bool {
  if (load<u32>(slotBase + SLOT_REF_FREE) != 0) return true;
  return growRecords();
}

/**
 * Takes a record from this slot's free list (which `ensureRecord` filled) for a new
 * reference to `image` in `state`, held by this thread. The record and its fresh tag go
 * to the caller's frame (args `recordArg`, `tagArg`) before anything else, so that one
 * taken but not yet published can be put back (`returnRecord`).
 */
export function takeRecord(frame: usize, recordArg: usize, tagArg: usize, image: usize, state: u32): usize {
  let freeHead = slotBase + SLOT_REF_FREE;
  let record = <usize>load<u32>(freeHead);
  let tag = freshTag();
  setArg(frame, recordArg, record);
  setArg(frame, tagArg, tag);
  store<u32>(freeHead, load<u32>(record + REF_LINK));
  store<u32>(record + REF_IMAGE, <u32>image);
  publish64(record + REF_WORD, makeWord(state, slotIndex, tag));
  return record;
}

/** Was the record a frame took published? (recovery) */
export function recordPublished(record: usize, state: u32, tag: u64): bool {
  return record != 0 && loadShared64(record + REF_WORD) == makeWord(state, slotIndex, tag);
}

/** Puts a record this thread freed, or took and never published, on its free list. */
export function returnRecord(record: usize): void {
  let freeHead = slotBase + SLOT_REF_FREE;
  store<u32>(record + REF_LINK, load<u32>(freeHead));
  store<u32>(freeHead, <u32>record);
}

/** The image a record names, if the record is in `state` with `tag` and held by `holder`; else 0. */
export function referencedImage(record: usize, tag: u64, state: u32, holder: u32): usize {
  let word = loadShared64(record + REF_WORD);
  if (word != makeWord(state, holder, tag)) return 0;
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
 * Moves a SENT record to HELD by this thread (adopt): one CAS, after which the record
 * names this slot. The handle's claims are verified first, not trusted: the image the
 * record names must be live with exactly `mode`, `width` and `height`. Returns the image,
 * or 0 with ERR_INVALID_HANDLE when the record was already adopted, released or
 * reclaimed, or the handle does not describe its image; then nothing has changed.
 */
export function adoptReference(record: usize, tag: u64, mode: u32, width: u32, height: u32): usize {
  let at = record + REF_WORD;
  let word = loadShared64(at);
  if (wordTag(word) != (tag & TAG_MASK) || wordState(word) != REF_SENT) { fail(ERR_INVALID_HANDLE); return 0; }
  let image = <usize>load<u32>(record + REF_IMAGE);
  // The header is read before the CAS: if the record moved meanwhile, what was read may be
  // anything, but then the CAS fails as well. If it succeeds, the record was this one
  // reference all along, so its image was live and its header (written once) is what we read.
  if (!inHeap(image) || loadShared32(image + IMAGE_MAGIC) != IMAGE_LIVE
    || <u32>load<u8>(image + IMAGE_MODE) != mode || load<u32>(image + IMAGE_WIDTH) != width
    || load<u32>(image + IMAGE_HEIGHT) != height) {
    fail(ERR_INVALID_HANDLE);
    return 0;
  }
  if (casShared64(at, word, makeWord(REF_HELD, slotIndex, tag)) != word) { fail(ERR_INVALID_HANDLE); return 0; }
  return image;
}

/**
 * Frees a record held by slot `holder` in one of the states in `states` (bit per state):
 * one CAS to FREE. Returns the image whose count must now drop (the caller records it
 * straight after the call returns), or 0 with an error code set.
 */
export function freeRecord(record: usize, tag: u64, holder: u32, states: u32): usize {
  let at = record + REF_WORD;
  let word = loadShared64(at);
  while (true) {
    if (wordTag(word) != (tag & TAG_MASK)) { fail(ERR_DOUBLE_FREE); return 0; }
    let state = wordState(word);
    if (((1 << state) & states) == 0 || wordHolder(word) != holder) {
      fail(state == REF_FREE ? ERR_DOUBLE_FREE : ERR_INVALID_HANDLE);
      return 0;
    }
    let found = casShared64(at, word, 0);
    if (found == word) break;
    word = found;
  }
  return <usize>load<u32>(record + REF_IMAGE);
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

/** Does any live record name slot `slot` as its holder? */
export function recordsName(slot: u32): bool {
  for (let chunk = firstChunk(); chunk != 0; chunk = nextChunk(chunk)) {
    for (let i: u32 = 1; i < REFS_PER_CHUNK; i++) {
      let word = recordWord(chunk + <usize>i * REF_SIZE);
      if (wordState(word) != REF_FREE && wordHolder(word) == slot) return true;
    }
  }
  return false;
}
