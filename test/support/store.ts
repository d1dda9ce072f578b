/** Creates this test file's table on the run's dynoxide before its tests. */
import { ensureTable } from '../../lib/local/table';

export function useTestTable(): void {
  beforeAll(async () => {
    await ensureTable(process.env.DDB_ENDPOINT!, process.env.TABLE_NAME!);
  });
}
