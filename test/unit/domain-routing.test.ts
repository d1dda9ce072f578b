import { chooseAgents, conditionHolds, localTime, nextMove, type ConditionFacts, type RoutingStep } from '../../shared/domain/routing';
import { renderNotification } from '../../shared/domain/notification';
import { DEFAULT_NOTIFICATION_TEMPLATE } from '../../shared/admin/account-schema';

const facts = (overrides: Partial<ConditionFacts> = {}): ConditionFacts => ({
  contact: { phone: '+393331234567', firstName: 'Ada', listId: 'L1' },
  message: { text: 'I need a refund' },
  nowMs: Date.parse('2026-11-23T09:30:00Z'), // a Monday, 10:30 in Rome
  ...overrides,
});

describe('working-hours conditions', () => {
  const officeHours = { kind: 'time' as const, timezone: 'Europe/Rome', intervals: [{ days: [1, 2, 3, 4, 5], from: '09:00', to: '18:00' }] };

  it('reads the weekday and time in the condition time zone, not UTC', () => {
    expect(localTime(Date.parse('2026-11-23T23:30:00Z'), 'Europe/Rome')).toEqual({ day: 2, minutes: 30 });
  });

  it('holds inside the interval and not outside it', () => {
    expect(conditionHolds(officeHours, facts())).toBe(true);
    expect(conditionHolds(officeHours, facts({ nowMs: Date.parse('2026-11-23T17:30:00Z') }))).toBe(false); // 18:30 Rome
    expect(conditionHolds(officeHours, facts({ nowMs: Date.parse('2026-11-22T09:30:00Z') }))).toBe(false); // Sunday
  });

  it('treats an interval ending before it starts as running past midnight from its start day', () => {
    const night = { kind: 'time' as const, timezone: 'UTC', intervals: [{ days: [5], from: '22:00', to: '06:00' }] };
    expect(conditionHolds(night, facts({ nowMs: Date.parse('2026-11-27T23:00:00Z') }))).toBe(true); // Friday 23:00
    expect(conditionHolds(night, facts({ nowMs: Date.parse('2026-11-28T05:59:00Z') }))).toBe(true); // Saturday 05:59
    expect(conditionHolds(night, facts({ nowMs: Date.parse('2026-11-28T06:00:00Z') }))).toBe(false);
    expect(conditionHolds(night, facts({ nowMs: Date.parse('2026-11-26T23:00:00Z') }))).toBe(false); // Thursday
  });
});

describe('value conditions', () => {
  it.each([
    ['message.text', 'contains', 'REFUND', true],
    ['message.text', 'startsWith', 'i need', true],
    ['contact.firstName', 'equals', 'ada', true],
    ['contact.firstName', 'notEquals', 'ada', false],
    ['contact.listId', 'equals', 'L2', false],
    ['contact.email', 'empty', undefined, true],
    ['contact.phone', 'matches', '^\\+39', true],
    ['contact.phone', 'matches', '([', false],
  ] as const)('%s %s %s is %s', (field, op, value, expected) => {
    expect(conditionHolds({ kind: 'value', field, op, ...(value !== undefined ? { value } : {}) }, facts())).toBe(expected);
  });
});

describe('the plan', () => {
  const plan: RoutingStep[] = [
    { type: 'gotoif', condition: { kind: 'value', field: 'message.text', op: 'contains', value: 'refund' }, then: 2, else: 1 },
    { type: 'queue', queueId: 'general', timeoutSeconds: 30 },
    { type: 'queue', queueId: 'billing', timeoutSeconds: 20 },
    { type: 'autoreply', text: 'We are closed' },
    { type: 'close', disposition: 'No agents' },
  ];

  it('follows a gotoif to the step its condition picks', () => {
    expect(nextMove(plan, 0, facts())).toEqual({ kind: 'queue', step: 2, queueId: 'billing', timeoutSeconds: 20 });
    expect(nextMove(plan, 0, facts({ message: { text: 'hello' } }))).toEqual({ kind: 'queue', step: 1, queueId: 'general', timeoutSeconds: 30 });
  });

  it('moves on after a timeout to the following steps and ends past the last', () => {
    expect(nextMove(plan, 3, facts())).toEqual({ kind: 'autoreply', step: 3, text: 'We are closed' });
    expect(nextMove(plan, 4, facts())).toEqual({ kind: 'close', step: 4, disposition: 'No agents' });
    expect(nextMove(plan, 5, facts())).toEqual({ kind: 'end', step: 5 });
  });

  it('cuts a loop of gotoifs instead of spinning', () => {
    const loop: RoutingStep[] = [{ type: 'gotoif', condition: { kind: 'value', field: 'message.text', op: 'notEmpty' }, then: 0 }];
    expect(nextMove(loop, 0, facts()).kind).toBe('end');
  });
});

describe('queue strategies', () => {
  const candidates = [
    { agentId: 'b', lastAssignedAt: '2026-11-23T09:00:00Z', handledCount: 3 },
    { agentId: 'a', lastAssignedAt: '2026-11-23T09:10:00Z', handledCount: 1 },
    { agentId: 'c', handledCount: 5 },
  ];

  it('ring-all offers to every online member', () => {
    expect(chooseAgents('ring-all', candidates)).toEqual(['a', 'b', 'c']);
  });

  it('round-robin takes the member after the last one served, wrapping around', () => {
    expect(chooseAgents('round-robin', candidates)).toEqual(['a']);
    expect(chooseAgents('round-robin', candidates, 'a')).toEqual(['b']);
    expect(chooseAgents('round-robin', candidates, 'c')).toEqual(['a']);
  });

  it('least-recent takes the member idle longest (never assigned first)', () => {
    expect(chooseAgents('least-recent', candidates)).toEqual(['c']);
  });

  it('fewest-handled takes the member with the fewest interactions', () => {
    expect(chooseAgents('fewest-handled', candidates)).toEqual(['a']);
  });

  it('offers to nobody when nobody is online', () => {
    expect(chooseAgents('ring-all', [])).toEqual([]);
  });
});

describe('notification text', () => {
  const base = { account: { id: 'A', name: 'Support', key: 'SUP', channel: 'whatsapp' }, contact: { mobile: '+393331234567' } };

  it('shows the queue section only when there is a queue', () => {
    expect(renderNotification(DEFAULT_NOTIFICATION_TEMPLATE, { ...base, queue: { id: 'q', name: 'Billing' } })).toBe(
      'Account: Support\nQueue: Billing\nFrom: +393331234567',
    );
    expect(renderNotification(DEFAULT_NOTIFICATION_TEMPLATE, base)).toBe('Account: Support\nFrom: +393331234567');
  });

  it('does not HTML-escape what it renders', () => {
    expect(renderNotification('{{account.name}}', { ...base, account: { ...base.account, name: 'R&D <team>' } })).toBe('R&D <team>');
  });
});
