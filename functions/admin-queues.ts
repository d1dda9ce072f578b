/** /admin/queues: queues, their strategy, and their member agents. */
import { queueCreateSchema, queueListQuery, queuePatchSchema } from '../shared/admin/queue-schema';
import { httpApi } from '../shared/http/api';
import { requestServe } from '../shared/routing/serve-request';
import { queues } from '../shared/store/queues';
import { groupRoutes } from '../shared/admin/group-routes';

export const handler = httpApi(
  groupRoutes({
    base: '/admin/queues',
    kind: 'QUEUE',
    repo: queues,
    createSchema: queueCreateSchema,
    patchSchema: queuePatchSchema,
    listQuery: queueListQuery,
    sortable: ['name', 'strategy', 'createdAt', 'updatedAt'],
    filter: (queue, query) => !query.strategy || queue.strategy === query.strategy,
    // A new member with room is offered what already waits in the queue.
    memberAdded: (agentId) => requestServe([agentId]),
  }),
);
