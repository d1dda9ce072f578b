/**
 * One in-memory dynoxide for the whole integration run. Each test file makes its own table (see store.ts), so files
 * running in parallel never see each other's items. Workers inherit DDB_ENDPOINT from this process's environment.
 */
import { startDynoxide } from '../../lib/local/dynoxide';

export default async function globalSetup(): Promise<void> {
  const store = await startDynoxide();
  process.env.DDB_ENDPOINT = store.endpoint;
  process.env.SWITCHBOARD_TEST_STORE_PID = String(store.pid);
  (globalThis as { __switchboardStore?: typeof store }).__switchboardStore = store;
}
