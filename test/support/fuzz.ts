/**
 * Fuzzing helpers the provider tests share: mutations of a real fixture, and the rule every parse and verify must
 * keep whatever bytes arrive (a result of well-formed events, or an AppError; never another exception).
 */
import fc from 'fast-check';
import { AppError } from '../../shared/errors';
import type { NormalisedEvent } from '../../shared/providers/types';

// The same inputs on every run (CI must not turn red on the day a random draw finds an old bug); FUZZ_SEED=<n>
// explores others, and a failure prints the seed and path that reproduce it.
fc.configureGlobal({ seed: Number(process.env.FUZZ_SEED ?? 20261201) });

/** Byte flips, truncations and JSON values swapped for other types anywhere in the fixture. */
export function mutations(raw: string): fc.Arbitrary<Buffer> {
  const bytes = Buffer.from(raw);
  const flip = fc.tuple(fc.nat({ max: bytes.length - 1 }), fc.integer({ min: 1, max: 255 })).map(([i, x]) => {
    const copy = Buffer.from(bytes);
    copy[i] = (copy[i] ?? 0) ^ x;
    return copy;
  });
  const truncate = fc.nat({ max: bytes.length }).map((n) => bytes.subarray(0, n));
  const json: unknown = JSON.parse(raw);
  const paths: (string | number)[][] = [];
  const walk = (v: unknown, path: (string | number)[]) => {
    paths.push(path);
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i]));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
  };
  walk(json, []);
  const swap = fc.tuple(fc.constantFrom(...paths), fc.jsonValue()).map(([path, value]) => {
    if (path.length === 0) return Buffer.from(JSON.stringify(value));
    const copy = structuredClone(json) as Record<string | number, unknown>;
    let cur = copy;
    for (const key of path.slice(0, -1)) cur = cur[key] as Record<string | number, unknown>;
    cur[path[path.length - 1] as string | number] = value;
    return Buffer.from(JSON.stringify(copy));
  });
  return fc.oneof(flip, truncate, swap);
}

/** Runs a parse or verify: it may return events (each with an id, and a sender for messages) or throw an AppError. */
export function onlyAppErrors(fn: () => unknown): void {
  try {
    const events = fn();
    if (Array.isArray(events)) {
      for (const e of events as NormalisedEvent[]) {
        expect(e.providerMessageId.length).toBeGreaterThan(0);
        if (e.type === 'message') expect(e.from.length).toBeGreaterThan(0);
      }
    }
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
  }
}
