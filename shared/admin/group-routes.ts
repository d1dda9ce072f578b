/**
 * The admin routes of a named group of agents (queues, teams): list, create, read, patch, delete, and the members.
 * Each kind brings its schemas, its list filter and sort fields, and what follows a new member (a queue offers it
 * what already waits).
 */
import type * as z from 'zod/mini';
import { json, noContent, type RouteHandler } from '../http/api';
import { adminAccess } from '../http/guard';
import type { GroupBase, GroupRepository, NewGroup } from '../store/groups';
import { addMember, membersOf, removeMember } from '../store/memberships';
import { paginate, type ListQuery } from '../store/util';
import { parseInput } from '../validation';

export function groupRoutes<G extends GroupBase>(spec: {
  base: string;
  kind: 'QUEUE' | 'TEAM';
  repo: GroupRepository<G>;
  /** Schemas whose output is a new group, a patch of one (`description: null` removes it), and a list query. */
  createSchema: z.ZodMiniType;
  patchSchema: z.ZodMiniType;
  listQuery: z.ZodMiniType;
  sortable: string[];
  filter?: (group: G, query: Record<string, unknown>) => boolean;
  memberAdded?: (agentId: string) => Promise<void>;
}): Record<string, RouteHandler> {
  const { base, kind, repo } = spec;
  const guarded =
    (route: RouteHandler): RouteHandler =>
    async (req) => {
      await adminAccess(req);
      return route(req);
    };
  return {
    [`GET ${base}`]: guarded(async (req) => {
      const query = parseInput(spec.listQuery, req.query, 'query') as ListQuery & Record<string, unknown>;
      const all = (await repo.list()).filter((g) => !spec.filter || spec.filter(g, query));
      return json(200, paginate(all as unknown as Record<string, unknown>[], query, ['name', 'description'], spec.sortable));
    }),

    [`POST ${base}`]: guarded(async (req) => json(201, await repo.create(parseInput(spec.createSchema, req.json()) as NewGroup<G>))),

    [`GET ${base}/{id}`]: guarded(async (req) => json(200, await repo.require(req.params.id!))),

    [`PATCH ${base}/{id}`]: guarded(async (req) => {
      const { description, ...rest } = parseInput(spec.patchSchema, req.json()) as Partial<G> & { description?: string | null };
      const current = await repo.require(req.params.id!);
      const next: G = { ...current, ...rest };
      if (description === null) delete next.description;
      else if (description !== undefined) next.description = description;
      return json(200, await repo.update(current, next));
    }),

    [`DELETE ${base}/{id}`]: guarded(async (req) => {
      await repo.require(req.params.id!);
      await repo.remove(req.params.id!);
      return noContent();
    }),

    [`GET ${base}/{id}/agents`]: guarded(async (req) => {
      await repo.require(req.params.id!);
      return json(200, { agentIds: await membersOf(kind, req.params.id!) });
    }),

    [`PUT ${base}/{id}/agents/{agentId}`]: guarded(async (req) => {
      await addMember(kind, req.params.id!, req.params.agentId!);
      await spec.memberAdded?.(req.params.agentId!);
      return noContent();
    }),

    [`DELETE ${base}/{id}/agents/{agentId}`]: guarded(async (req) => {
      await repo.require(req.params.id!);
      await removeMember(kind, req.params.id!, req.params.agentId!);
      return noContent();
    }),
  };
}
