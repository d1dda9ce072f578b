/**
 * The engine as npm start runs it: queue consumers in a worker thread, with their own module state, reaching the
 * same store and queues. A signed webhook is acknowledged by the main thread and stored by the worker.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { eventually, useEngine } from '../support/engine';
import { startDynoxide } from '../../lib/local/dynoxide';
import { accountCreateSchema } from '../../shared/admin/account-schema';
import { createAccount, receiveUrl } from '../../shared/admin/accounts';
import { twilioProvider } from '../../shared/providers/twilio';
import { listInteractionsOf, listMessages } from '../../shared/store/interactions';
import { createList } from '../../shared/store/lists';

const engine = useEngine({ consumerThreads: true });

// The worker thread compiles the functions when it starts: on a loaded machine that alone takes many seconds.
jest.setTimeout(60_000);

it('stores webhooks through consumers running in a worker thread, in order', async () => {
  const credentials = { accountSid: 'AC00000000000000000000000000000002', authToken: 'threads-token' };
  const list = await createList({ name: 'Threads' });
  const account = await createAccount(
    accountCreateSchema.parse({ channel: 'sms', name: 'Threads', key: 'THR', type: 'twilio', phone: '+14155550177', listId: list.id, credentials }),
  );
  const context = { id: account.id, channel: account.channel, phone: account.phone, proxyToken: account.proxyToken };
  for (let i = 0; i < 5; i++) {
    const spec = twilioProvider.simulateInbound(
      { url: receiveUrl(account), providerMessageId: `SM${String(i).padStart(32, '0')}`, from: '+393334445555', to: account.phone, text: `message ${i}`, timestampMs: Date.now() + i },
      credentials,
      context,
    );
    const res = await fetch(`${engine().httpUrl}${new URL(spec.url).pathname}`, { method: 'POST', headers: spec.headers, body: spec.body });
    expect(res.status).toBe(200);
  }
  const [interaction] = await eventually(async () => {
    const found = await listInteractionsOf(account.id);
    if (found.length !== 1 || found[0]!.messageCount !== 5) throw new Error('not all stored yet');
    return found;
  }, 45_000);
  expect((await listMessages(interaction!.id)).map((m) => m.text)).toEqual(['message 0', 'message 1', 'message 2', 'message 3', 'message 4']);
});

/** The nice value of each thread of a process (Linux: field 19 of /proc/<pid>/task/<tid>/stat). */
function niceOfThreads(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).map((tid) => {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
  });
}

(process.platform === 'linux' ? it : it.skip)('runs the consumer thread and the store below the HTTP thread, so webhooks are answered first', async () => {
  // The engine's consumer thread: ten below this (the HTTP) thread.
  const mine = getPriority();
  expect(niceOfThreads(process.pid)).toContain(Math.min(19, mine + 10));
  const store = await startDynoxide({ nice: 10 });
  try {
    const threads = niceOfThreads(store.pid);
    expect(threads.length).toBeGreaterThan(0);
    expect(threads.every((n) => n >= 10)).toBe(true);
  } finally {
    await store.stop();
  }
});
