/**
 * Routing regexes run on a linear-time engine: the catastrophic-backtracking pattern of the security review
 * (`^(a+)+$`, 5 s for a 31-character SMS on a backtracking engine) answers at once, invalid or unsupported
 * patterns are refused when written, and patterns and inputs are capped. The real timing is in `npm run bench`.
 */
import { settingsSchema } from '../../shared/admin/account-schema';
import { MAX_MATCH_INPUT, MAX_PATTERN_LENGTH, patternMatches, patternProblem } from '../../shared/domain/pattern';
import { conditionHolds, nextMove, type ConditionFacts, type RoutingStep } from '../../shared/domain/routing';

const facts = (text: string): ConditionFacts => ({ contact: { phone: '+393331234567' }, message: { text }, nowMs: Date.parse('2026-11-23T09:30:00Z') });
const redos = { kind: 'value' as const, field: 'message.text' as const, op: 'matches' as const, value: '^(a+)+$' };

describe('routing regexes', () => {
  it('routes a 31-character SMS through ^(a+)+$ in under 10 ms', () => {
    const hostile = `${'a'.repeat(30)}!`;
    const plan: RoutingStep[] = [
      { type: 'gotoif', condition: redos, then: 2 },
      { type: 'queue', queueId: 'Q1', timeoutSeconds: 10 },
      { type: 'close' },
    ];
    nextMove(plan, 0, facts('warm up the compiled pattern'));
    // The median of several runs: one slow run on a shared machine is the machine, not the engine.
    const runs = Array.from({ length: 7 }, () => {
      const started = performance.now();
      const move = nextMove(plan, 0, facts(hostile));
      const elapsed = performance.now() - started;
      expect(move).toMatchObject({ kind: 'queue' });
      return elapsed;
    }).sort((a, b) => a - b);
    expect(runs[3]).toBeLessThan(10);
  });

  it('keeps the meaning of a match: case-insensitive search anywhere in the value', () => {
    expect(conditionHolds(redos, facts('aaaa'))).toBe(true);
    expect(conditionHolds({ ...redos, value: 'refund|rimborso' }, facts('I want a REFUND now'))).toBe(true);
    expect(conditionHolds({ ...redos, value: '^\\d{3}$' }, facts('12a'))).toBe(false);
  });

  it('looks at the first MAX_MATCH_INPUT characters only, and never throws on a pattern that does not compile', () => {
    expect(patternMatches('b$', `${'a'.repeat(MAX_MATCH_INPUT)}b`)).toBe(false);
    expect(patternMatches('(?=x)', 'x')).toBe(false);
  });

  it('names what is wrong with an invalid, unsupported or over-long pattern', () => {
    expect(patternProblem('(')).toMatch(/not a valid RE2 regular expression/);
    expect(patternProblem('(a)\\1')).toMatch(/not a valid/);
    expect(patternProblem('(?=a)')).toMatch(/not a valid/);
    expect(patternProblem('a'.repeat(MAX_PATTERN_LENGTH + 1))).toMatch(/at most/);
    expect(patternProblem('[a-z]{1,150}x')).toMatch(/too complex/);
    expect(patternProblem('^(a+)+$')).toBeUndefined();
  });

  it('refuses an invalid pattern in the account settings, naming the field', () => {
    const result = settingsSchema.safeParse({ routing: [{ type: 'gotoif', condition: { ...redos, value: '([a-z]+' }, then: 0 }] });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual(['routing.0.condition.value']);
  });
});
