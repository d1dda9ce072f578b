/**
 * GET /health: ready means the function runs, the store answers and the first start's bootstrap (the first admin)
 * is done; until then 503 with `status: "starting"`.
 */
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { anonymousHttpApi, json } from '../shared/http/edge';
import { dynamo, TABLE } from '../shared/store/client';
import { isBootstrapped } from '../shared/store/system';

export const handler = anonymousHttpApi({
  'GET /health': async () => {
    const started = Date.now();
    try {
      const out = await dynamo.send(new DescribeTableCommand({ TableName: TABLE }));
      const status = out.Table?.TableStatus ?? 'UNKNOWN';
      const store = { status, latencyMs: Date.now() - started };
      if (status !== 'ACTIVE') return json(503, { status: 'degraded', store });
      if (!(await isBootstrapped())) return json(503, { status: 'starting', store, bootstrap: 'pending' }, { 'retry-after': '1' });
      return json(200, { status: 'ok', store });
    } catch (error) {
      return json(503, { status: 'down', store: { status: 'UNREACHABLE', error: (error as Error).name } });
    }
  },
});
