/**
 * /agent: what an agent does with its own token. It sees only interactions of accounts it belongs to (supervisors
 * and admins see all), accepts and rejects offers, replies (through the outbound queue), closes with a disposition,
 * transfers, marks read or unread, tags and notes, and sets its presence.
 */
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { ConflictError, ForbiddenError, NotFoundError } from '../shared/errors';
import { httpApi, json, noContent, type HttpRequest, type RouteHandler } from '../shared/http/api';
import { authenticate } from '../shared/http/guard';
import { nowIso } from '../shared/ports/clock';
import { notifyAgents } from '../shared/realtime/notify';
import { queueCanned, queueReply, queueTemplate, startVideoCall, templateSchema } from '../shared/outbound/enqueue';
import { replyBodySchema } from '../shared/outbound/reply-schema';
import '../shared/routing';
import { accept, armInactivity, closeByAgent, reject, transfer } from '../shared/routing/service';
import { getAccount, listAllAccounts, requireAccount, type Account } from '../shared/store/accounts';
import { agentView, getAgent, type Agent } from '../shared/store/agents';
import { listCatalogItems } from '../shared/store/catalog';
import { db, TABLE } from '../shared/store/client';
import { getInteraction, getMessage, listInteractionsOf, listMessages } from '../shared/store/interactions';
import { fetchMedia, mediaDisposition } from '../shared/inbound/media';
import { accountCredentials } from '../shared/admin/accounts';
import { isMember, membersOf, parentsOf } from '../shared/store/memberships';
import { listQueues } from '../shared/store/queues';
import { getPresence, presenceOf, setPresence } from '../shared/store/presence';
import { updateInteraction, type RoutedInteraction } from '../shared/store/routing';
import { strip } from '../shared/store/util';
import { parseInput, z } from '../shared/validation';

type Route = (req: HttpRequest, me: Agent) => Promise<ReturnType<typeof json>>;
const asAgent =
  (route: Route): RouteHandler =>
  async (req) =>
    route(req, await authenticate(req));

const supervising = (me: Agent) => me.role === 'admin' || me.role === 'supervisor';

/** The interaction if the caller may see it; 404 otherwise, so ids of other accounts are not confirmed. */
async function visible(me: Agent, id: string): Promise<RoutedInteraction> {
  const interaction = (await getInteraction(id, true)) as RoutedInteraction | undefined;
  if (!interaction || (!supervising(me) && !(await isMember('ACCOUNT', interaction.accountId, me.id)))) {
    throw new NotFoundError(`interaction ${id}`);
  }
  return interaction;
}

function requireHandler(me: Agent, interaction: RoutedInteraction): void {
  if (interaction.agentId !== me.id && !supervising(me))
    throw new ConflictError('NOT_ASSIGNED', 'accept the interaction first');
}

const presenceSchema = z.object({
  status: z.enum(['online', 'paused', 'offline']),
  reason: z.optional(z.string().check(z.minLength(1), z.maxLength(100))),
});
const listSchema = z.object({
  status: z.optional(z.enum(['open', 'closed'])),
  accountId: z.optional(z.string()),
  scope: z._default(z.enum(['all', 'mine', 'offered', 'unassigned']), 'all'),
  limit: z._default(
    z
      .pipe(z.string(), z.transform(Number))
      .check(z.refine((n) => Number.isInteger(n) && n >= 1 && n <= 500, 'an integer from 1 to 500')),
    100,
  ),
});
const closeSchema = z.object({ disposition: z.optional(z.string().check(z.minLength(1), z.maxLength(100))) });
const transferSchema = z.object({
  queueId: z.optional(z.string().check(z.minLength(1))),
  agentId: z.optional(z.string().check(z.minLength(1))),
});
const tagsSchema = z.object({
  tags: z.array(z.string().check(z.minLength(1), z.maxLength(50))).check(z.maxLength(20)),
});
const noteSchema = z.object({ text: z.string().check(z.minLength(1), z.maxLength(4000)) });
const cannedSchema = z.object({ cannedAnswerId: z.string().check(z.minLength(1)) });

/** What an agent's workspace needs of an account: never credentials, tokens or routing internals. */
function workspaceView(account: Account) {
  const { notification, disposition, recontactTemplate, video, transfer } = account.settings;
  return {
    id: account.id,
    name: account.name,
    key: account.key,
    channel: account.channel,
    type: account.type,
    settings: {
      notification: { sound: notification.sound, shake: notification.shake },
      disposition,
      ...(recontactTemplate ? { recontactTemplate } : {}),
      video: { enabled: video.enabled },
      transfer: { enabled: transfer.enabled },
    },
  };
}

async function afterAgentMessage(interaction: RoutedInteraction): Promise<void> {
  const account = await getAccount(interaction.accountId);
  if (account) await armInactivity(interaction, account);
}

export const handler = httpApi({
  'GET /agent/me': asAgent(async (_req, me) =>
    json(200, { ...agentView(me), presence: await getPresence(me.id), accountIds: await parentsOf('ACCOUNT', me.id) }),
  ),

  'PUT /agent/presence': asAgent(async (req, me) => {
    const { status, reason } = parseInput(presenceSchema, req.json());
    const presence = await setPresence(me.id, status, status === 'paused' ? reason : undefined);
    await notifyAgents([me.id], {
      type: 'presence.changed',
      accountId: '',
      status: presence.status,
      reason: presence.reason,
    });
    return json(200, presence);
  }),

  'GET /agent/interactions': asAgent(async (req, me) => {
    const query = parseInput(listSchema, req.query, 'query');
    const mine = await parentsOf('ACCOUNT', me.id);
    if (query.accountId && !supervising(me) && !mine.includes(query.accountId))
      throw new ForbiddenError('you do not belong to this account');
    const accountIds = query.accountId ? [query.accountId] : mine;
    const all = (await Promise.all(accountIds.map((a) => listInteractionsOf(a)))).flat() as RoutedInteraction[];
    const items = all
      .filter((i) => !query.status || i.status === query.status)
      .filter((i) =>
        query.scope === 'mine'
          ? i.agentId === me.id
          : query.scope === 'offered'
            ? (i.routing?.offeredTo ?? []).includes(me.id)
            : query.scope === 'unassigned'
              ? i.routing?.phase === 'unassigned'
              : true,
      )
      .sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : -1))
      .slice(0, query.limit);
    return json(200, { items });
  }),

  'GET /agent/interactions/{id}': asAgent(async (req, me) => json(200, await visible(me, req.params.id!))),

  'GET /agent/interactions/{id}/messages': asAgent(async (req, me) => {
    const interaction = await visible(me, req.params.id!);
    return json(200, { items: await listMessages(interaction.id) });
  }),

  'GET /agent/interactions/{id}/messages/{messageId}/media/{index}': asAgent(async (req, me) => {
    const interaction = await visible(me, req.params.id!);
    const message = await getMessage(interaction.id, `MSG#${req.params.messageId}`);
    const ref = message?.media?.[Number(req.params.index)];
    if (!message || !ref || !/^\d+$/.test(req.params.index ?? '')) throw new NotFoundError('media');
    const account = await requireAccount(interaction.accountId);
    const media = await fetchMedia(account.type, await accountCredentials(account), ref);
    return {
      statusCode: 200,
      headers: {
        'content-type': media.contentType,
        'cache-control': 'private, max-age=300',
        // Never let a browser guess the type or run what the customer sent: only media types show inline.
        'x-content-type-options': 'nosniff',
        'content-disposition': `${mediaDisposition(media.contentType)}; filename="media-${req.params.index}"`,
        'content-security-policy': "default-src 'none'; sandbox",
      },
      body: media.bytes.toString('base64'),
      isBase64Encoded: true,
    };
  }),

  'POST /agent/interactions/{id}/accept': asAgent(async (req, me) => {
    await visible(me, req.params.id!);
    return json(200, await accept(me.id, req.params.id!));
  }),

  'POST /agent/interactions/{id}/reject': asAgent(async (req, me) => {
    await visible(me, req.params.id!);
    await reject(me.id, req.params.id!);
    return noContent();
  }),

  'POST /agent/interactions/{id}/read': asAgent(async (req, me) => {
    const interaction = await visible(me, req.params.id!);
    return json(200, await updateInteraction(interaction, { unread: 0 }));
  }),

  'POST /agent/interactions/{id}/unread': asAgent(async (req, me) => {
    const interaction = await visible(me, req.params.id!);
    return json(200, await updateInteraction(interaction, { unread: Math.max(1, interaction.unread ?? 0) }));
  }),

  'POST /agent/interactions/{id}/reply': asAgent(async (req, me) => {
    const body = parseInput(replyBodySchema, req.json());
    const interaction = await visible(me, req.params.id!);
    requireHandler(me, interaction);
    const message = await queueReply({
      accountId: interaction.accountId,
      interactionId: interaction.id,
      agentId: me.id,
      ...body,
    });
    await afterAgentMessage(interaction);
    return json(202, message);
  }),

  'POST /agent/interactions/{id}/template': asAgent(async (req, me) => {
    const template = parseInput(templateSchema, req.json());
    const interaction = await visible(me, req.params.id!);
    requireHandler(me, interaction);
    const message = await queueTemplate({
      accountId: interaction.accountId,
      interactionId: interaction.id,
      agentId: me.id,
      template,
    });
    await afterAgentMessage(interaction);
    return json(202, message);
  }),

  'POST /agent/interactions/{id}/canned': asAgent(async (req, me) => {
    const { cannedAnswerId } = parseInput(cannedSchema, req.json());
    const interaction = await visible(me, req.params.id!);
    requireHandler(me, interaction);
    const message = await queueCanned({
      accountId: interaction.accountId,
      interactionId: interaction.id,
      agentId: me.id,
      cannedAnswerId,
    });
    await afterAgentMessage(interaction);
    return json(202, message);
  }),

  'POST /agent/interactions/{id}/video': asAgent(async (req, me) => {
    const interaction = await visible(me, req.params.id!);
    requireHandler(me, interaction);
    const started = await startVideoCall({
      accountId: interaction.accountId,
      interactionId: interaction.id,
      agentId: me.id,
    });
    return json(201, started);
  }),

  'POST /agent/interactions/{id}/close': asAgent(async (req, me) => {
    const { disposition } = parseInput(closeSchema, req.json() ?? {});
    await visible(me, req.params.id!);
    await closeByAgent(me.id, req.params.id!, disposition, supervising(me));
    return noContent();
  }),

  'POST /agent/interactions/{id}/transfer': asAgent(async (req, me) => {
    const target = parseInput(transferSchema, req.json());
    await visible(me, req.params.id!);
    return json(200, await transfer(me.id, req.params.id!, target));
  }),

  'PUT /agent/interactions/{id}/tags': asAgent(async (req, me) => {
    const { tags } = parseInput(tagsSchema, req.json());
    const interaction = await visible(me, req.params.id!);
    return json(200, await updateInteraction(interaction, { tags: [...new Set(tags)] }));
  }),

  'GET /agent/interactions/{id}/notes': asAgent(async (req, me) => {
    const interaction = await visible(me, req.params.id!);
    const out = await db.send(
      new QueryCommand({
        TableName: TABLE,
        KeyConditionExpression: 'pk = :p AND begins_with(sk, :n)',
        ExpressionAttributeValues: { ':p': `INTERACTION#${interaction.id}`, ':n': 'NOTE#' },
      }),
    );
    return json(200, { items: (out.Items ?? []).map((i) => strip(i)) });
  }),

  'POST /agent/interactions/{id}/notes': asAgent(async (req, me) => {
    const { text } = parseInput(noteSchema, req.json());
    const interaction = await visible(me, req.params.id!);
    const note = {
      id: ulid(),
      interactionId: interaction.id,
      agentId: me.id,
      text,
      createdAt: nowIso(),
      internal: true,
    };
    await db.send(
      new PutCommand({
        TableName: TABLE,
        Item: { pk: `INTERACTION#${interaction.id}`, sk: `NOTE#${note.id}`, ...note },
      }),
    );
    return json(201, note);
  }),

  'GET /agent/accounts': asAgent(async (_req, me) => {
    // Supervisors and admins see every account, as in the interactions list; agents the accounts they belong to.
    const accounts = supervising(me)
      ? await listAllAccounts()
      : (await Promise.all((await parentsOf('ACCOUNT', me.id)).map((id) => getAccount(id)))).filter(
          (a): a is Account => a !== undefined,
        );
    const general = await listCatalogItems('disposition', {});
    const items = await Promise.all(
      accounts.map(async (account) => ({
        ...workspaceView(account),
        dispositions: [...general, ...(await listCatalogItems('disposition', { accountId: account.id }))].map((d) => ({
          id: d.id,
          name: d.name,
        })),
      })),
    );
    return json(200, { items: items.sort((a, b) => a.name.localeCompare(b.name)) });
  }),

  'GET /agent/directory': asAgent(async (_req, me) => {
    // Transfer targets: every queue, and the agents who share an account with the caller, with their presence.
    const accountIds = await parentsOf('ACCOUNT', me.id);
    const agentIds = [...new Set((await Promise.all(accountIds.map((id) => membersOf('ACCOUNT', id)))).flat())].filter(
      (id) => id !== me.id,
    );
    const [queues, agents, presence] = await Promise.all([
      listQueues(),
      Promise.all(agentIds.map((id) => getAgent(id))),
      presenceOf(agentIds),
    ]);
    return json(200, {
      queues: queues.map((q) => ({ id: q.id, name: q.name })).sort((a, b) => a.name.localeCompare(b.name)),
      agents: agents
        .filter((a): a is Agent => a !== undefined && !a.disabled)
        .map((a) => ({
          id: a.id,
          fullName: a.fullName,
          username: a.username,
          presence: presence.get(a.id)?.status ?? 'offline',
        }))
        .sort((a, b) => a.fullName.localeCompare(b.fullName)),
    });
  }),

  'GET /agent/canned-answers': asAgent(async (req, me) => {
    const accountId = req.query.accountId;
    if (accountId) {
      await requireAccount(accountId);
      if (!supervising(me) && !(await isMember('ACCOUNT', accountId, me.id)))
        throw new ForbiddenError('you do not belong to this account');
    }
    const general = await listCatalogItems('canned', {});
    const local = accountId ? await listCatalogItems('canned', { accountId }) : [];
    return json(200, {
      items: [...general.map((c) => ({ ...c, scope: 'general' })), ...local.map((c) => ({ ...c, scope: 'account' }))],
    });
  }),
});
