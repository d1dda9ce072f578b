/**
 * The local queues must behave like SQS as far as the functions can tell: FIFO order per group, deduplication,
 * delays, visibility timeouts, redrive and partial batch failures. Queue-level tests drive LocalQueue with an
 * injected clock; consumer-level tests run QueueConsumer on the real clock with short visibility timeouts.
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { LocalQueue, QueueConsumer, QueueError, type BatchHandler } from '../../lib/local/queues';
import type { QueueSpec } from '../../lib/wiring';

type Spec = QueueSpec & { visibilityTimeoutMs: number };

const T0 = Date.UTC(2024, 0, 15, 9, 0, 0);

function spec(overrides: Partial<Spec> = {}): Spec {
  return {
    fifo: false,
    visibilityTimeoutSeconds: 30,
    visibilityTimeoutMs: 30_000,
    maxReceiveCount: 3,
    batchSize: 10,
    dlqRetentionDays: 14,
    ...overrides,
  };
}

function manualClock(start = T0) {
  let t = start;
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

function queuePair(overrides: Partial<Spec> = {}, clock = manualClock()) {
  const dlq = new LocalQueue('q-dlq', spec(overrides), undefined, clock.now);
  const queue = new LocalQueue('q', spec(overrides), dlq, clock.now);
  return { queue, dlq, clock };
}

const bodies = (messages: { body: string }[]) => messages.map((m) => m.body);

function refusal(fn: () => unknown): QueueError {
  try {
    fn();
  } catch (error) {
    if (error instanceof QueueError) return error;
    throw error;
  }
  throw new Error('expected a QueueError');
}

/** Polls until `check` stops throwing, or fails with its last error once the deadline passes. */
async function eventually(check: () => void, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}

/** A small seeded generator, so a failing interleaving can be replayed. */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('LocalQueue: FIFO groups', () => {
  it('delivers one group in send order and holds its next message while the head is in flight', () => {
    const { queue } = queuePair({ fifo: true });
    queue.send({ body: 'a1', groupId: 'A', deduplicationId: 'a1' });
    queue.send({ body: 'a2', groupId: 'A', deduplicationId: 'a2' });
    queue.send({ body: 'b1', groupId: 'B', deduplicationId: 'b1' });

    const first = queue.receive(1);
    const second = queue.receive(10);

    expect(bodies(first)).toEqual(['a1']);
    expect(bodies(second)).toEqual(['b1']);
    queue.ack(first.map((m) => m.messageId));
    expect(bodies(queue.receive(10))).toEqual(['a2']);
  });

  it('hands several messages of one group to one batch, in order, when the group is free', () => {
    const { queue } = queuePair({ fifo: true });
    for (const body of ['a1', 'b1', 'a2', 'b2', 'a3']) queue.send({ body, groupId: body[0]!, deduplicationId: body });

    const batch = queue.receive(10);

    expect(bodies(batch)).toEqual(['a1', 'b1', 'a2', 'b2', 'a3']);
    expect(queue.receive(10)).toEqual([]);
  });

  it('blocks a group while its failed head waits out the visibility timeout, then resumes in order', () => {
    const { queue, clock } = queuePair({ fifo: true, visibilityTimeoutMs: 10_000 });
    queue.send({ body: 'a1', groupId: 'A', deduplicationId: 'a1' });
    const [head] = queue.receive(1);
    queue.send({ body: 'a2', groupId: 'A', deduplicationId: 'a2' });
    queue.send({ body: 'b1', groupId: 'B', deduplicationId: 'b1' });

    queue.fail([head!.messageId]);

    expect(bodies(queue.receive(10))).toEqual(['b1']);
    clock.advance(9_999);
    expect(queue.receive(10)).toEqual([]);
    clock.advance(1);
    const resumed = queue.receive(10);
    expect(bodies(resumed)).toEqual(['a1', 'a2']);
    expect(resumed[0]!.receiveCount).toBe(2);
  });

  it('refuses a FIFO send without a message group id', () => {
    const { queue } = queuePair({ fifo: true });

    const error = refusal(() => queue.send({ body: 'x', deduplicationId: 'x' }));

    expect(error.code).toBe('MissingParameter');
    expect(queue.depth).toBe(0);
  });

  // The cloud queue is created with contentBasedDeduplication: false (lib/cloud/messaging.ts), so SQS refuses a
  // FIFO send without MessageDeduplicationId; the local queue must too, rather than deduplicate on the body.
  it(
    'refuses a FIFO send without a deduplication id, as the cloud queue (no content-based deduplication) does',
    () => {
      const { queue } = queuePair({ fifo: true });

      const error = refusal(() => queue.send({ body: 'x', groupId: 'A' }));

      expect(error.code).toBe('InvalidParameterValue');
    },
  );
});

describe('LocalQueue: deduplication', () => {
  it('drops a second send with the same deduplication id within 5 minutes and answers the first message id', () => {
    const { queue, clock } = queuePair({ fifo: true });
    const first = queue.send({ body: 'one', groupId: 'A', deduplicationId: 'provider-1' });

    clock.advance(5 * 60_000 - 1);
    const again = queue.send({ body: 'one (retry)', groupId: 'B', deduplicationId: 'provider-1' });

    expect(again).toBe(first);
    expect(bodies(queue.messages)).toEqual(['one']);
  });

  it('still drops the duplicate after the first copy was consumed and deleted', () => {
    const { queue, clock } = queuePair({ fifo: true });
    queue.send({ body: 'one', groupId: 'A', deduplicationId: 'provider-1' });
    queue.ack(queue.receive(1).map((m) => m.messageId));

    clock.advance(60_000);
    queue.send({ body: 'one', groupId: 'A', deduplicationId: 'provider-1' });

    expect(queue.depth).toBe(0);
  });

  it('accepts the same deduplication id again once 5 minutes have passed', () => {
    const { queue, clock } = queuePair({ fifo: true });
    const first = queue.send({ body: 'one', groupId: 'A', deduplicationId: 'provider-1' });

    clock.advance(5 * 60_000);
    const later = queue.send({ body: 'one', groupId: 'A', deduplicationId: 'provider-1' });

    expect(later).not.toBe(first);
    expect(queue.depth).toBe(2);
  });
});

describe('LocalQueue: DelaySeconds', () => {
  it('keeps a delayed message on a standard queue invisible until its delay has passed', () => {
    const { queue, clock } = queuePair();
    queue.send({ body: 'later', delaySeconds: 5 });
    queue.send({ body: 'now' });

    expect(bodies(queue.receive(10))).toEqual(['now']);
    clock.advance(4_999);
    expect(queue.receive(10)).toEqual([]);
    clock.advance(1);
    expect(bodies(queue.receive(10))).toEqual(['later']);
  });

  it('refuses a per-message delay on a FIFO queue', () => {
    const { queue } = queuePair({ fifo: true });

    const error = refusal(() => queue.send({ body: 'x', groupId: 'A', deduplicationId: 'x', delaySeconds: 5 }));

    expect(error.code).toBe('InvalidParameterValue');
    expect(queue.depth).toBe(0);
  });

  it.each([-1, 901, 1.5])('refuses DelaySeconds %p outside the integer range 0..900', (delaySeconds) => {
    const { queue } = queuePair();

    const error = refusal(() => queue.send({ body: 'x', delaySeconds }));

    expect(error.code).toBe('InvalidParameterValue');
    expect(queue.depth).toBe(0);
  });

  it('accepts the bounds 0 and 900', () => {
    const { queue, clock } = queuePair();

    queue.send({ body: 'zero', delaySeconds: 0 });
    queue.send({ body: 'max', delaySeconds: 900 });

    expect(bodies(queue.receive(10))).toEqual(['zero']);
    clock.advance(900_000);
    expect(bodies(queue.receive(10))).toEqual(['max']);
  });
});

describe('LocalQueue: visibility timeout and redrive', () => {
  it('does not redeliver a failed message before the visibility timeout', () => {
    const { queue, clock } = queuePair({ visibilityTimeoutMs: 30_000 });
    queue.send({ body: 'm' });
    const [m] = queue.receive(1);

    queue.fail([m!.messageId]);

    clock.advance(29_999);
    expect(queue.receive(1)).toEqual([]);
    expect(queue.nextVisibleAt()).toBe(T0 + 30_000);
    clock.advance(1);
    const [again] = queue.receive(1);
    expect(again?.messageId).toBe(m!.messageId);
    expect(queue.toRecord(again!, 'arn:q', 'local').attributes.ApproximateReceiveCount).toBe('2');
  });

  it('moves a message to the dead-letter queue when it fails on its maxReceiveCount-th receive', () => {
    const { queue, dlq, clock } = queuePair({ maxReceiveCount: 3, visibilityTimeoutMs: 1_000 });
    const id = queue.send({ body: 'poison' });

    for (let receive = 1; receive <= 2; receive++) {
      const [m] = queue.receive(1);
      expect(m?.receiveCount).toBe(receive);
      queue.fail([m!.messageId]);
      clock.advance(1_000);
    }
    expect(queue.depth).toBe(1);
    expect(dlq.depth).toBe(0);
    const [last] = queue.receive(1);
    queue.fail([last!.messageId]);

    expect(queue.depth).toBe(0);
    const [dead] = dlq.receive(1);
    expect(dead).toMatchObject({ messageId: id, body: 'poison' });
  });
});

describe('QueueConsumer', () => {
  const consumers: QueueConsumer[] = [];
  afterEach(async () => {
    await Promise.all(consumers.splice(0).map((c) => c.stop()));
  });

  function consume(
    queue: LocalQueue,
    handler: BatchHandler,
    options: { concurrency?: number; onError?: (e: unknown) => void } = {},
  ) {
    const consumer = new QueueConsumer(queue, handler, {
      concurrency: options.concurrency ?? 4,
      arn: `arn:aws:sqs:local:000000000000:${queue.name}`,
      region: 'local',
      onError: options.onError,
    });
    consumers.push(consumer);
    consumer.start();
    return consumer;
  }

  /** Sends `perGroup` messages to each of `groups` groups, interleaved, and returns the expected per-group order. */
  function fillGroups(queue: LocalQueue, groups: number, perGroup: number): Map<string, string[]> {
    const expected = new Map<string, string[]>();
    for (let i = 0; i < perGroup; i++) {
      for (let g = 0; g < groups; g++) {
        const groupId = `g${g}`;
        const body = `${groupId}:${i}`;
        queue.send({ body, groupId, deduplicationId: body });
        expected.set(groupId, [...(expected.get(groupId) ?? []), body]);
      }
    }
    return expected;
  }

  it('keeps every group in send order while several batches are processed at once', async () => {
    const queue = new LocalQueue('inbound.fifo', spec({ fifo: true, batchSize: 5, visibilityTimeoutMs: 50 }));
    const expected = fillGroups(queue, 20, 15);
    const seen = new Map<string, string[]>();
    const random = seeded(7);
    let active = 0;
    let maxActive = 0;

    consume(
      queue,
      async (event) => {
        active += 1;
        maxActive = Math.max(maxActive, active);
        for (const record of event.Records) {
          const group = record.attributes.MessageGroupId!;
          seen.set(group, [...(seen.get(group) ?? []), record.body]);
          await new Promise((r) => setTimeout(r, Math.floor(random() * 3)));
        }
        active -= 1;
      },
      { concurrency: 4 },
    );

    await eventually(() => expect(queue.depth).toBe(0), 15_000);
    expect(maxActive).toBeGreaterThan(1);
    expect(Object.fromEntries(seen)).toEqual(Object.fromEntries(expected));
  });

  it('keeps every group in order when whole batches fail and come back after the visibility timeout', async () => {
    const queue = new LocalQueue(
      'inbound.fifo',
      spec({ fifo: true, batchSize: 4, visibilityTimeoutMs: 5, maxReceiveCount: 1000 }),
    );
    const expected = fillGroups(queue, 8, 10);
    const processed = new Map<string, string[]>();
    const random = seeded(42);
    let failures = 0;

    consume(
      queue,
      async (event) => {
        await new Promise((r) => setTimeout(r, Math.floor(random() * 3)));
        if (random() < 0.3) {
          failures += 1;
          throw new Error('transient');
        }
        for (const record of event.Records) {
          const group = record.attributes.MessageGroupId!;
          processed.set(group, [...(processed.get(group) ?? []), record.body]);
        }
      },
      { concurrency: 3 },
    );

    await eventually(() => expect(queue.depth).toBe(0), 15_000);
    expect(failures).toBeGreaterThan(0);
    expect(Object.fromEntries(processed)).toEqual(Object.fromEntries(expected));
  });

  it('retries only the records a partial batch response reports, after the visibility timeout', async () => {
    const queue = new LocalQueue('outbound', spec({ visibilityTimeoutMs: 100 }));
    for (const body of ['ok-1', 'bad', 'ok-2']) queue.send({ body });
    const deliveries: { body: string; at: number; receiveCount: string }[] = [];

    consume(queue, async (event: SQSEvent): Promise<SQSBatchResponse> => {
      const failed = [];
      for (const record of event.Records) {
        deliveries.push({ body: record.body, at: Date.now(), receiveCount: record.attributes.ApproximateReceiveCount });
        if (record.body === 'bad' && record.attributes.ApproximateReceiveCount === '1')
          failed.push({ itemIdentifier: record.messageId });
      }
      return { batchItemFailures: failed };
    });

    await eventually(() => expect(queue.depth).toBe(0));
    expect(deliveries.map((d) => `${d.body}#${d.receiveCount}`)).toEqual(['ok-1#1', 'bad#1', 'ok-2#1', 'bad#2']);
    const [firstBad, secondBad] = deliveries.filter((d) => d.body === 'bad');
    expect(secondBad!.at - firstBad!.at).toBeGreaterThanOrEqual(95);
  });

  it('fails the whole batch when the handler throws, and reports the error', async () => {
    const queue = new LocalQueue('outbound', spec({ visibilityTimeoutMs: 20 }));
    for (const body of ['m1', 'm2', 'm3']) queue.send({ body });
    const calls: string[][] = [];
    const errors: unknown[] = [];
    const boom = new Error('handler crashed');

    const consumer = consume(
      queue,
      async (event) => {
        calls.push(event.Records.map((r) => `${r.body}#${r.attributes.ApproximateReceiveCount}`));
        if (calls.length === 1) throw boom;
      },
      { onError: (e) => errors.push(e) },
    );

    await eventually(() => expect(queue.depth).toBe(0));
    expect(calls).toEqual([
      ['m1#1', 'm2#1', 'm3#1'],
      ['m1#2', 'm2#2', 'm3#2'],
    ]);
    expect(errors).toEqual([boom]);
    expect(consumer.errors).toBe(1);
  });

  it('sends a message that keeps failing to the dead-letter queue after maxReceiveCount deliveries', async () => {
    const dlq = new LocalQueue('timers-dlq', spec());
    const queue = new LocalQueue('timers', spec({ maxReceiveCount: 3, visibilityTimeoutMs: 5 }), dlq);
    queue.send({ body: 'poison' });
    let calls = 0;

    consume(queue, async () => {
      calls += 1;
      throw new Error('always');
    });

    await eventually(() => expect(dlq.depth).toBe(1));
    expect(calls).toBe(3);
    expect(queue.depth).toBe(0);
    expect(dlq.messages[0]).toMatchObject({ body: 'poison', receiveCount: 3 });
  });

  // Messages held behind their group's in-flight head are already visible; counting them would make the loop poll
  // every millisecond until the head completes.
  it('waits without polling in a tight loop while a FIFO group is held behind its in-flight head', async () => {
    const queue = new LocalQueue('inbound.fifo', spec({ fifo: true, batchSize: 1 }));
    queue.send({ body: 'a1', groupId: 'A', deduplicationId: 'a1' });
    queue.send({ body: 'a2', groupId: 'A', deduplicationId: 'a2' });
    const receive = jest.spyOn(queue, 'receive');
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const started = new Promise<void>((resolve) => {
      consume(queue, async (event) => {
        if (event.Records[0]?.body === 'a1') {
          resolve();
          await held;
        }
      });
    });
    await started;
    receive.mockClear();

    await new Promise((r) => setTimeout(r, 300));
    const pollsWhileHeld = receive.mock.calls.length;
    release();

    await eventually(() => expect(queue.depth).toBe(0));
    expect(pollsWhileHeld).toBeLessThan(30);
  });

  it('delivers SQS-shaped records with the queue ARN, group and deduplication attributes', async () => {
    const queue = new LocalQueue('inbound.fifo', spec({ fifo: true }));
    const id = queue.send({ body: '{"n":1}', groupId: 'acc#+15550001', deduplicationId: 'SM1' });
    const received: SQSEvent[] = [];

    consume(queue, async (event) => {
      received.push(event);
    });

    await eventually(() => expect(received).toHaveLength(1));
    expect(received[0]!.Records[0]).toMatchObject({
      messageId: id,
      body: '{"n":1}',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:local:000000000000:inbound.fifo',
      awsRegion: 'local',
      attributes: { ApproximateReceiveCount: '1', MessageGroupId: 'acc#+15550001', MessageDeduplicationId: 'SM1' },
    });
  });
});
