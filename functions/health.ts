/** GET /health: answers when the function runs and the store answers. */
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { httpApi, json } from '../shared/http/api';
import { dynamo, TABLE } from '../shared/store/client';

export const handler = httpApi({
  'GET /health': async () => {
    const started = Date.now();
    try {
      const out = await dynamo.send(new DescribeTableCommand({ TableName: TABLE }));
      const status = out.Table?.TableStatus ?? 'UNKNOWN';
      const ok = status === 'ACTIVE';
      return json(ok ? 200 : 503, { status: ok ? 'ok' : 'degraded', store: { status, latencyMs: Date.now() - started } });
    } catch (error) {
      return json(503, { status: 'down', store: { status: 'UNREACHABLE', error: (error as Error).name } });
    }
  },
});
