/**
 * Ids. A stable ULID is the same every time it is made for the same thing (a redelivered queue message makes the
 * same auto-reply, so the sender sends it once) yet sorts by time with the other messages of its interaction.
 */
import { createHash } from 'node:crypto';
import { encodeTime } from 'ulid';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export function stableUlid(timeMs: number, seed: string): string {
  const digest = createHash('sha256').update(seed).digest();
  let random = '';
  for (let i = 0; i < 16; i++) random += CROCKFORD[(digest[i] ?? 0) % 32];
  return `${encodeTime(timeMs, 10)}${random}`;
}
