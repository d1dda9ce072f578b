/** /admin/teams: teams of agents and their members (lists of interactions and the board filter by team). */
import { teamCreateSchema, teamListQuery, teamPatchSchema } from '../shared/admin/team-schema';
import { httpApi } from '../shared/http/api';
import { teams } from '../shared/store/teams';
import { groupRoutes } from '../shared/admin/group-routes';

export const handler = httpApi(
  groupRoutes({
    base: '/admin/teams',
    kind: 'TEAM',
    repo: teams,
    createSchema: teamCreateSchema,
    patchSchema: teamPatchSchema,
    listQuery: teamListQuery,
    sortable: ['name', 'createdAt', 'updatedAt'],
  }),
);
