/**
 * The heap growth npm start sets (lib/local/heap.ts): the default, V8's own on 0, and a clear refusal naming the
 * variable for anything that is not a percent. The bench (phase e and q) measures what the setting does.
 */
import { HEAP_GROWING_PERCENT, tuneHeapGrowth } from '../../lib/local/heap';

it('sets the default when the variable is unset or empty, and the given percent otherwise', () => {
  expect(HEAP_GROWING_PERCENT).toBe(100);
  expect(tuneHeapGrowth(undefined)).toBe(100);
  expect(tuneHeapGrowth('')).toBe(100);
  expect(tuneHeapGrowth('150')).toBe(150);
  expect(tuneHeapGrowth(String(HEAP_GROWING_PERCENT))).toBe(HEAP_GROWING_PERCENT);
});

it("keeps V8's own growth on 0", () => {
  expect(tuneHeapGrowth('0')).toBeUndefined();
});

it.each(['abc', '-5', '12.5', '1001', ' 40x'])('refuses %p, naming the variable', (value) => {
  expect(() => tuneHeapGrowth(value)).toThrow(`SWITCHBOARD_HEAP_GROWING_PERCENT must be an integer from 0 to 1000, got '${value}'`);
});
