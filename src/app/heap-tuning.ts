/**
 * The process's heap policy (config HEAP_GROWING_PERCENT), applied at start by the entry point.
 * Set through `v8.setFlagsFromString`, not a command-line flag: a V8 that no longer knows the flag
 * ignores it instead of refusing to start.
 */
import { setFlagsFromString } from 'node:v8';

export function tuneHeap(growingPercent: number): void {
  if (growingPercent > 0) setFlagsFromString(`--heap-growing-percent=${Math.round(growingPercent)}`);
}
