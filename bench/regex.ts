/**
 * Bench phase g: routing time for the worst regex that validation accepts. No engine: the cost is the pure
 * condition (shared/domain/pattern.ts), which runs on the inbound consumer for every new interaction of an account
 * whose plan has a `matches` step, so its worst case is a stall of that consumer. Measured with the patterns that
 * cost most per character among those accepted (nested and bounded repetitions near the program-size cap), on an
 * input of the capped length that never matches (the slowest case), plus the security review's `^(a+)+$` on a
 * 31-character SMS. `npx tsx bench/regex.ts` runs it alone.
 */
import { MAX_MATCH_INPUT, patternMatches, patternProblem } from '../shared/domain/pattern';

export interface RegexFigure {
  worstPattern: string;
  worstP50Ms: number;
  worstP99Ms: number;
  redosSmsP99Ms: number;
}

const HEAVY = ['^(a+)+$', '(a|aa)*b', '(.*a){5}$', '(\\w+\\s?)*$', '(a{1,10}){1,5}b', '(.{0,20}a){3}x', '([a-z]{1,9}){1,9}!x', '[a-z]{1,95}x', '(?:a*){30}b', '(.{0,90}a)x'];

function time(pattern: string, input: string, runs: number): number[] {
  patternMatches(pattern, input); // compile outside the measurement, as the per-container cache does
  return Array.from({ length: runs }, () => {
    const started = performance.now();
    patternMatches(pattern, input);
    return performance.now() - started;
  }).sort((a, b) => a - b);
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;

export function measureRegex(quick = false): RegexFigure {
  const runs = quick ? 10 : 50;
  const accepted = HEAVY.filter((p) => patternProblem(p) === undefined);
  const hostile = `${'a'.repeat(MAX_MATCH_INPUT - 1)}!`;
  let worst = { pattern: '', p50: 0, p99: 0 };
  for (const pattern of accepted) {
    const sorted = time(pattern, hostile, runs);
    const p50 = pct(sorted, 50);
    if (p50 > worst.p50) worst = { pattern, p50, p99: pct(sorted, 99) };
  }
  const sms = time('^(a+)+$', `${'a'.repeat(30)}!`, runs * 4);
  return { worstPattern: worst.pattern, worstP50Ms: worst.p50, worstP99Ms: worst.p99, redosSmsP99Ms: pct(sms, 99) };
}

if (require.main === module) {
  const f = measureRegex(process.argv.includes('--quick'));
  console.log(`worst accepted regex ${f.worstPattern} on ${MAX_MATCH_INPUT} characters: p50 ${f.worstP50Ms.toFixed(2)} ms, p99 ${f.worstP99Ms.toFixed(2)} ms`);
  console.log(`^(a+)+$ on a 31-character SMS: p99 ${f.redosSmsP99Ms.toFixed(3)} ms`);
}
