/**
 * Capacity under contention, end to end: 20 agents with capacity 2 each serve 200 interactions waiting in 3 queues
 * (ring-all, round-robin, least-recent), accepting every offer the moment it arrives and closing soon after. No agent
 * may ever hold more than its capacity, no interaction may go to two agents, every one is served, and each queue
 * serves its line in order.
 */
import { closeSocket, eventually, useEngine } from '../support/engine';
import { desk, newPhone, type DeskAgent, type Event } from '../support/desk';
import { presenceOf } from '../../shared/store/presence';
import { addMember } from '../../shared/store/memberships';
import { createQueue, type Queue } from '../../shared/store/queues';
import { listInteractionsOf } from '../../shared/store/interactions';
import type { RoutedInteraction } from '../../shared/store/routing';

// Generous: on a quiet 2-core machine it takes about a minute; beside the rest of the suite, several.
jest.setTimeout(600_000);

const engine = useEngine({ consumerConcurrency: 8 });
const d = desk(() => engine());
const AGENTS = 20;
const CAPACITY = 2;
const INTERACTIONS = 200;
const strategies: Queue['strategy'][] = ['ring-all', 'round-robin', 'least-recent'];

let agents: DeskAgent[] = [];
afterAll(async () => {
  await Promise.all(agents.map((a) => closeSocket(a.socket)));
});

it('never puts an agent over capacity nor an interaction with two agents, serves every one, in order per queue', async () => {
  agents = await Promise.all(Array.from({ length: AGENTS }, (_, i) => d.user(`load${i}`, 'agent', { sms: CAPACITY, whatsapp: CAPACITY })));
  const supervisor = await d.user('loadsup', 'supervisor', undefined, false);
  const desks = await Promise.all(
    strategies.map(async (strategy, i) => {
      const queue = await createQueue({ name: `Load ${strategy}`, strategy, offerTimeoutSeconds: 60 });
      const account = await d.account(`Load ${i}`, `LD${i}`, { routing: [{ type: 'queue', queueId: queue.id, timeoutSeconds: 900 }] });
      for (const a of agents) {
        await addMember('ACCOUNT', account.id, a.id);
        await addMember('QUEUE', queue.id, a.id);
      }
      return { queue, account };
    }),
  );

  // 200 interactions come in while nobody is online: all of them wait.
  for (let start = 0; start < INTERACTIONS; start += 5) {
    await Promise.all(
      Array.from({ length: Math.min(5, INTERACTIONS - start) }, (_, k) => d.inbound(desks[(start + k) % desks.length]!.account, newPhone('39335'), `load ${start + k}`)),
    );
  }
  const lines = await eventually(
    async () => {
      const all = await Promise.all(desks.map(({ queue }) => d.api(supervisor.token, 'GET', `/agent/queues/${queue.id}/waiting?limit=1000`)));
      const total = all.reduce((n, r) => n + (r.body.total as number), 0);
      if (total !== INTERACTIONS) throw new Error(`${total} waiting`);
      return all.map((r) => (r.body.items as { interactionId: string }[]).map((i) => i.interactionId));
    },
    60_000,
    200,
  );

  // Every agent accepts each offer at once and closes each accepted interaction a moment later.
  const acceptedBy = new Map<string, string[]>();
  const holding = new Map<string, number>();
  let maxHeldByClient = 0;
  let closed = 0;
  const failures: string[] = [];
  for (const a of agents) {
    holding.set(a.id, 0);
    a.socket.on('message', (data) => {
      const e = JSON.parse(data.toString()) as Event;
      if (e.type !== 'interaction.offered' || !(e.routing as { offeredTo: string[] }).offeredTo.includes(a.id)) return;
      const id = e.interactionId!;
      void (async () => {
        const res = await d.api(a.token, 'POST', `/agent/interactions/${id}/accept`).catch((error: Error) => ({ status: 0, body: error.message }));
        if (res.status === 409) return; // someone else was first, or the offer moved on
        if (res.status !== 200) return void failures.push(`accept ${res.status} ${JSON.stringify(res.body)}`);
        acceptedBy.set(id, [...(acceptedBy.get(id) ?? []), a.id]);
        holding.set(a.id, holding.get(a.id)! + 1);
        maxHeldByClient = Math.max(maxHeldByClient, holding.get(a.id)!);
        await new Promise((r) => setTimeout(r, 5 + Math.random() * 30));
        holding.set(a.id, holding.get(a.id)! - 1);
        const done = await d.api(a.token, 'POST', `/agent/interactions/${id}/close`, {}).catch((error: Error) => ({ status: 0, body: error.message }));
        if (done.status !== 204) failures.push(`close ${done.status} ${JSON.stringify(done.body)}`);
        else closed += 1;
      })();
    });
  }
  // The store's own view of each agent's load, sampled all along.
  let maxHeldInStore = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const presence = await presenceOf(agents.map((a) => a.id));
      for (const p of presence.values()) maxHeldInStore = Math.max(maxHeldInStore, p.holds.sms.length);
      await new Promise((r) => setTimeout(r, 25));
    }
  })();

  await Promise.all(agents.map((a) => d.presence(a, 'online')));
  try {
    await eventually(
      () => {
        if (failures.length) throw new Error(failures.join(', '));
        if (closed < INTERACTIONS) throw new Error(`${closed} of ${INTERACTIONS} served`);
      },
      480_000,
      200,
    );
  } finally {
    sampling = false;
    await sampler;
  }

  expect(failures).toEqual([]);
  expect(maxHeldInStore).toBeLessThanOrEqual(CAPACITY);
  expect(maxHeldByClient).toBeLessThanOrEqual(CAPACITY);
  expect(acceptedBy.size).toBe(INTERACTIONS);
  expect([...acceptedBy.values()].filter((by) => by.length !== 1)).toEqual([]);
  for (const [i, { account }] of desks.entries()) {
    const stored = (await listInteractionsOf(account.id)) as RoutedInteraction[];
    expect(stored.every((x) => x.status === 'closed' && x.agentId === acceptedBy.get(x.id)?.[0])).toBe(true);
    // FIFO: in line order, each interaction was first offered no earlier than the one before it.
    const byId = new Map(stored.map((x) => [x.id, x]));
    const offeredAt = lines[i]!.map((id) => byId.get(id)!.routing!.offeredAt!);
    expect(offeredAt.every(Boolean)).toBe(true);
    expect(offeredAt).toEqual([...offeredAt].sort());
  }
  const left = await presenceOf(agents.map((a) => a.id));
  expect([...left.values()].every((p) => p.holds.sms.length === 0)).toBe(true);
});
