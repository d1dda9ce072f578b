/**
 * Scheduling priority for the engine's background work. On Linux a thread has its own nice value, set through its
 * thread id (what /proc/thread-self names), so a worker thread can run below the HTTP thread of the same process.
 * Best effort: where it cannot (another OS, a container that forbids it) the work runs at the usual priority.
 */
import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

function lower(id: number, nice: number): boolean {
  try {
    setPriority(id, Math.min(19, getPriority(id) + nice));
    return true;
  } catch {
    return false;
  }
}

/** Raises the calling thread's nice value by `nice` (never lowers it), by its Linux thread id: for a worker thread. */
export function lowerThisThread(nice: number): boolean {
  if (!(nice > 0) || process.platform !== 'linux') return false;
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    return Number.isInteger(tid) && tid > 0 && lower(tid, nice);
  } catch {
    return false;
  }
}
