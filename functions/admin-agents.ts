/**
 * /admin/agents: agents of every role, their invitation links, and their queue and account memberships. A change
 * that revokes the user (password, disable, lock, role) raises its token version and closes its sockets; so does a
 * delete.
 */
import { stringify } from 'csv-stringify/sync';
import { agentCreateSchema, agentListQuery, agentPatchSchema, idsSchema } from '../shared/admin/agent-schema';
import { invitationLink, inviteAgent, newInviteId } from '../shared/admin/invitations';
import { ValidationError } from '../shared/errors';
import { hashPassword } from '../shared/domain/password';
import { defaultCapacity } from '../shared/domain/queueing';
import { requestServe } from '../shared/routing/serve-request';
import { httpApi, json, noContent, type HttpRequest, type RouteHandler } from '../shared/http/api';
import { adminAccess } from '../shared/http/guard';
import { endSessions } from '../shared/realtime/sessions';
import { agentView, createAgent, deleteAgent, getAgent, listAgents, requireAgent, updateAgent, type Agent } from '../shared/store/agents';
import { membershipKeysOfAgent, parentsOf } from '../shared/store/memberships';
import { paginate } from '../shared/store/util';
import { agentFields, searchItems } from '../shared/admin/search-fields';
import { searchSchema } from '../shared/admin/search-schema';
import { parseInput } from '../shared/validation';

const guarded =
  (route: (req: HttpRequest, user: Agent) => Promise<ReturnType<typeof json>>): RouteHandler =>
  async (req) =>
    route(req, await adminAccess(req));

function checkDistinct(fullName: string | undefined, extension: string | undefined): void {
  if (fullName !== undefined && extension !== undefined && fullName.trim() === extension) {
    throw new ValidationError('the full name must differ from the extension', [{ path: 'body.fullName', message: 'must differ from the extension' }]);
  }
}

/** A new password, disabling, locking or a new role ends every token and socket the user has. */
function revokesTokens(current: Agent, changes: Partial<Agent>): boolean {
  return (
    changes.passwordHash !== undefined ||
    (changes.disabled === true && !current.disabled) ||
    (changes.locked === true && !current.locked) ||
    (changes.role !== undefined && changes.role !== current.role)
  );
}

export const handler = httpApi({
  'POST /admin/agents/search': guarded(async (req) => json(200, searchItems((await listAgents()).map(agentView), parseInput(searchSchema, req.json()), agentFields))),

  'GET /admin/agents': guarded(async (req) => {
    const query = parseInput(agentListQuery, req.query, 'query');
    const all = (await listAgents()).filter(
      (a) =>
        (!query.typology || a.typology === query.typology) &&
        (!query.role || a.role === query.role) &&
        (!query.disabled || String(a.disabled) === query.disabled) &&
        (!query.locked || String(a.locked) === query.locked),
    );
    const page = paginate(all.map(agentView) as unknown as Record<string, unknown>[], query, ['fullName', 'username', 'email', 'extension', 'alias'], [
      'fullName',
      'username',
      'extension',
      'createdAt',
      'updatedAt',
    ]);
    return json(200, page);
  }),

  'POST /admin/agents': guarded(async (req) => {
    const input = parseInput(agentCreateSchema, req.json());
    checkDistinct(input.fullName, input.extension);
    const { password, ...fields } = input;
    const agent = await createAgent({ ...fields, ...(password ? { passwordHash: await hashPassword(password) } : {}) });
    if (input.extension === undefined && agent.fullName.trim() === agent.extension) {
      // A generated extension that happens to equal the name: pick the next one.
      return json(201, agentView(await updateAgent(agent, { extension: String(Number(agent.extension) + 1) })));
    }
    return json(201, agentView(agent));
  }),

  'GET /admin/agents/export': guarded(async (req) => {
    const ids = (req.query.ids ?? '').split(',').filter(Boolean);
    if (ids.length === 0) throw new ValidationError('choose the agents to export', [{ path: 'query.ids', message: 'comma-separated agent ids' }]);
    const agents = (await Promise.all(ids.map((id) => getAgent(id)))).filter((a): a is Agent => Boolean(a));
    const csv = stringify(
      agents.map((a) => [a.id, a.username, a.fullName, a.alias ?? '', a.email ?? '', a.extension, a.typology, a.role, a.disabled, a.locked, a.createdAt]),
      { header: true, columns: ['id', 'username', 'fullName', 'alias', 'email', 'extension', 'typology', 'role', 'disabled', 'locked', 'createdAt'] },
    );
    return { statusCode: 200, headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': 'attachment; filename="agents.csv"' }, body: csv };
  }),

  'POST /admin/agents/bulk-delete': guarded(async (req, user) => {
    const { ids } = parseInput(idsSchema, req.json());
    if (ids.includes(user.id)) throw new ValidationError('you cannot delete yourself', [{ path: 'body.ids', message: 'contains your own id' }]);
    let deleted = 0;
    for (const id of ids) {
      const agent = await getAgent(id);
      if (agent) {
        await deleteAgent(agent, await membershipKeysOfAgent(id));
        await endSessions(id);
        deleted += 1;
      }
    }
    return json(200, { deleted });
  }),

  'GET /admin/agents/{id}': guarded(async (req) => json(200, agentView(await requireAgent(req.params.id!)))),

  'PATCH /admin/agents/{id}': guarded(async (req, user) => {
    const patch = parseInput(agentPatchSchema, req.json());
    const current = await requireAgent(req.params.id!);
    if (current.id === user.id && (patch.role !== undefined && patch.role !== 'admin' || patch.disabled === true)) {
      throw new ValidationError('you cannot demote or disable yourself', [{ path: patch.disabled ? 'body.disabled' : 'body.role', message: 'not on your own user' }]);
    }
    const { password, locked, alias, email, description, remoteControlPort, pushGateway, capacity, ...rest } = patch;
    const changes: Partial<Agent> = { ...rest };
    const before = current.capacity ?? defaultCapacity();
    if (capacity) changes.capacity = { sms: capacity.sms ?? before.sms, whatsapp: capacity.whatsapp ?? before.whatsapp };
    const nullable = { alias, email, description, remoteControlPort, pushGateway };
    for (const [k, v] of Object.entries(nullable)) if (v !== undefined) (changes as Record<string, unknown>)[k] = v ?? undefined;
    if (password) changes.passwordHash = await hashPassword(password);
    if (locked !== undefined) changes.locked = locked;
    checkDistinct(changes.fullName ?? current.fullName, changes.extension ?? current.extension);
    const revokes = revokesTokens(current, changes);
    if (revokes) changes.tokenVersion = (current.tokenVersion ?? 0) + 1;
    const next = await updateAgent(current, changes);
    if (revokes) await endSessions(next.id);
    // A raised capacity is room for the longest-waiting interaction of the agent's queues.
    if (changes.capacity && (changes.capacity.sms > before.sms || changes.capacity.whatsapp > before.whatsapp)) await requestServe([next.id]);
    return json(200, agentView(next));
  }),

  'DELETE /admin/agents/{id}': guarded(async (req, user) => {
    if (req.params.id === user.id) throw new ValidationError('you cannot delete yourself', [{ path: 'path.id', message: 'your own id' }]);
    const agent = await requireAgent(req.params.id!);
    await deleteAgent(agent, await membershipKeysOfAgent(agent.id));
    await endSessions(agent.id);
    return noContent();
  }),

  'POST /admin/agents/{id}/invitation': guarded(async (req) => {
    const agent = await requireAgent(req.params.id!);
    const inviteId = newInviteId();
    await updateAgent(agent, { inviteId });
    return json(201, await invitationLink(agent, inviteId));
  }),

  // Select agents, send the invitation: mailed where mail is configured and the agent has an address, else the link.
  'POST /admin/agents/invitations': guarded(async (req) => {
    const { ids } = parseInput(idsSchema, req.json());
    const agents = await Promise.all(ids.map((id) => getAgent(id)));
    const missing = ids.filter((_, i) => !agents[i]);
    if (missing.length) throw new ValidationError('unknown agent ids', missing.map((id) => ({ path: `body.ids[${ids.indexOf(id)}]`, message: `no agent ${id}` })));
    const results = [];
    for (const agent of agents) results.push(await inviteAgent(agent!));
    return json(200, { results });
  }),

  'GET /admin/agents/{id}/queues': guarded(async (req) => {
    await requireAgent(req.params.id!);
    return json(200, { queueIds: await parentsOf('QUEUE', req.params.id!) });
  }),

  'GET /admin/agents/{id}/accounts': guarded(async (req) => {
    await requireAgent(req.params.id!);
    return json(200, { accountIds: await parentsOf('ACCOUNT', req.params.id!) });
  }),
});
