/**
 * In-process queues with the SQS semantics the functions rely on: FIFO order per message group (a group's next
 * message waits while one is in flight or waiting to be retried), deduplication ids (5 minutes), DelaySeconds
 * (standard queues), a visibility timeout before a failed message is seen again, redrive to the dead-letter queue
 * after maxReceiveCount receives, and partial batch failures. A consumer delivers SQSEvent batches to the
 * function that consumes the queue, the way Lambda's event source mapping does.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { QueueSpec } from '../wiring';
import type { JournaledQueue, JournalMessage, QueueJournal } from './journal';

export interface LocalMessage {
  messageId: string;
  body: string;
  groupId?: string;
  deduplicationId?: string;
  sentAt: number;
  visibleAt: number;
  receiveCount: number;
  firstReceivedAt?: number;
  inFlight: boolean;
  sequence: number;
}

export class QueueError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const DEDUP_WINDOW_MS = 5 * 60 * 1000;

/** About what a message takes in a journal snapshot (its body, ids and the record's other fields). */
const sizeOf = (m: { body: string; groupId?: string; deduplicationId?: string }) =>
  m.body.length + (m.groupId?.length ?? 0) + (m.deduplicationId?.length ?? 0) + 200;

/** A message as the journal keeps it: in flight means leased until its visibility timeout. */
function stored(m: LocalMessage): JournalMessage {
  const { inFlight: leased, ...rest } = m;
  return leased ? { ...rest, leased } : rest;
}

export class LocalQueue implements JournaledQueue {
  /** In arrival order (a Map keeps insertion order; a redelivered message keeps its place). */
  private readonly items = new Map<string, LocalMessage>();
  private readonly dedup = new Map<string, { messageId: string; at: number }>();
  private sequence = 0;
  private bytes = 0;
  private lastPrune = 0;
  private listeners = new Set<() => void>();

  constructor(
    readonly name: string,
    readonly spec: QueueSpec & { visibilityTimeoutMs: number },
    readonly deadLetter?: LocalQueue,
    private readonly clock: () => number = Date.now,
    private readonly journal?: QueueJournal,
  ) {
    const recovered = journal?.register(this);
    if (recovered) {
      for (const m of recovered.messages.values()) {
        // A message leased by the previous process stays invisible until its visibility timeout, as in SQS.
        const { leased: _leased, ...rest } = m;
        this.items.set(m.messageId, { ...rest, inFlight: false });
        this.bytes += sizeOf(m);
        this.sequence = Math.max(this.sequence, m.sequence);
      }
      const now = clock();
      for (const [key, d] of recovered.dedup) if (now - d.at < DEDUP_WINDOW_MS) this.dedup.set(key, d);
    }
  }

  get fifo(): boolean {
    return this.spec.fifo;
  }

  /** The queue's messages, oldest first (a copy). */
  get messages(): LocalMessage[] {
    return [...this.items.values()];
  }

  /** Resolves once every message sent so far is durable (at once for a queue kept only in memory). */
  flushed(): Promise<void> {
    return this.journal?.flushed() ?? Promise.resolve();
  }

  send(input: { body: string; groupId?: string; deduplicationId?: string; delaySeconds?: number }): string {
    if (this.fifo) {
      if (!input.groupId) throw new QueueError('MissingParameter', 'MessageGroupId is required for FIFO queues');
      if (input.delaySeconds) throw new QueueError('InvalidParameterValue', 'FIFO queues do not take per-message DelaySeconds');
    }
    const delay = input.delaySeconds ?? 0;
    if (!Number.isInteger(delay) || delay < 0 || delay > 900) {
      throw new QueueError('InvalidParameterValue', 'DelaySeconds must be 0 to 900');
    }
    const now = this.clock();
    this.pruneDedup(now);
    if (this.fifo) {
      // The cloud queues have content-based deduplication off, so SQS refuses a FIFO send without an id; so do we.
      if (!input.deduplicationId) {
        throw new QueueError('InvalidParameterValue', 'MessageDeduplicationId is required (content-based deduplication is off)');
      }
      const seen = this.dedup.get(input.deduplicationId);
      if (seen && now - seen.at < DEDUP_WINDOW_MS) return seen.messageId;
    }
    const messageId = randomUUID();
    if (input.deduplicationId) this.dedup.set(input.deduplicationId, { messageId, at: now });
    const message: LocalMessage = {
      messageId,
      body: input.body,
      ...(input.groupId !== undefined ? { groupId: input.groupId } : {}),
      ...(input.deduplicationId !== undefined ? { deduplicationId: input.deduplicationId } : {}),
      sentAt: now,
      visibleAt: now + delay * 1000,
      receiveCount: 0,
      inFlight: false,
      sequence: ++this.sequence,
    };
    this.items.set(messageId, message);
    this.bytes += sizeOf(message);
    this.journal?.append({ o: 's', q: this.name, m: stored(message) });
    this.notify();
    return messageId;
  }

  /** Deduplication ids live 5 minutes, as in SQS; older ones are forgotten so the map never grows without bound. */
  private pruneDedup(now: number): void {
    if (now - this.lastPrune < 10_000) return;
    this.lastPrune = now;
    for (const [key, d] of this.dedup) if (now - d.at >= DEDUP_WINDOW_MS) this.dedup.delete(key);
  }

  /** Takes up to `max` deliverable messages and marks them in flight. */
  receive(max: number): LocalMessage[] {
    const now = this.clock();
    const taken: LocalMessage[] = [];
    const blockedGroups = new Set<string>();
    for (const m of this.items.values()) {
      if (taken.length >= max) break;
      if (this.fifo && m.groupId) {
        if (blockedGroups.has(m.groupId)) continue;
        // The group's head decides: while it is in flight or waiting out a visibility timeout, nothing after it goes.
        if (m.inFlight || m.visibleAt > now) {
          if (!taken.some((t) => t.groupId === m.groupId)) blockedGroups.add(m.groupId);
          continue;
        }
      } else if (m.inFlight || m.visibleAt > now) continue;
      m.inFlight = true;
      m.receiveCount += 1;
      m.firstReceivedAt ??= now;
      // Invisible for the visibility timeout: if this process dies, the message is seen again after it.
      m.visibleAt = now + this.spec.visibilityTimeoutMs;
      this.journal?.append({ o: 'r', q: this.name, i: m.messageId, v: m.visibleAt, n: m.receiveCount, f: m.firstReceivedAt });
      taken.push(m);
    }
    return taken;
  }

  /** Deletes processed messages. */
  ack(ids: Iterable<string>): void {
    for (const id of ids) {
      const m = this.items.get(id);
      if (!m) continue;
      this.items.delete(id);
      this.bytes -= sizeOf(m);
      this.journal?.append({ o: 'd', q: this.name, i: id });
    }
    this.notify();
  }

  /** Returns failed messages to the queue after the visibility timeout, or to the DLQ once out of receives. */
  fail(ids: Iterable<string>): void {
    const now = this.clock();
    for (const id of ids) {
      const m = this.items.get(id);
      if (!m) continue;
      m.inFlight = false;
      if (m.receiveCount >= this.spec.maxReceiveCount && this.deadLetter) {
        this.items.delete(id);
        this.bytes -= sizeOf(m);
        const sequence = this.deadLetter.adopt(m);
        this.journal?.append({ o: 'm', q: this.name, i: id, t: this.deadLetter.name, seq: sequence, at: now });
      } else {
        m.visibleAt = now + this.spec.visibilityTimeoutMs;
        this.journal?.append({ o: 'v', q: this.name, i: id, v: m.visibleAt });
      }
    }
    this.notify();
  }

  /** Takes a message redriven from its source queue; the source journals the move. */
  private adopt(m: LocalMessage): number {
    const sequence = ++this.sequence;
    this.items.set(m.messageId, { ...m, inFlight: false, visibleAt: this.clock(), sequence });
    this.bytes += sizeOf(m);
    this.notify();
    return sequence;
  }

  liveBytes(): number {
    return this.bytes;
  }

  /** What is live, for the journal's snapshot: messages (with their leases) and deduplication ids in their window. */
  snapshot() {
    const now = this.clock();
    return {
      messages: [...this.items.values()].map(stored),
      dedup: [...this.dedup].filter(([, d]) => now - d.at < DEDUP_WINDOW_MS).map(([key, d]) => ({ key, ...d })),
    };
  }

  /**
   * When the next invisible message becomes visible, for the consumer's sleep. Messages already visible but held
   * behind their group's head do not count: the head's completion wakes the consumer through onChange.
   */
  nextVisibleAt(): number | undefined {
    const now = this.clock();
    let next: number | undefined;
    for (const m of this.items.values()) if (!m.inFlight && m.visibleAt > now && (next === undefined || m.visibleAt < next)) next = m.visibleAt;
    return next;
  }

  get depth(): number {
    return this.items.size;
  }

  get inFlightCount(): number {
    let n = 0;
    for (const m of this.items.values()) if (m.inFlight) n += 1;
    return n;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private notify(): void {
    for (const l of this.listeners) l();
  }

  toRecord(m: LocalMessage, arn: string, region: string): SQSRecord {
    return {
      messageId: m.messageId,
      receiptHandle: `${m.messageId}#${m.receiveCount}`,
      body: m.body,
      attributes: {
        ApproximateReceiveCount: String(m.receiveCount),
        SentTimestamp: String(m.sentAt),
        SenderId: 'local',
        ApproximateFirstReceiveTimestamp: String(m.firstReceivedAt ?? m.sentAt),
        ...(m.groupId ? { MessageGroupId: m.groupId, SequenceNumber: String(m.sequence) } : {}),
        ...(m.deduplicationId ? { MessageDeduplicationId: m.deduplicationId } : {}),
      },
      messageAttributes: {},
      md5OfBody: createHash('md5').update(m.body).digest('hex'),
      eventSource: 'aws:sqs',
      eventSourceARN: arn,
      awsRegion: region,
    };
  }
}

export type BatchHandler = (event: SQSEvent) => Promise<SQSBatchResponse | void>;

/**
 * Polls a queue and invokes its consumer with up to `batchSize` records, `concurrency` batches at a time. A thrown
 * error fails the whole batch; `batchItemFailures` fail just those records; the rest are deleted.
 */
export class QueueConsumer {
  private running = false;
  private active = 0;
  private wake?: () => void;
  private loop?: Promise<void>;
  private readonly inflight = new Set<Promise<void>>();
  errors = 0;

  constructor(
    private readonly queue: LocalQueue,
    private readonly handler: BatchHandler,
    private readonly options: { concurrency: number; arn: string; region: string; onError?: (e: unknown) => void },
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    const unsubscribe = this.queue.onChange(() => this.wake?.());
    this.loop = this.run().finally(unsubscribe);
  }

  /**
   * Stops taking batches and waits for those in flight, until `deadline` (epoch ms) when given. Returns false when
   * some were still running at the deadline: their messages stay leased and come back after the visibility timeout.
   */
  async stop(deadline?: number): Promise<boolean> {
    this.running = false;
    this.wake?.();
    await this.loop;
    const all = Promise.allSettled([...this.inflight]).then(() => true);
    if (deadline === undefined) return all;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), Math.max(0, deadline - Date.now()))));
    return Promise.race([all, late]).finally(() => clearTimeout(timer));
  }

  get busy(): boolean {
    return this.active > 0;
  }

  private async run(): Promise<void> {
    while (this.running) {
      if (this.active < this.options.concurrency) {
        const batch = this.queue.receive(this.queue.spec.batchSize);
        if (batch.length > 0) {
          this.dispatch(batch);
          continue;
        }
      }
      const next = this.queue.nextVisibleAt();
      const sleep = next === undefined ? 1000 : Math.max(1, Math.min(1000, next - Date.now()));
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, sleep);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  private dispatch(batch: LocalMessage[]): void {
    this.active += 1;
    const event: SQSEvent = { Records: batch.map((m) => this.queue.toRecord(m, this.options.arn, this.options.region)) };
    const work = (async () => {
      let failed: string[];
      try {
        const response = await this.handler(event);
        failed = (response?.batchItemFailures ?? []).map((f) => f.itemIdentifier);
      } catch (error) {
        this.errors += 1;
        this.options.onError?.(error);
        failed = batch.map((m) => m.messageId);
      }
      const failedSet = new Set(failed);
      this.queue.ack(batch.map((m) => m.messageId).filter((id) => !failedSet.has(id)));
      this.queue.fail(failedSet);
    })().finally(() => {
      this.active -= 1;
      this.inflight.delete(work);
      this.wake?.();
    });
    this.inflight.add(work);
  }
}
