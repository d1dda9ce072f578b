/**
 * Ids. A stable ULID is the same every time it is made for the same thing (a redelivered queue message makes the
 * same auto-reply, so the sender sends it once) yet sorts by time with the other messages of its interaction.
 */
import { createHash, randomFillSync } from 'node:crypto';
import { encodeTime, monotonicFactory as ulidMonotonicFactory, ulid as ulidOf } from 'ulid';

/**
 * The random part of every ULID, from the operating system's CSPRNG through a pooled buffer. ulid's own PRNG makes a
 * getRandomValues call per character, 16 per id (and looks the PRNG up again on every call): at intake that was 3.6%
 * of the consumer thread's CPU. A byte over 256 keeps ulid's characters uniform (256 is a multiple of 32).
 */
const pool = new Uint8Array(4096);
let drawn = pool.length;

export function randomFraction(): number {
  if (drawn >= pool.length) {
    randomFillSync(pool);
    drawn = 0;
  }
  return pool[drawn++]! / 256;
}

/** A ULID for now (or `seedTime`, epoch ms). Use this, not ulid's own `ulid` (see randomFraction). */
export const ulid = (seedTime?: number): string => ulidOf(seedTime, randomFraction);

/** ulid's monotonic factory on the pooled PRNG: ids of one millisecond still sort in the order they were made. */
export const monotonicFactory = () => ulidMonotonicFactory(randomFraction);

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export function stableUlid(timeMs: number, seed: string): string {
  const digest = createHash('sha256').update(seed).digest();
  let random = '';
  for (let i = 0; i < 16; i++) random += CROCKFORD[(digest[i] ?? 0) % 32];
  return `${encodeTime(timeMs, 10)}${random}`;
}
