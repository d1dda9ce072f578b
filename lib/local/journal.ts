/**
 * The local queues' journal: an append-only file of JSON lines under the engine's data directory, so that what a
 * queue accepted survives a stop, a crash or a kill -9 of the engine.
 *
 * - Every change to a queue (send, receive, delete, return after a failure, move to the dead-letter queue) appends
 *   one line. Writes are grouped: whatever was appended while the previous write and fdatasync ran goes out in the
 *   next one (group commit), so a burst of sends costs one fsync, not one each.
 * - `flushed()` resolves once everything appended so far is on disk: the SQS endpoint and the in-thread sink await
 *   it before they answer, so a webhook answers 200 (and a reply 202) only after its message is durable.
 * - Only a send starts a write at once. A receive, a delete, a return or a move to the dead-letter queue waits for the
 *   next send's write, or at most LAZY_FLUSH_MS: losing one to a crash costs a redelivery, which every consumer takes
 *   (at least once, as SQS), never a message. Each of them starting its own write and fdatasync had the journal
 *   flushing several times per message (about 0.3 ms of the engine's CPU each, here).
 * - Replay is idempotent and tolerates a torn last line (a crash mid-write): a line that does not parse ends the
 *   replay of that file, and nothing after it was ever acknowledged.
 * - The file is rewritten as a snapshot of what is live (messages and deduplication ids) at every start and
 *   whenever it has grown well past what is live, so it stays proportional to the queues' depth.
 */
import { closeSync, constants, existsSync, fdatasyncSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

/** A message as the journal keeps it (the queue's own fields, without the in-memory `inFlight` flag). */
export interface JournalMessage {
  messageId: string;
  body: string;
  groupId?: string;
  deduplicationId?: string;
  sentAt: number;
  visibleAt: number;
  receiveCount: number;
  firstReceivedAt?: number;
  sequence: number;
  /** Received and not yet deleted: invisible until `visibleAt` (the visibility timeout), then seen again. */
  leased?: boolean;
}

export type JournalRecord =
  /** sent (or adopted by a dead-letter queue) */
  | { o: 's'; q: string; m: JournalMessage }
  /** received: leased until `v`, receive count `n` */
  | { o: 'r'; q: string; i: string; v: number; n: number; f: number }
  /** deleted after its consumer succeeded */
  | { o: 'd'; q: string; i: string }
  /** back in the queue after a failure, visible at `v` */
  | { o: 'v'; q: string; i: string; v: number }
  /** moved to the dead-letter queue `t` */
  | { o: 'm'; q: string; i: string; t: string; seq: number; at: number }
  /** a deduplication id still inside its window (snapshots only) */
  | { o: 'x'; q: string; k: string; i: string; a: number };

/** What a queue gives the journal for a snapshot, and takes back at recovery. */
export interface JournaledQueue {
  readonly name: string;
  /** About how many bytes its live messages take in a snapshot, so the journal knows when to compact. */
  liveBytes(): number;
  snapshot(): { messages: JournalMessage[]; dedup: { key: string; messageId: string; at: number }[] };
}

export interface RecoveredQueue {
  messages: Map<string, JournalMessage>;
  dedup: Map<string, { messageId: string; at: number }>;
}

const COMPACT_MIN_BYTES = 32 * 1024 * 1024;

/**
 * Appends, each write durable before it returns (O_DSYNC: as if followed by fdatasync), so a flush is one trip to the
 * thread pool instead of a write and then an fdatasync. Where the platform has no O_DSYNC, the flush syncs itself.
 */
const APPEND_DSYNC = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | (constants.O_DSYNC ?? 0);
const SYNCS_ITS_WRITES = constants.O_DSYNC !== undefined;

/** How long a record that need not be durable at once (anything but a send) may wait for a write. */
export const LAZY_FLUSH_MS = 25;

export class QueueJournal {
  private handle?: FileHandle;
  private buffer: string[] = [];
  private waiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  private flushing?: Promise<void>;
  /** Writes what waits without a send to carry it (see LAZY_FLUSH_MS). */
  private lazyFlush?: NodeJS.Timeout;
  private size = 0;
  private closed = false;
  private readonly queues = new Map<string, JournaledQueue>();
  /** Appends that failed to reach the disk; the next flushed() rejects so no caller acknowledges them. */
  private failure?: Error;

  private constructor(
    readonly file: string,
    readonly recovered: Map<string, RecoveredQueue>,
    private readonly compactMinBytes: number,
  ) {}

  /**
   * Opens (and replays) the journal in `dir`. Call register() for each queue, then start(). While running, the file
   * is compacted once it is over `compactMinBytes` and four times what is live.
   */
  static open(dir: string, options: { compactMinBytes?: number } = {}): QueueJournal {
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'queues.journal');
    return new QueueJournal(file, existsSync(file) ? replay(readFileSync(file, 'utf8')) : new Map(), options.compactMinBytes ?? COMPACT_MIN_BYTES);
  }

  register(queue: JournaledQueue): RecoveredQueue | undefined {
    this.queues.set(queue.name, queue);
    return this.recovered.get(queue.name);
  }

  /** Writes a fresh snapshot of the registered queues (what was recovered, compacted) and opens it for appends. */
  async start(): Promise<void> {
    this.compact();
    this.handle = await open(this.file, APPEND_DSYNC);
  }

  append(record: JournalRecord): void {
    if (this.closed) return;
    this.buffer.push(`${JSON.stringify(record)}\n`);
    if (record.o === 's') this.flushing ??= this.flushLoop();
    else
      this.lazyFlush ??= setTimeout(() => {
        this.lazyFlush = undefined;
        this.flushing ??= this.flushLoop();
      }, LAZY_FLUSH_MS).unref();
  }

  /** Resolves once everything appended so far is written and flushed to disk. */
  flushed(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.buffer.length === 0 && !this.flushing) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.flushing ??= this.flushLoop();
    });
  }

  private async flushLoop(): Promise<void> {
    try {
      // Let the appends of this turn of the event loop join the first write.
      await new Promise<void>((r) => setImmediate(r));
      while (this.buffer.length > 0 || this.waiters.length > 0) {
        const chunk = this.buffer.join('');
        const waiters = this.waiters;
        this.buffer = [];
        this.waiters = [];
        try {
          if (chunk) {
            if (!this.handle) throw new Error('the queue journal is not open');
            await this.handle.write(chunk);
            if (!SYNCS_ITS_WRITES) await this.handle.datasync();
            this.size += Buffer.byteLength(chunk);
          }
          this.failure = undefined;
          waiters.forEach((w) => w.resolve());
        } catch (error) {
          this.failure = error as Error;
          waiters.forEach((w) => w.reject(error as Error));
        }
        if (this.size > this.compactMinBytes && this.size > 4 * this.live()) await this.compactOpen();
      }
    } finally {
      this.flushing = undefined;
    }
  }

  private live(): number {
    let bytes = 0;
    for (const queue of this.queues.values()) bytes += queue.liveBytes();
    return bytes;
  }

  private async compactOpen(): Promise<void> {
    await this.handle?.close();
    this.handle = undefined;
    // The snapshot is taken from the queues' memory, which already holds whatever is still in the buffer.
    const waiters = this.waiters;
    this.buffer = [];
    this.waiters = [];
    this.compact();
    this.handle = await open(this.file, APPEND_DSYNC);
    waiters.forEach((w) => w.resolve());
  }

  /** Synchronously rewrites the file as a snapshot: write a temporary file, fsync it, rename it over, fsync the dir. */
  private compact(): void {
    const lines: string[] = [];
    for (const queue of this.queues.values()) {
      const { messages, dedup } = queue.snapshot();
      for (const m of messages) lines.push(`${JSON.stringify({ o: 's', q: queue.name, m } satisfies JournalRecord)}\n`);
      for (const d of dedup) lines.push(`${JSON.stringify({ o: 'x', q: queue.name, k: d.key, i: d.messageId, a: d.at } satisfies JournalRecord)}\n`);
    }
    const tmp = `${this.file}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      // In slices, so a deep queue never builds one string of its whole size.
      for (let i = 0; i < lines.length; i += 1000) writeSync(fd, lines.slice(i, i + 1000).join(''));
      fdatasyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.file);
    const dirFd = openSync(join(this.file, '..'), 'r');
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
    this.size = statSync(this.file).size;
  }

  /** Flushes what is pending and closes the file; later appends are dropped (the engine is stopping). */
  async close(): Promise<void> {
    clearTimeout(this.lazyFlush);
    this.lazyFlush = undefined;
    await this.flushed().catch(() => undefined);
    await this.flushing;
    this.closed = true;
    await this.handle?.close();
    this.handle = undefined;
  }
}

/** Rebuilds each queue's messages and deduplication ids from the journal's lines. */
export function replay(text: string): Map<string, RecoveredQueue> {
  const queues = new Map<string, RecoveredQueue>();
  const of = (name: string) => {
    let q = queues.get(name);
    if (!q) queues.set(name, (q = { messages: new Map(), dedup: new Map() }));
    return q;
  };
  let start = 0;
  while (start < text.length) {
    const end = text.indexOf('\n', start);
    // A last line without its newline was torn by a crash: its write was never acknowledged.
    if (end === -1) break;
    const line = text.slice(start, end);
    start = end + 1;
    let r: JournalRecord;
    try {
      r = JSON.parse(line) as JournalRecord;
    } catch {
      break;
    }
    const q = of(r.q);
    switch (r.o) {
      case 's':
        if (!q.messages.has(r.m.messageId)) q.messages.set(r.m.messageId, r.m);
        if (r.m.deduplicationId) q.dedup.set(r.m.deduplicationId, { messageId: r.m.messageId, at: r.m.sentAt });
        break;
      case 'r': {
        const m = q.messages.get(r.i);
        if (m) Object.assign(m, { leased: true, visibleAt: r.v, receiveCount: r.n, firstReceivedAt: r.f });
        break;
      }
      case 'd':
        q.messages.delete(r.i);
        break;
      case 'v': {
        const m = q.messages.get(r.i);
        if (m) Object.assign(m, { leased: false, visibleAt: r.v });
        break;
      }
      case 'm': {
        const m = q.messages.get(r.i);
        if (!m) break;
        q.messages.delete(r.i);
        const target = of(r.t);
        if (!target.messages.has(r.i)) target.messages.set(r.i, { ...m, leased: false, visibleAt: r.at, sequence: r.seq });
        break;
      }
      case 'x':
        q.dedup.set(r.k, { messageId: r.i, at: r.a });
        break;
    }
  }
  return queues;
}
