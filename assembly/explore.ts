// The explorer's extra entry (test/explore, scripts/build-explore.mjs), compiled beside
// index.ts into the explore cores only.

import { pointCountdown } from "./shared/atomics";

/** Sets how many schedule points this instance passes before it calls `schedulePoint`; returns the count it had. */
export function setPointCountdown(count: i32): i32 {
  let before = pointCountdown;
  pointCountdown = count;
  return before;
}
