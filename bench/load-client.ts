/**
 * The benchmark's load generator: an open-loop HTTP client that sends freshly signed Twilio webhooks at a fixed
 * (adjustable) rate, never waiting for one answer before sending the next, over keep-alive connections.
 *
 * It runs either in a worker thread (the default: its own event loop, so the client's work never queues in front
 * of the engine's handlers, which share the main thread) or inline, in the engine's event loop. `bench/run.ts`
 * explains which one it uses and why.
 */
import { Agent, request } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import { twilioProvider } from '../shared/providers/twilio';
import type { AccountContext } from '../shared/providers/types';

export interface ClientSetup {
  /** The engine's HTTP address: requests go there. */
  httpUrl: string;
  /** The public receive URL the signature covers (same path as on httpUrl). */
  publicUrl: string;
  account: AccountContext;
  credentials: { accountSid: string; authToken: string };
}

export interface RunSpec {
  /** Requests per second; the `rate` message changes it during the run. */
  ratePerSec: number;
  durationMs: number;
  contacts: string[];
  /** Prefix of the provider message ids of this run (kept unique per run). */
  idPrefix: string;
  /** Send a `tick` with progress every this many ms (0: none). */
  tickMs?: number;
}

export interface SentRecord {
  providerMessageId: string;
  contact: string;
  /** When it was sent, epoch ms with sub-millisecond precision (comparable across threads). */
  sentAt: number;
  /** HTTP status, or 0 for a transport error. */
  status: number;
}

export interface RunResult {
  sent: number;
  acked: number;
  errors: number;
  /** Acknowledgement latency of each acknowledged request, ms, from the moment it was sent. */
  latencies: number[];
  /** How late each send left against its schedule, ms (the client's own lag). */
  lags: number[];
  records: SentRecord[];
  elapsedMs: number;
  /** How long the sends took (the schedule), ms; elapsedMs also waits for the last answers. */
  sendWindowMs: number;
  /** Status codes other than 200, and transport errors by code, with their counts. */
  failures: Record<string, number>;
}

export interface Tick {
  sent: number;
  acked: number;
  errors: number;
  inflight: number;
  /** Latencies of the answers since the previous tick. */
  recent: number[];
}

/** Provider message id: `SM` + 32 hex like Twilio's, the run prefix and a sequence number inside. */
export function messageId(prefix: string, seq: number): string {
  const hex = `${prefix}${seq.toString(16).padStart(8, '0')}`;
  return `SM${hex.padStart(32, '0').slice(-32)}`;
}

export class LoadClient {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 512, keepAliveMsecs: 10_000 });
  private readonly target: URL;
  private rate = 0;

  constructor(private readonly setup: ClientSetup) {
    this.target = new URL(new URL(setup.publicUrl).pathname, setup.httpUrl);
  }

  setRate(ratePerSec: number): void {
    this.rate = ratePerSec;
  }

  /** One signed webhook, sent now; resolves with the status (0 on a transport error) and the latency. */
  send(providerMessageId: string, from: string, text: string): Promise<{ status: number; ms: number; error?: string }> {
    const spec = twilioProvider.simulateInbound(
      { url: this.setup.publicUrl, providerMessageId, from, to: this.setup.account.phone, text, timestampMs: Date.now() },
      this.setup.credentials,
      this.setup.account,
    );
    const body = Buffer.from(spec.body ?? '');
    const started = performance.now();
    return new Promise((resolve) => {
      const req = request(
        this.target,
        { method: 'POST', agent: this.agent, headers: { ...spec.headers, 'content-length': String(body.length) } },
        (res) => {
          res.on('data', () => undefined);
          res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }));
          res.on('error', () => resolve({ status: 0, ms: performance.now() - started }));
        },
      );
      req.on('error', (error: NodeJS.ErrnoException) => resolve({ status: 0, ms: performance.now() - started, error: error.code ?? error.message }));
      req.end(body);
    });
  }

  /** Open loop: send i leaves at start + i/rate whatever the earlier ones are doing. */
  async run(spec: RunSpec, onTick?: (tick: Tick) => void): Promise<RunResult> {
    this.rate = spec.ratePerSec;
    const result: RunResult = { sent: 0, acked: 0, errors: 0, latencies: [], lags: [], records: [], elapsedMs: 0, sendWindowMs: 0, failures: {} };
    const pending = new Set<Promise<void>>();
    let recent: number[] = [];
    const start = performance.now();
    const end = start + spec.durationMs;
    let nextAt = start;
    let nextTick = start + (spec.tickMs ?? 0);
    let seq = 0;
    for (;;) {
      const now = performance.now();
      if (now >= end) break;
      while (nextAt <= now && nextAt < end) {
        const contact = spec.contacts[seq % spec.contacts.length] ?? '+393330000000';
        const id = messageId(spec.idPrefix, seq);
        const record: SentRecord = { providerMessageId: id, contact, sentAt: performance.timeOrigin + performance.now(), status: 0 };
        result.records.push(record);
        result.lags.push(now - nextAt);
        result.sent += 1;
        const p = this.send(id, contact, `bench message ${seq}`).then(({ status, ms, error }) => {
          record.status = status;
          if (status === 200) {
            result.acked += 1;
            result.latencies.push(ms);
            recent.push(ms);
          } else {
            result.errors += 1;
            const key = status === 0 ? `transport error ${error ?? ''}`.trim() : `HTTP ${status}`;
            result.failures[key] = (result.failures[key] ?? 0) + 1;
          }
          pending.delete(p);
        });
        pending.add(p);
        seq += 1;
        nextAt += 1000 / this.rate;
      }
      if (onTick && spec.tickMs && now >= nextTick) {
        onTick({ sent: result.sent, acked: result.acked, errors: result.errors, inflight: pending.size, recent });
        recent = [];
        nextTick += spec.tickMs;
      }
      await new Promise((r) => setTimeout(r, Math.max(0, Math.min(nextAt, end) - performance.now())));
    }
    result.sendWindowMs = performance.now() - start;
    await Promise.all(pending);
    result.elapsedMs = performance.now() - start;
    return result;
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Messages between bench/run.ts and the worker. */
export type ToWorker = { type: 'run'; spec: RunSpec } | { type: 'rate'; ratePerSec: number } | { type: 'close' };
export type FromWorker = { type: 'tick'; tick: Tick } | { type: 'done'; result: RunResult } | { type: 'error'; message: string };

// Worker entry: bench/run.ts starts this file in a worker thread with the ClientSetup as workerData.
if (parentPort && (workerData as { loadClient?: ClientSetup } | undefined)?.loadClient) {
  const port = parentPort;
  const client = new LoadClient((workerData as { loadClient: ClientSetup }).loadClient);
  port.on('message', (message: ToWorker) => {
    if (message.type === 'rate') client.setRate(message.ratePerSec);
    else if (message.type === 'close') {
      client.close();
      port.close();
    } else {
      client
        .run(message.spec, (tick) => port.postMessage({ type: 'tick', tick } satisfies FromWorker))
        .then((result) => port.postMessage({ type: 'done', result } satisfies FromWorker))
        .catch((error: Error) => port.postMessage({ type: 'error', message: error.message } satisfies FromWorker));
    }
  });
}
