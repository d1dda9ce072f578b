/**
 * How far V8 lets the engine's heaps grow past what they keep alive before a full collection. By default a heap may
 * grow to about four times its live set, so an engine that sends a long campaign (26 MB live in its consumer thread)
 * saw-tooths up to 110 MB and its resident memory climbs by hundreds of MB of garbage that is collected late; nothing
 * is retained (heap snapshots agree). A growing factor of 1.3 keeps the same work within about 10 MB of its live set
 * for the same collection time. The flag is process-wide: it covers the worker threads started after it is set.
 */
import { setFlagsFromString } from 'node:v8';

/** The default growth past the live set, in percent (`SWITCHBOARD_HEAP_GROWING_PERCENT`; 0 leaves V8's own). */
export const HEAP_GROWING_PERCENT = 30;

/** Sets the growth once for this process; returns the percent set, or undefined when V8's own is kept. */
export function tuneHeapGrowth(value: string | undefined = process.env.SWITCHBOARD_HEAP_GROWING_PERCENT): number | undefined {
  const percent = value === undefined || value === '' ? HEAP_GROWING_PERCENT : Number(value);
  if (!Number.isInteger(percent) || percent < 0 || percent > 1000) {
    throw new Error(`SWITCHBOARD_HEAP_GROWING_PERCENT must be an integer from 0 to 1000, got '${value}'`);
  }
  if (percent === 0) return undefined;
  setFlagsFromString(`--heap-growing-percent=${percent}`);
  return percent;
}
