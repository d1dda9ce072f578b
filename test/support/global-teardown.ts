/** Stops the run's dynoxide. */
import type { RunningStore } from '../../lib/local/dynoxide';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __switchboardStore?: RunningStore }).__switchboardStore?.stop();
}
