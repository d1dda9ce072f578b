/**
 * The local queues keep their SQS semantics across a restart: a queue rebuilt from its journal (as the engine does at
 * start, after a stop or a kill -9) has the messages that were sent and not deleted, a received message stays
 * invisible until its visibility timeout and is then seen again with its receive count, redrive to the dead-letter
 * queue still happens at maxReceiveCount, deduplication ids still hold, and a torn last line (a crash mid-write) is
 * ignored. Real files in a temporary directory; an injected clock.
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LAZY_FLUSH_MS, QueueJournal } from '../../lib/local/journal';
import { LocalQueue } from '../../lib/local/queues';
import type { QueueSpec } from '../../lib/wiring';

const T0 = Date.UTC(2024, 0, 15, 9, 0, 0);
const spec = (overrides: Partial<QueueSpec & { visibilityTimeoutMs: number }> = {}) => ({
  fifo: true,
  visibilityTimeoutSeconds: 30,
  visibilityTimeoutMs: 30_000,
  maxReceiveCount: 2,
  batchSize: 10,
  dlqRetentionDays: 14,
  ...overrides,
});

let dir: string;
let t: number;
const clock = () => t;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'switchboard-journal-'));
  t = T0;
});
const opened: QueueJournal[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((j) => j.close()));
  rmSync(dir, { recursive: true, force: true });
});

/** Opens the journal in `dir` and the queue pair on it, as the engine does at start. */
async function open(overrides = {}, compactMinBytes?: number) {
  const journal = QueueJournal.open(dir, compactMinBytes === undefined ? {} : { compactMinBytes });
  opened.push(journal);
  const dlq = new LocalQueue('in.fifo-dlq', spec(overrides), undefined, clock, journal);
  const queue = new LocalQueue('in.fifo', spec(overrides), dlq, clock, journal);
  await journal.start();
  return { journal, queue, dlq };
}

const send = (queue: LocalQueue, body: string, group = 'g1') => queue.send({ body, groupId: group, deduplicationId: `d-${body}` });

it('acknowledges a send only once it is on disk, and a restarted queue has what was sent and not deleted', async () => {
  const first = await open();
  for (const body of ['a', 'b', 'c']) send(first.queue, body, body);
  await first.queue.flushed();
  expect(readFileSync(join(dir, 'queues.journal'), 'utf8').split('\n').filter(Boolean)).toHaveLength(3);
  const [a] = first.queue.receive(1);
  first.queue.ack([a!.messageId]);
  await first.queue.flushed();
  // No close(): the process dies here.

  const second = await open();
  expect(second.queue.messages.map((m) => m.body)).toEqual(['b', 'c']);
  expect(second.queue.receive(10).map((m) => m.body)).toEqual(['b', 'c']);
});

it('keeps a message received and not deleted invisible until its visibility timeout, then delivers it again with its count', async () => {
  const first = await open();
  send(first.queue, 'x');
  await first.queue.flushed();
  expect(first.queue.receive(1)).toHaveLength(1);
  await first.queue.flushed();

  t += 1_000;
  const second = await open();
  expect(second.queue.receive(1)).toEqual([]);
  expect(second.queue.nextVisibleAt()).toBe(T0 + 30_000);
  t = T0 + 30_000;
  const [again] = second.queue.receive(1);
  expect(again).toMatchObject({ body: 'x', receiveCount: 2 });
});

it('redrives to the dead-letter queue at maxReceiveCount counting receives from before the restart', async () => {
  const first = await open({ visibilityTimeoutMs: 10 });
  send(first.queue, 'poison');
  const [m] = first.queue.receive(1);
  first.queue.fail([m!.messageId]);
  await first.queue.flushed();

  t += 20;
  const second = await open({ visibilityTimeoutMs: 10 });
  const [again] = second.queue.receive(1);
  expect(again?.receiveCount).toBe(2);
  second.queue.fail([again!.messageId]);
  await second.queue.flushed();

  const third = await open({ visibilityTimeoutMs: 10 });
  expect(third.queue.depth).toBe(0);
  expect(third.dlq.messages.map((x) => ({ body: x.body, receiveCount: x.receiveCount }))).toEqual([{ body: 'poison', receiveCount: 2 }]);
});

it('still drops a duplicate deduplication id within 5 minutes of the first send after a restart, and forgets it after', async () => {
  const first = await open();
  const id = send(first.queue, 'once');
  await first.queue.flushed();
  const [m] = first.queue.receive(1);
  first.queue.ack([m!.messageId]);
  await first.journal.close();

  t += 60_000;
  const second = await open();
  expect(send(second.queue, 'once')).toBe(id);
  expect(second.queue.depth).toBe(0);
  await second.journal.close();

  t += 5 * 60_000;
  const third = await open();
  expect(send(third.queue, 'once')).not.toBe(id);
  expect(third.queue.depth).toBe(1);
});

it('keeps FIFO order per group across a restart', async () => {
  const first = await open();
  for (let i = 0; i < 5; i++) send(first.queue, `m${i}`, 'g');
  await first.queue.flushed();
  const second = await open();
  const [head] = second.queue.receive(1);
  expect(head?.body).toBe('m0');
  // The group waits while its head is in flight.
  expect(second.queue.receive(10)).toEqual([]);
  second.queue.ack([head!.messageId]);
  expect(second.queue.receive(10).map((m) => m.body)).toEqual(['m1', 'm2', 'm3', 'm4']);
});

it('ignores a torn last line left by a crash mid-write', async () => {
  const first = await open();
  send(first.queue, 'kept');
  await first.queue.flushed();
  appendFileSync(join(dir, 'queues.journal'), '{"o":"s","q":"in.fifo","m":{"messageId":"torn","bo');

  const second = await open();
  expect(second.queue.messages.map((m) => m.body)).toEqual(['kept']);
});

it('rewrites the journal at start as a snapshot of what is live', async () => {
  const first = await open();
  for (let i = 0; i < 200; i++) send(first.queue, `n${i}`, `g${i}`);
  await first.queue.flushed();
  first.queue.ack(first.queue.receive(200).map((m) => m.messageId));
  await first.queue.flushed();
  const grown = statSync(join(dir, 'queues.journal')).size;

  t += 10 * 60_000; // past the deduplication window: nothing is live
  await open();
  expect(statSync(join(dir, 'queues.journal')).size).toBeLessThan(grown / 10);
});

it('compacts the journal while running once it has grown well past what is live, and loses nothing doing so', async () => {
  const first = await open({}, 64 * 1024);
  const body = 'y'.repeat(500);
  let peak = 0;
  for (let i = 0; i < 2_000; i++) {
    first.queue.send({ body: `${body}${i}`, groupId: `g${i % 50}`, deduplicationId: `c${i}` });
    await first.queue.flushed();
    first.queue.ack(first.queue.receive(1).map((m) => m.messageId));
    peak = Math.max(peak, statSync(join(dir, 'queues.journal')).size);
  }
  send(first.queue, 'last');
  await first.queue.flushed();
  // 2,000 sends of ~500 bytes wrote over 1 MB of lines; the file never held more than a few compaction thresholds.
  expect(peak).toBeLessThan(512 * 1024);
  t += 10 * 60_000;
  const second = await open();
  expect(second.queue.messages.map((m) => m.body)).toEqual(['last']);
});

it('writes a receive or a delete without a write of its own: with the next send, or within LAZY_FLUSH_MS', async () => {
  const { queue } = await open();
  const lines = () => readFileSync(join(dir, 'queues.journal'), 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { o: string }).o);
  send(queue, 'a', 'a');
  send(queue, 'b', 'b');
  await queue.flushed();
  expect(lines()).toEqual(['s', 's']);
  const [a, b] = queue.receive(2);
  queue.ack([a!.messageId]);
  // Nothing started a write: the receives and the delete wait in memory for now.
  expect(lines()).toEqual(['s', 's']);
  // A send carries them in its own write, ahead of it, in the order they happened.
  send(queue, 'c', 'c');
  await queue.flushed();
  expect(lines()).toEqual(['s', 's', 'r', 'r', 'd', 's']);
  // With no send to carry it, a delete still reaches the disk within LAZY_FLUSH_MS.
  queue.ack([b!.messageId]);
  expect(lines()).toHaveLength(6);
  const deadline = Date.now() + 20 * LAZY_FLUSH_MS;
  while (lines().length < 7 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  expect(lines()).toEqual(['s', 's', 'r', 'r', 'd', 's', 'd']);
});
