/** /admin/queues: queues, their strategy, and their member agents. */
import { queueCreateSchema, queueListQuery, queuePatchSchema } from '../shared/admin/queue-schema';
import { httpApi, json, noContent, type RouteHandler } from '../shared/http/api';
import { adminAccess } from '../shared/http/guard';
import { requestServe } from '../shared/routing/service';
import { addMember, membersOf, removeMember } from '../shared/store/memberships';
import { createQueue, deleteQueue, listQueues, requireQueue, updateQueue, type Queue } from '../shared/store/queues';
import { paginate, type ListQuery } from '../shared/store/util';
import { parseInput } from '../shared/validation';

const guarded =
  (route: RouteHandler): RouteHandler =>
  async (req) => {
    await adminAccess(req);
    return route(req);
  };

export const handler = httpApi({
  'GET /admin/queues': guarded(async (req) => {
    const query = parseInput(queueListQuery, req.query, 'query');
    const all = (await listQueues()).filter((q) => !query.strategy || q.strategy === query.strategy);
    const page = paginate(all as unknown as Record<string, unknown>[], query as ListQuery, ['name', 'description'], ['name', 'strategy', 'createdAt', 'updatedAt']);
    return json(200, page);
  }),

  'POST /admin/queues': guarded(async (req) => json(201, await createQueue(parseInput(queueCreateSchema, req.json())))),

  'GET /admin/queues/{id}': guarded(async (req) => json(200, await requireQueue(req.params.id!))),

  'PATCH /admin/queues/{id}': guarded(async (req) => {
    const patch = parseInput(queuePatchSchema, req.json());
    const current = await requireQueue(req.params.id!);
    const { description, ...rest } = patch;
    const next: Queue = { ...current, ...rest };
    if (description === null) delete next.description;
    else if (description !== undefined) next.description = description;
    return json(200, await updateQueue(current, next));
  }),

  'DELETE /admin/queues/{id}': guarded(async (req) => {
    await requireQueue(req.params.id!);
    await deleteQueue(req.params.id!);
    return noContent();
  }),

  'GET /admin/queues/{id}/agents': guarded(async (req) => {
    await requireQueue(req.params.id!);
    return json(200, { agentIds: await membersOf('QUEUE', req.params.id!) });
  }),

  'PUT /admin/queues/{id}/agents/{agentId}': guarded(async (req) => {
    await addMember('QUEUE', req.params.id!, req.params.agentId!);
    // A new member with room is offered what already waits in the queue.
    await requestServe([req.params.agentId!]);
    return noContent();
  }),

  'DELETE /admin/queues/{id}/agents/{agentId}': guarded(async (req) => {
    await requireQueue(req.params.id!);
    await removeMember('QUEUE', req.params.id!, req.params.agentId!);
    return noContent();
  }),
});
