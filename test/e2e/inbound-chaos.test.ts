/**
 * The store failing under the inbound path: a middleware on the DynamoDB client fails a random 20% of requests,
 * half before they reach the store and half after it applied them (the answer lost). Webhooks are retried the way
 * providers retry a 5xx; the queue redelivers what the processor failed, up to maxReceiveCount, then dead-letters
 * it. After draining, every acknowledged message is stored exactly once or sits in the DLQ: none lost, none doubled.
 */
import { useEngine } from '../support/engine';
import { randomBytes } from 'node:crypto';
import { settingsSchema } from '../../shared/admin/account-schema';
import { createAccount, receiveUrl } from '../../shared/admin/accounts';
import { inboundEnvelopeSchema } from '../../shared/inbound/envelope';
import { setLogSink } from '../../shared/logger';
import { providerFor } from '../../shared/providers';
import { dynamo } from '../../shared/store/client';
import type { Account } from '../../shared/store/accounts';
import { listInteractionsOf, listMessages } from '../../shared/store/interactions';
import { createList } from '../../shared/store/lists';

const engine = useEngine();

const chaos = { on: false, rate: 0.2, before: 0, after: 0, requests: 0 };

function injected(): Error {
  return Object.assign(new Error('injected: the store is unavailable'), {
    name: 'ServiceUnavailable',
    $fault: 'server',
    $retryable: {},
    $metadata: { httpStatusCode: 503 },
  });
}

let restoreLog: () => void = () => undefined;

beforeAll(() => {
  // Every injected failure is logged as a warning or an error: expected here, so kept off the test output.
  restoreLog = setLogSink(() => undefined);
  // 'initialize' sits above the SDK's own retries, so every injected failure reaches our code.
  dynamo.middlewareStack.add(
    (next) => async (args) => {
      if (!chaos.on) return next(args);
      chaos.requests += 1;
      const roll = Math.random();
      if (roll < chaos.rate / 2) {
        chaos.before += 1;
        throw injected();
      }
      const result = await next(args);
      if (roll < chaos.rate) {
        chaos.after += 1;
        throw injected();
      }
      return result;
    },
    { step: 'initialize', name: 'inboundChaos' },
  );
});
afterAll(() => {
  restoreLog();
  chaos.on = false;
  dynamo.middlewareStack.remove('inboundChaos');
});

const CREDENTIALS = { accountSid: `AC${'c'.repeat(32)}`, authToken: 'chaos-token' };

/** Posts like a provider: a 5xx or a dropped connection is retried until the webhook acknowledges. */
async function deliver(spec: { url: string; method: string; headers: Record<string, string>; body?: string }): Promise<void> {
  const url = new URL(spec.url);
  for (let attempt = 0; attempt < 50; attempt++) {
    const res = await fetch(`${engine().httpUrl}${url.pathname}${url.search}`, { method: spec.method, headers: spec.headers, body: spec.body ?? null });
    await res.arrayBuffer();
    if (res.status === 200) return;
    if (res.status < 500) throw new Error(`the webhook refused a valid request with ${res.status}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('the webhook never acknowledged');
}

it('stores every acknowledged message exactly once or dead-letters it while 20% of store requests fail', async () => {
  const list = await createList({ name: 'chaos contacts' });
  const account: Account = await createAccount({
    channel: 'sms',
    name: 'chaos',
    key: 'CHAOS',
    type: 'twilio',
    phone: '+14155550122',
    listId: list.id,
    credentials: CREDENTIALS,
    settings: settingsSchema.parse({}),
  });
  const provider = providerFor('twilio');
  const phones = Array.from({ length: 8 }, (_, i) => `+3934812${String(10000 + i * 7)}`);
  const sent = phones.flatMap((from) =>
    Array.from({ length: 5 }, (_, i) => ({ id: `SM${randomBytes(8).toString('hex')}`, from, text: `${from} #${i}` })),
  );

  chaos.on = true;
  try {
    await Promise.all(
      phones.map(async (from) => {
        for (const m of sent.filter((s) => s.from === from)) {
          await deliver(
            provider.simulateInbound(
              { url: receiveUrl(account), providerMessageId: m.id, from, to: account.phone, text: m.text, timestampMs: Date.now() },
              CREDENTIALS,
              { id: account.id, channel: 'sms', phone: account.phone, proxyToken: account.proxyToken },
            ),
          );
        }
      }),
    );
    await engine().idle(90_000);
  } finally {
    chaos.on = false;
  }

  const interactions = await listInteractionsOf(account.id);
  const stored = new Map<string, number>();
  for (const interaction of interactions) {
    const messages = await listMessages(interaction.id);
    expect(interaction.messageCount).toBe(messages.length);
    for (const m of messages) stored.set(m.providerMessageId!, (stored.get(m.providerMessageId!) ?? 0) + 1);
  }
  const deadLettered = new Set(
    engine()
      .deadLetters.inbound.messages.map((m) => inboundEnvelopeSchema.safeParse(JSON.parse(m.body)))
      .filter((r) => r.success)
      .map((r) => r.data!.event)
      .map((e) => ('providerMessageId' in e ? e.providerMessageId : e.providerTemplateId)),
  );

  process.stdout.write(
    `chaos: ${chaos.requests} store requests, ${chaos.before} failed before and ${chaos.after} after reaching the store; ` +
      `${stored.size} messages stored, ${deadLettered.size} dead-lettered\n`,
  );
  expect(chaos.before + chaos.after).toBeGreaterThan(0);
  for (const m of sent) {
    const count = stored.get(m.id) ?? 0;
    expect({ id: m.id, doubled: count > 1 }).toEqual({ id: m.id, doubled: false });
    expect({ id: m.id, kept: count === 1 || deadLettered.has(m.id) }).toEqual({ id: m.id, kept: true });
  }
  // One conversation per number: the pointer never let a retry open a second interaction.
  for (const phone of phones) expect(interactions.filter((i) => i.contactPhone === phone).length).toBeLessThanOrEqual(1);
  expect(stored.size + [...deadLettered].filter((id) => !stored.has(id)).length).toBe(sent.length);
}, 120_000);
