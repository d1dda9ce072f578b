/**
 * /agent: what an agent does with its own token. It sees only interactions of accounts it belongs to (supervisors
 * and admins see all), accepts and rejects offers, replies (through the outbound queue), closes with a disposition,
 * transfers, marks read or unread, tags and notes, and sets its presence. Which role may do which is the role table
 * (shared/http/roles.ts): a supervisor reads, notes, tags and transfers, and handles only what it took over.
 */
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from '../shared/ids';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../shared/errors';
import { httpApi, json, noContent, type HttpRequest, type HttpResult, type RouteHandler } from '../shared/http/api';
import { accessOf, interactionAccess, requireGrant } from '../shared/http/roles';
import { recordAudit } from '../shared/store/audit';
import { authenticate } from '../shared/http/guard';
import { now, nowIso } from '../shared/ports/clock';
import { notifyAccount, notifyAgents } from '../shared/realtime/notify';
import { queueCanned, queueReply, queueTemplate, startVideoCall } from '../shared/outbound/enqueue';
import { replyBodySchema, replyPreviewSchema, templateSchema } from '../shared/outbound/reply-schema';
import { translateMessage, translateReply, type ToolCaller } from '../shared/tools/translation';
import { assist } from '../shared/tools/assistant';
import {
  agentInteractionsQuery as interactionsQuery,
  assistSchema,
  agentNoteSchema as noteSchema,
  cannedQuery,
  cannedSchema,
  closeSchema,
  presenceSchema,
  tagsSchema,
  transferSchema,
  type AgentInteractionsQuery,
} from '../shared/admin/agent-api-schema';
import { queryInteractionsOfAccounts } from '../shared/store/interaction-queries';
import '../shared/routing';
import { accept, armInactivity, closeByAgent, reject, transfer } from '../shared/routing/service';
import { requestServe } from '../shared/routing/serve-request';
import { getAccount, listAllAccounts, requireAccount, type Account } from '../shared/store/accounts';
import { agentView, getAgent, type Agent } from '../shared/store/agents';
import { listCatalogItems } from '../shared/store/catalog';
import { db, TABLE } from '../shared/store/client';
import { getInteraction, getMessage, listMessages } from '../shared/store/interactions';
import { fetchMedia, mediaDisposition } from '../shared/inbound/media';
import { waitingLineQuery } from '../shared/admin/queue-schema';
import { accountCredentials } from '../shared/admin/account-credentials';
import { isMember, membersOf, parentsOf } from '../shared/store/memberships';
import { listQueues, requireQueue } from '../shared/store/queues';
import { getPresence, presenceOf, setPresence } from '../shared/store/presence';
import { updateInteraction, type RoutedInteraction } from '../shared/store/routing';
import { fullLine } from '../shared/store/waiting-line';
import { strip } from '../shared/store/util';
import { parseInput } from '../shared/validation';
import { toolsOf } from '../shared/admin/tools-schema';

type Route = (req: HttpRequest, me: Agent) => Promise<HttpResult>;
const asAgent =
  (route: Route): RouteHandler =>
  async (req) =>
    route(req, await authenticate(req));

const supervising = (me: Agent) => me.role === 'admin' || me.role === 'supervisor';

/**
 * The interaction if the route's rule lets the caller act on it: 404 for an agent outside its account (ids of other
 * accounts are not confirmed), 403 for a supervisor handling what it has not taken over.
 */
async function visible(req: HttpRequest, me: Agent): Promise<RoutedInteraction> {
  const id = req.params.id!;
  const grant = requireGrant(accessOf(req.routeKey) ?? 'admin', me.role);
  const interaction = (await getInteraction(id, true)) as RoutedInteraction | undefined;
  if (!interaction) throw new NotFoundError(`interaction ${id}`);
  const member = grant === 'member' && (await isMember('ACCOUNT', interaction.accountId, me.id));
  if (interactionAccess(grant, me, interaction, member) === 'hidden') throw new NotFoundError(`interaction ${id}`);
  return interaction;
}

/** Sending in an interaction: its assigned agent (a supervisor after taking it over), or an admin. */
function requireHandler(me: Agent, interaction: RoutedInteraction): void {
  if (interaction.agentId !== me.id && me.role !== 'admin') throw new ConflictError('NOT_ASSIGNED', 'accept the interaction first');
}

/** Presence as the API shows it: the store's keys left out. */
const presenceView = (presence: object) => strip<Record<string, unknown>>(presence as Record<string, unknown>);

function inScope(scope: AgentInteractionsQuery['scope'], i: RoutedInteraction, me: string): boolean {
  if (scope === 'mine') return i.agentId === me;
  if (scope === 'offered') return (i.routing?.offeredTo ?? []).includes(me);
  if (scope === 'unassigned') return i.routing?.phase === 'unassigned';
  return true;
}

/** What an agent's workspace needs of an account: never credentials, tokens or routing internals. */
function workspaceView(account: Account) {
  const { notification, disposition, recontactTemplate, video, transfer } = account.settings;
  const tools = toolsOf(account.settings);
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
      tools: {
        translation: { enabled: tools.translation.enabled, auto: tools.translation.auto, language: tools.translation.language },
        assistant: { enabled: tools.assistant.enabled, generative: tools.assistant.generative },
      },
    },
  };
}

/** Who calls a tool, for its audit row: the edge adds none (the tool records the provider it called). */
function toolCaller(req: HttpRequest, me: Agent): ToolCaller & { agentId: string } {
  req.audit = false;
  return {
    agentId: me.id,
    actor: { id: me.id, username: me.username, role: me.role },
    ...(req.event.requestContext?.http?.sourceIp ? { ip: req.event.requestContext.http.sourceIp } : {}),
    ...(req.event.requestContext?.requestId ? { requestId: req.event.requestContext.requestId } : {}),
  };
}

async function afterAgentMessage(interaction: RoutedInteraction): Promise<void> {
  const account = await getAccount(interaction.accountId);
  if (account) await armInactivity(interaction, account);
}

export const handler = httpApi({
  'GET /agent/me': asAgent(async (_req, me) => {
    const presence = await getPresence(me.id);
    return json(200, { ...agentView(me), presence: presence ? presenceView(presence) : null, accountIds: await parentsOf('ACCOUNT', me.id) });
  }),

  'PUT /agent/presence': asAgent(async (req, me) => {
    const { status, reason } = parseInput(presenceSchema, req.json());
    const presence = await setPresence(me.id, status, status === 'paused' ? reason : undefined);
    await notifyAgents([me.id], { type: 'presence.changed', accountId: '', status: presence.status, reason: presence.reason });
    // Online (or back from a pause): the longest-waiting interactions of its queues, up to its capacity.
    if (status === 'online') await requestServe([me.id]);
    return json(200, presenceView(presence));
  }),

  'GET /agent/queues/{id}/waiting': asAgent(async (req, me) => {
    const { limit } = parseInput(waitingLineQuery, req.query, 'query');
    const queue = await requireQueue(req.params.id!);
    const member = await isMember('QUEUE', queue.id, me.id);
    if (!member && !supervising(me)) throw new ForbiddenError('members of the queue and supervisors only');
    // Agents see the interactions of their own accounts, each at its place in the whole line.
    const mine = supervising(me) ? undefined : new Set(await parentsOf('ACCOUNT', me.id));
    const line = await fullLine(queue.id);
    const at = now();
    const items = line
      .map((entry, index) => ({ entry, position: index + 1 }))
      .filter(({ entry }) => !mine || mine.has(entry.accountId))
      .slice(0, limit)
      .map(({ entry, position }) => ({
        position,
        interactionId: entry.interactionId,
        contact: entry.contactPhone,
        accountId: entry.accountId,
        channel: entry.channel,
        enteredAt: entry.enteredAt,
        waitedSeconds: Math.max(0, Math.floor((at - Date.parse(entry.enteredAt)) / 1000)),
        offered: entry.offeredTo.length > 0,
      }));
    return json(200, { queueId: queue.id, total: line.length, items });
  }),

  'GET /agent/interactions': asAgent(async (req, me) => {
    const query = parseInput(interactionsQuery, req.query, 'query');
    // Supervisors and admins read every account; an agent the accounts it belongs to.
    const mine = supervising(me) ? (await listAllAccounts()).map((a) => a.id) : await parentsOf('ACCOUNT', me.id);
    if (query.accountId && !mine.includes(query.accountId)) throw new ForbiddenError('you do not belong to this account');
    const page = await queryInteractionsOfAccounts({
      accountIds: query.accountId ? [query.accountId] : mine,
      predicate: (i) => (!query.status || i.status === query.status) && inScope(query.scope, i, me.id),
      limit: query.limit,
      ...(query.cursor ? { cursor: query.cursor } : {}),
    });
    return json(200, { items: page.items, ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) }, { 'x-items-read': String(page.itemsRead) });
  }),

  'GET /agent/interactions/{id}': asAgent(async (req, me) => json(200, await visible(req, me))),

  'GET /agent/interactions/{id}/messages': asAgent(async (req, me) => {
    const interaction = await visible(req, me);
    return json(200, { items: await listMessages(interaction.id) });
  }),

  'GET /agent/interactions/{id}/messages/{messageId}/media/{index}': asAgent(async (req, me) => {
    const interaction = await visible(req, me);
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
    await visible(req, me);
    return json(200, await accept(me.id, req.params.id!));
  }),

  'POST /agent/interactions/{id}/reject': asAgent(async (req, me) => {
    await visible(req, me);
    await reject(me.id, req.params.id!);
    return noContent();
  }),

  'POST /agent/interactions/{id}/read': asAgent(async (req, me) => {
    const interaction = await visible(req, me);
    return json(200, await updateInteraction(interaction, { unread: 0 }));
  }),

  'POST /agent/interactions/{id}/unread': asAgent(async (req, me) => {
    const interaction = await visible(req, me);
    return json(200, await updateInteraction(interaction, { unread: Math.max(1, interaction.unread ?? 0) }));
  }),

  'POST /agent/interactions/{id}/reply': asAgent(async (req, me) => {
    const { translate, language, ...body } = parseInput(replyBodySchema, req.json());
    const interaction = await visible(req, me);
    requireHandler(me, interaction);
    if (translate && !body.text?.trim()) throw new ValidationError('translate needs text', [{ path: 'body.text', message: 'the text to translate is required' }]);
    // Translated: the customer receives only the translation; the agent's own text is kept beside it.
    const translated = translate ? await translateReply(await requireAccount(interaction.accountId), interaction, body.text!, language, toolCaller(req, me)) : undefined;
    const message = await queueReply(
      { accountId: interaction.accountId, interactionId: interaction.id, agentId: me.id, ...body, ...(translated ? { text: translated.translation.text } : {}) },
      translated?.original,
    );
    await afterAgentMessage(interaction);
    return json(202, translated ? { ...message, translation: translated.translation } : message);
  }),

  'POST /agent/interactions/{id}/reply/preview': asAgent(async (req, me) => {
    const { text, language } = parseInput(replyPreviewSchema, req.json());
    const interaction = await visible(req, me);
    requireHandler(me, interaction);
    return json(200, await translateReply(await requireAccount(interaction.accountId), interaction, text, language, toolCaller(req, me)));
  }),

  'POST /agent/interactions/{id}/messages/{messageId}/translate': asAgent(async (req, me) => {
    const interaction = await visible(req, me);
    const account = await requireAccount(interaction.accountId);
    return json(200, await translateMessage(account, interaction, req.params.messageId!, toolCaller(req, me)));
  }),

  'POST /agent/interactions/{id}/assist': asAgent(async (req, me) => {
    const options = parseInput(assistSchema, req.json() ?? {});
    const interaction = await visible(req, me);
    const account = await requireAccount(interaction.accountId);
    return json(200, await assist(account, interaction, toolCaller(req, me), options));
  }),

  'POST /agent/interactions/{id}/template': asAgent(async (req, me) => {
    const template = parseInput(templateSchema, req.json());
    const interaction = await visible(req, me);
    requireHandler(me, interaction);
    const message = await queueTemplate({ accountId: interaction.accountId, interactionId: interaction.id, agentId: me.id, template });
    await afterAgentMessage(interaction);
    return json(202, message);
  }),

  'POST /agent/interactions/{id}/canned': asAgent(async (req, me) => {
    const { cannedAnswerId } = parseInput(cannedSchema, req.json());
    const interaction = await visible(req, me);
    requireHandler(me, interaction);
    const message = await queueCanned({ accountId: interaction.accountId, interactionId: interaction.id, agentId: me.id, cannedAnswerId });
    await afterAgentMessage(interaction);
    return json(202, message);
  }),

  'POST /agent/interactions/{id}/video': asAgent(async (req, me) => {
    const interaction = await visible(req, me);
    requireHandler(me, interaction);
    const started = await startVideoCall({ accountId: interaction.accountId, interactionId: interaction.id, agentId: me.id });
    return json(201, started);
  }),

  'POST /agent/interactions/{id}/take-over': asAgent(async (req, me) => {
    const interaction = await visible(req, me);
    if (interaction.status !== 'open') throw new ConflictError('CLOSED', 'the interaction is closed');
    if (interaction.agentId === me.id) return json(200, interaction);
    const next = await updateInteraction(interaction, {
      agentId: me.id,
      routing: { phase: 'assigned', step: interaction.routing?.step ?? 0, offeredTo: [], ...(interaction.routing?.queueId ? { queueId: interaction.routing.queueId } : {}) },
    });
    await recordAudit({
      actor: { id: me.id, username: me.username, role: me.role },
      action: 'interaction.take-over',
      targetType: 'interaction',
      targetIds: [interaction.id],
      details: { accountId: interaction.accountId, ...(interaction.agentId ? { previousAgentId: interaction.agentId } : {}), phase: interaction.routing?.phase ?? null },
      ...(req.event.requestContext?.http?.sourceIp ? { ip: req.event.requestContext.http.sourceIp } : {}),
      ...(req.event.requestContext?.requestId ? { requestId: req.event.requestContext.requestId } : {}),
    });
    req.audit = false; // recorded here, with its details: the edge adds no second row
    // The account's agents (the one who had it, those it was offered to) learn at once that it is no longer theirs.
    await notifyAccount(next.accountId, {
      type: 'interaction.taken-over',
      accountId: next.accountId,
      interactionId: next.id,
      version: next.version,
      agentId: me.id,
      ...(interaction.agentId ? { previousAgentId: interaction.agentId } : {}),
    });
    return json(200, next);
  }),

  'POST /agent/interactions/{id}/close': asAgent(async (req, me) => {
    const { disposition } = parseInput(closeSchema, req.json() ?? {});
    await visible(req, me);
    await closeByAgent(me.id, req.params.id!, disposition, supervising(me));
    return noContent();
  }),

  'POST /agent/interactions/{id}/transfer': asAgent(async (req, me) => {
    const target = parseInput(transferSchema, req.json());
    await visible(req, me);
    return json(200, await transfer(me.id, req.params.id!, target));
  }),

  'PUT /agent/interactions/{id}/tags': asAgent(async (req, me) => {
    const { tags } = parseInput(tagsSchema, req.json());
    const interaction = await visible(req, me);
    return json(200, await updateInteraction(interaction, { tags: [...new Set(tags)] }));
  }),

  'GET /agent/interactions/{id}/notes': asAgent(async (req, me) => {
    const interaction = await visible(req, me);
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
    const interaction = await visible(req, me);
    const note = { id: ulid(), interactionId: interaction.id, agentId: me.id, text, createdAt: nowIso(), internal: true };
    await db.send(new PutCommand({ TableName: TABLE, Item: { pk: `INTERACTION#${interaction.id}`, sk: `NOTE#${note.id}`, ...note } }));
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
    const { accountId } = parseInput(cannedQuery, req.query, 'query');
    if (accountId) {
      // The same 404 for an account that does not exist and one the agent does not belong to: ids are not confirmed.
      const allowed = supervising(me) ? Boolean(await getAccount(accountId)) : await isMember('ACCOUNT', accountId, me.id);
      if (!allowed) throw new NotFoundError(`account ${accountId}`);
    }
    const general = await listCatalogItems('canned', {});
    const local = accountId ? await listCatalogItems('canned', { accountId }) : [];
    return json(200, { items: [...general.map((c) => ({ ...c, scope: 'general' })), ...local.map((c) => ({ ...c, scope: 'account' }))] });
  }),
});
