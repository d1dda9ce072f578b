/**
 * /admin/accounts: SMS and WhatsApp accounts, their agents and whitelist lists, export and bulk delete. Removing an
 * agent from an account revokes the agent's tokens and closes its sockets, so what it was shown of the account
 * stops at once.
 */
import { idsSchema } from '../shared/admin/agent-schema';
import { accountCreateSchema, accountPatchSchema, whitelistSchema } from '../shared/admin/account-schema';
import { accountListQuery, accountsCsv, accountView, createAccount, listAccountViews, patchAccount, readOnlyProblems } from '../shared/admin/accounts';
import { ValidationError } from '../shared/errors';
import { httpApi, json, noContent, type HttpRequest, type HttpResult, type RouteHandler } from '../shared/http/api';
import { ULID } from '../shared/http/params';
import type { Agent } from '../shared/store/agents';
import * as z from 'zod/mini';
import { adminAccess } from '../shared/http/guard';
import { getAccount, listAllAccounts, removeAccount, requireAccount, type Account } from '../shared/store/accounts';
import { endSessions } from '../shared/realtime/sessions';
import { revokeTokens } from '../shared/store/agents';
import { addMember, membersOf, removeMember } from '../shared/store/memberships';
import { parseInput } from '../shared/validation';
import { accountFields, searchItems } from '../shared/admin/search-fields';
import { searchSchema } from '../shared/admin/search-schema';

const guarded =
  (route: (req: HttpRequest, me: Agent) => Promise<HttpResult>): RouteHandler =>
  async (req) =>
    route(req, await adminAccess(req));

/** Account ids of an export: 1 to 100 ULIDs. */
const exportQuery = z.object({
  ids: z.pipe(
    z.string().check(z.minLength(1, 'comma-separated account ids')),
    z.transform((s) => s.split(',').filter(Boolean)),
  ).check(z.refine((ids) => ids.length >= 1 && ids.length <= 100 && ids.every((id) => ULID.test(id)), 'comma-separated account ids (ULIDs), 1 to 100')),
});

async function revokeUser(agentId: string): Promise<void> {
  if (await revokeTokens(agentId)) await endSessions(agentId);
}

export const handler = httpApi({
  'POST /admin/accounts/search': guarded(async (req, me) => json(200, searchItems((await listAllAccounts()).map((a) => accountView(a, me.role)), parseInput(searchSchema, req.json()), accountFields))),

  'GET /admin/accounts': guarded(async (req, me) => {
    const query = parseInput(accountListQuery, req.query, 'query');
    return json(200, listAccountViews(await listAllAccounts(), query, me.role));
  }),

  'POST /admin/accounts': guarded(async (req) => json(201, accountView(await createAccount(parseInput(accountCreateSchema, req.json()))))),

  'GET /admin/accounts/export': guarded(async (req, me) => {
    const { ids } = parseInput(exportQuery, { ids: req.query.ids ?? '' }, 'query');
    const accounts = (await Promise.all(ids.map((id) => getAccount(id)))).filter((a): a is Account => Boolean(a));
    return {
      statusCode: 200,
      headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': 'attachment; filename="accounts.csv"' },
      body: accountsCsv(accounts, me.role),
    };
  }),

  'POST /admin/accounts/bulk-delete': guarded(async (req) => {
    const { ids } = parseInput(idsSchema, req.json());
    let deleted = 0;
    for (const id of ids) {
      const account = await getAccount(id);
      if (account && (await removeAccount(account))) deleted += 1;
    }
    return json(200, { deleted });
  }),

  'GET /admin/accounts/{id}': guarded(async (req, me) => json(200, accountView(await requireAccount(req.params.id!), me.role))),

  'PATCH /admin/accounts/{id}': guarded(async (req) => {
    const readOnly = readOnlyProblems(req.json());
    if (readOnly.length) throw new ValidationError(`read-only fields: ${readOnly.map((d) => d.path).join(', ')}`, readOnly);
    const patch = parseInput(accountPatchSchema, req.json());
    const current = await requireAccount(req.params.id!);
    return json(200, accountView(await patchAccount(current, patch)));
  }),

  'DELETE /admin/accounts/{id}': guarded(async (req) => {
    const account = await requireAccount(req.params.id!);
    await removeAccount(account);
    return noContent();
  }),

  'GET /admin/accounts/{id}/agents': guarded(async (req) => {
    await requireAccount(req.params.id!);
    return json(200, { agentIds: await membersOf('ACCOUNT', req.params.id!) });
  }),

  'PUT /admin/accounts/{id}/agents/{agentId}': guarded(async (req) => {
    await addMember('ACCOUNT', req.params.id!, req.params.agentId!);
    return noContent();
  }),

  'DELETE /admin/accounts/{id}/agents/{agentId}': guarded(async (req) => {
    await requireAccount(req.params.id!);
    if (await removeMember('ACCOUNT', req.params.id!, req.params.agentId!)) await revokeUser(req.params.agentId!);
    return noContent();
  }),

  'GET /admin/accounts/{id}/whitelist': guarded(async (req) => {
    const account = await requireAccount(req.params.id!);
    return json(200, account.settings.whitelist);
  }),

  'PUT /admin/accounts/{id}/whitelist': guarded(async (req) => {
    const { listIds } = parseInput(whitelistSchema, req.json());
    const current = await requireAccount(req.params.id!);
    try {
      const next = await patchAccount(current, { settings: { whitelist: { ...current.settings.whitelist, listIds } } });
      return json(200, next.settings.whitelist);
    } catch (error) {
      // This route's body is `{ listIds }`: name the field the caller sent, not the account setting behind it.
      if (error instanceof ValidationError) {
        const details = error.details.map((d) => ({ ...d, path: d.path.replace(/^body\.settings\.whitelist\.listIds/, 'body.listIds') }));
        throw new ValidationError(error.message.replaceAll('body.settings.whitelist.listIds', 'body.listIds'), details);
      }
      throw error;
    }
  }),
});
