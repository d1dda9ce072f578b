/**
 * Runs function invocations in a worker thread (see function-host.ts): the engine uses it for the queue consumers
 * so that webhooks and the APIs answer from the main thread while messages are processed on the other core.
 */
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';

export class FunctionWorker {
  private readonly worker: Worker;
  private next = 0;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  /** `nice`: how much lower than the engine's HTTP thread this thread runs (see lowerThisThread). */
  constructor(nice = 0) {
    this.worker = new Worker(join(__dirname, 'function-worker.js'), { env: process.env, workerData: { nice } });
    this.worker.on('message', (m: { id: number; result?: unknown; error?: { name: string; message: string; stack?: string } }) => {
      const waiter = this.pending.get(m.id);
      if (!waiter) return;
      this.pending.delete(m.id);
      if (m.error) waiter.reject(Object.assign(new Error(m.error.message), { name: m.error.name, stack: m.error.stack }));
      else waiter.resolve(m.result);
    });
    this.worker.on('error', (error) => {
      for (const waiter of this.pending.values()) waiter.reject(error);
      this.pending.clear();
    });
  }

  /** Invocations sent and not yet answered, so the engine can spread work over several workers. */
  get busy(): number {
    return this.pending.size;
  }

  invoke(entry: string, event: unknown, context: Record<string, unknown>): Promise<unknown> {
    const id = ++this.next;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, entry, event, context });
    });
  }

  async stop(): Promise<void> {
    await this.worker.terminate();
  }
}
