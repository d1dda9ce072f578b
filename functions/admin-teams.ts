/** /admin/teams: teams of agents and their members (lists of interactions and the board filter by team). */
import { teamCreateSchema, teamListQuery, teamPatchSchema } from '../shared/admin/team-schema';
import { httpApi, json, noContent, type RouteHandler } from '../shared/http/api';
import { adminAccess } from '../shared/http/guard';
import { addMember, membersOf, removeMember } from '../shared/store/memberships';
import { createTeam, deleteTeam, listTeams, requireTeam, updateTeam, type Team } from '../shared/store/teams';
import { paginate, type ListQuery } from '../shared/store/util';
import { parseInput } from '../shared/validation';

const guarded =
  (route: RouteHandler): RouteHandler =>
  async (req) => {
    await adminAccess(req);
    return route(req);
  };

export const handler = httpApi({
  'GET /admin/teams': guarded(async (req) => {
    const query = parseInput(teamListQuery, req.query, 'query');
    const page = paginate((await listTeams()) as unknown as Record<string, unknown>[], query as ListQuery, ['name', 'description'], ['name', 'createdAt', 'updatedAt']);
    return json(200, page);
  }),

  'POST /admin/teams': guarded(async (req) => json(201, await createTeam(parseInput(teamCreateSchema, req.json())))),

  'GET /admin/teams/{id}': guarded(async (req) => json(200, await requireTeam(req.params.id!))),

  'PATCH /admin/teams/{id}': guarded(async (req) => {
    const patch = parseInput(teamPatchSchema, req.json());
    const current = await requireTeam(req.params.id!);
    const { description, ...rest } = patch;
    const next: Team = { ...current, ...rest };
    if (description === null) delete next.description;
    else if (description !== undefined) next.description = description;
    return json(200, await updateTeam(current, next));
  }),

  'DELETE /admin/teams/{id}': guarded(async (req) => {
    await requireTeam(req.params.id!);
    await deleteTeam(req.params.id!);
    return noContent();
  }),

  'GET /admin/teams/{id}/agents': guarded(async (req) => {
    await requireTeam(req.params.id!);
    return json(200, { agentIds: await membersOf('TEAM', req.params.id!) });
  }),

  'PUT /admin/teams/{id}/agents/{agentId}': guarded(async (req) => {
    await addMember('TEAM', req.params.id!, req.params.agentId!);
    return noContent();
  }),

  'DELETE /admin/teams/{id}/agents/{agentId}': guarded(async (req) => {
    await requireTeam(req.params.id!);
    await removeMember('TEAM', req.params.id!, req.params.agentId!);
    return noContent();
  }),
});
