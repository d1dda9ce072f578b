/** /supervisor: the live board of queues, accounts and agents, for supervisors and admins. */
import { httpApi, json } from '../shared/http/api';
import { requireRoles } from '../shared/http/guard';
import { readBoard } from '../shared/routing/board-read';
import { boardQuery } from '../shared/admin/queue-schema';
import { parseInput } from '../shared/validation';
import { NotFoundError } from '../shared/errors';
import { getTeam } from '../shared/store/teams';

export const handler = httpApi({
  'GET /supervisor/board': async (req) => {
    await requireRoles(req, 'admin', 'supervisor');
    const { accountId, teamId } = parseInput(boardQuery, req.query, 'query');
    if (teamId && !(await getTeam(teamId))) throw new NotFoundError(`team ${teamId}`);
    return json(200, await readBoard({ ...(accountId ? { accountId } : {}), ...(teamId ? { teamId } : {}) }));
  },
});
