/**
 * How far V8 lets the engine's heaps grow past what they keep alive before a full collection. By default a heap may
 * grow to about four times its live set, so an engine that sends a long campaign (26 MB live in its consumer thread)
 * saw-tooths up to 110 MB, and its resident memory climbs by garbage that is collected late; nothing is retained
 * (heap snapshots agree). Measured with bench e on 2 cores, RSS growth over a campaign at 50/s:
 *   V8's own: 86 MB for 3,000 recipients;  100%: 41 MB for 3,000 and 31 MB for 10,000;  30%: 10 MB for 3,000.
 * 30% costs latency, though: full collections come so often that the HTTP thread's board read p99 went from 23 to
 * 43 ms (bench q), where 100% kept it at 18 ms. So 100%: twice the live set at most. The flag is process-wide: it
 * covers every thread, including the worker threads started after it is set.
 */
import { setFlagsFromString } from 'node:v8';

/** The default growth past the live set, in percent (`SWITCHBOARD_HEAP_GROWING_PERCENT`; 0 leaves V8's own). */
export const HEAP_GROWING_PERCENT = 100;

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
