/** The queue rules: who holds capacity, who stands in a line, what each transition does to the board counters. */
import { boardState, holders, lineOf, nextForAgent, transition, type LineEntry, type QueueingFacts } from '../../shared/domain/queueing';
import { chooseAgents } from '../../shared/domain/routing';

const base: QueueingFacts = { id: 'i1', accountId: 'acc', channel: 'sms', status: 'open' };
const at = (phase: string, extra: Partial<NonNullable<QueueingFacts['routing']>> = {}, top: Partial<QueueingFacts> = {}): QueueingFacts => ({
  ...base,
  ...top,
  routing: { phase, offeredTo: [], queueId: 'q1', enteredAt: '2026-12-01T10:00:00.000Z', ...extra },
});

describe('holders', () => {
  it('counts pending offers, the assigned agent, and a transfer sender until someone takes it', () => {
    expect(holders(at('offered', { offeredTo: ['a', 'b'] }))).toEqual(['a', 'b']);
    expect(holders(at('assigned', {}, { agentId: 'a' }))).toEqual(['a']);
    expect(holders(at('transfer', { offeredTo: ['b'], transferFrom: 'a' }))).toEqual(['a', 'b']);
    expect(holders(at('waiting'))).toEqual([]);
    expect(holders({ ...at('assigned', {}, { agentId: 'a' }), status: 'closed' })).toEqual([]);
  });
});

describe('the line and the board', () => {
  it('puts waiting and offered interactions of a queue in its line, not assigned ones or agent-step offers', () => {
    expect(lineOf(at('waiting'))).toEqual({ queueId: 'q1', enteredAt: '2026-12-01T10:00:00.000Z' });
    expect(lineOf(at('offered', { offeredTo: ['a'] }))).toBeDefined();
    expect(lineOf(at('unassigned'))).toBeDefined();
    expect(lineOf(at('assigned', {}, { agentId: 'a' }))).toBeUndefined();
    expect(lineOf({ ...base, routing: { phase: 'offered', offeredTo: ['a'] } })).toBeUndefined();
  });

  it('counts each interaction in exactly one live figure', () => {
    expect(boardState(at('waiting'))).toEqual({ state: 'waiting', queueId: 'q1' });
    expect(boardState(at('offered', { offeredTo: ['a'] }))).toEqual({ state: 'offered', queueId: 'q1' });
    expect(boardState(at('assigned', {}, { agentId: 'a' }))).toEqual({ state: 'inProgress', queueId: 'q1' });
    expect(boardState({ ...at('waiting'), status: 'closed' })).toBeUndefined();
  });
});

describe('transition', () => {
  const nowMs = Date.parse('2026-12-01T10:00:30.000Z');

  it('moves the gauges, takes and releases slots, and records the wait of an accept against the service level', () => {
    const offered = at('offered', { offeredTo: ['a', 'b'] });
    const assigned = at('assigned', { assignedAt: '2026-12-01T10:00:30.000Z' }, { agentId: 'a' });
    const t = transition(offered, assigned, nowMs, 60);
    expect(t.added).toEqual([]);
    expect(t.released).toEqual(['b']);
    expect(t.lineBefore).toBeDefined();
    expect(t.lineAfter).toBeUndefined();
    const queue = t.counters.find((c) => c.entity === 'QUEUE#q1' && !c.daily)!;
    // The interaction left the line: its line's change count moves with it.
    expect(queue.deltas).toEqual({ offered: -1, inProgress: 1, lineChanges: 1 });
    const daily = t.counters.find((c) => c.entity === 'ACCOUNT#acc' && c.daily)!;
    expect(daily.deltas).toEqual({ accepted: 1, acceptWaitMs: 30_000, acceptedInSl: 1 });
    expect(transition(offered, assigned, nowMs, 10).counters.find((c) => c.entity === 'QUEUE#q1' && c.daily)!.deltas.acceptedInSl).toBeUndefined();
  });

  it('records a close with its handle time for the queue, the account and the agent', () => {
    const assigned = at('assigned', { assignedAt: '2026-12-01T10:00:00.000Z' }, { agentId: 'a' });
    const t = transition(assigned, { ...assigned, status: 'closed' }, nowMs, 60);
    expect(t.released).toEqual(['a']);
    expect(t.counters.find((c) => c.entity === 'AGENT#a')!.deltas).toEqual({ handled: 1, handleMs: 30_000 });
    expect(t.counters.find((c) => c.entity === 'QUEUE#q1' && c.daily)!.deltas).toEqual({ closed: 1, handled: 1, handleMs: 30_000 });
  });

  it('changes nothing for a change that moves no figure', () => {
    const waiting = at('waiting');
    expect(transition(waiting, { ...waiting }, nowMs, 60)).toMatchObject({ added: [], released: [], counters: [] });
  });
});

describe('nextForAgent', () => {
  const entry = (id: string, enteredAt: string, extra: Partial<LineEntry> = {}): LineEntry => ({
    interactionId: id,
    queueId: 'q1',
    accountId: 'acc',
    channel: 'sms',
    enteredAt,
    phase: 'waiting',
    offeredTo: [],
    declined: [],
    ...extra,
  });
  const context = { accountIds: new Set(['acc']), room: { sms: 1, whatsapp: 0 }, ringAll: () => false, reofferDeclined: () => false };

  it('picks the longest-waiting interaction the agent may take', () => {
    const entries = [entry('late', '2026-12-01T10:00:02Z'), entry('early', '2026-12-01T10:00:01Z')];
    expect(nextForAgent('a', entries, context)?.interactionId).toBe('early');
  });

  it('skips other accounts, full channels, declines and, one at a time, interactions offered to others', () => {
    const entries = [
      entry('other-account', '2026-12-01T10:00:00Z', { accountId: 'x' }),
      entry('whatsapp', '2026-12-01T10:00:01Z', { channel: 'whatsapp' }),
      entry('declined', '2026-12-01T10:00:02Z', { declined: ['a'] }),
      entry('offered', '2026-12-01T10:00:03Z', { offeredTo: ['b'] }),
      entry('free', '2026-12-01T10:00:04Z'),
    ];
    expect(nextForAgent('a', entries, context)?.interactionId).toBe('free');
    expect(nextForAgent('a', entries, { ...context, ringAll: () => true })?.interactionId).toBe('offered');
    expect(nextForAgent('a', entries, { ...context, reofferDeclined: () => true })?.interactionId).toBe('declined');
  });
});

it('offers one-at-a-time among the least loaded members', () => {
  const candidates = [
    { agentId: 'a', load: 1, handledCount: 0 },
    { agentId: 'b', load: 0, handledCount: 5 },
    { agentId: 'c', load: 0, handledCount: 9 },
  ];
  expect(chooseAgents('fewest-handled', candidates)).toEqual(['b']);
  expect(chooseAgents('round-robin', candidates, 'b')).toEqual(['c']);
  expect(chooseAgents('ring-all', candidates)).toEqual(['a', 'b', 'c']);
});
