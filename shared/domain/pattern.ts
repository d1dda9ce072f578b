/**
 * Routing regexes (`gotoif` with `matches`), evaluated by re2js: a linear-time engine with no backtracking, so a
 * pattern such as `^(a+)+$` costs the same on a hostile message as on a friendly one and cannot stall the inbound
 * consumer for other accounts. Patterns are checked when an admin writes them (RE2 syntax: no lookaround, no
 * backreferences) and compiled once per container; the text they run over is capped.
 */
import { RE2JS, RE2JSException } from 're2js';

/** Longest pattern an admin may write. */
export const MAX_PATTERN_LENGTH = 200;
/**
 * Largest compiled program (RE2 instructions) accepted. Linear time is O(program × input): `[a-z]{1,95}x` is short
 * but compiles to ~190 instructions, and bounded repetitions nest multiplicatively. This bound and the input cap
 * keep the worst accepted pattern to tens of milliseconds (`npm run bench` prints the figure).
 */
export const MAX_PROGRAM_SIZE = 200;
/** Characters of the matched value a pattern sees (longer text is cut, never rejected: the message is kept). */
export const MAX_MATCH_INPUT = 1000;

const compiled = new Map<string, RE2JS>();
const MAX_COMPILED = 500;

/** Why the pattern cannot be used, or undefined when it can. */
export function patternProblem(pattern: string): string | undefined {
  if (pattern.length > MAX_PATTERN_LENGTH) return `at most ${MAX_PATTERN_LENGTH} characters`;
  try {
    const size = compile(pattern).programSize();
    if (size > MAX_PROGRAM_SIZE) return `too complex: compiles to ${size} instructions, at most ${MAX_PROGRAM_SIZE} (fewer or smaller bounded repetitions)`;
    return undefined;
  } catch (error) {
    if (error instanceof RE2JSException) return `not a valid RE2 regular expression: ${error.message}`;
    throw error;
  }
}

function compile(pattern: string): RE2JS {
  let re = compiled.get(pattern);
  if (!re) {
    re = RE2JS.compile(pattern, RE2JS.CASE_INSENSITIVE);
    if (compiled.size >= MAX_COMPILED) compiled.delete(compiled.keys().next().value as string);
    compiled.set(pattern, re);
  }
  return re;
}

/** Whether the pattern occurs in the value (case-insensitive); a pattern that does not compile matches nothing. */
export function patternMatches(pattern: string, value: string): boolean {
  if (pattern.length > MAX_PATTERN_LENGTH) return false;
  let re: RE2JS;
  try {
    re = compile(pattern);
  } catch {
    return false;
  }
  // Written before the caps existed, or straight into the store: too costly to run, so it matches nothing.
  if (re.programSize() > MAX_PROGRAM_SIZE) return false;
  return re.matcher(value.length > MAX_MATCH_INPUT ? value.slice(0, MAX_MATCH_INPUT) : value).find();
}
