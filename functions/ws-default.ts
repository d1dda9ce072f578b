/**
 * WebSocket $default: `{"action":"ping"}` answers a pong. A supervisor's or admin's
 * `{"action":"subscribe","accountIds":[...]}` (or `"accountIds":"all"`, or none: every account) makes its connection
 * receive those accounts' events without being a member, `{"action":"unsubscribe"}` stops it; both are answered with
 * `{"type":"subscribed",...}`. `{"action":"spy","interactionId"}` follows one interaction live, read-only (a
 * `spy.started` snapshot, then every event of the interaction, audited); `{"action":"unspy","interactionId"}` stops.
 * `{"action":"subscribe","topic":"board"}` subscribes the connection to `board.updated` (pushed at most once a
 * second) and sends the board at once; `{"action":"unsubscribe","topic":"board"}` ends it. Agents are refused all
 * three: they receive their own accounts' events. Everything else is ignored.
 */
import middy from '@middy/core';
import type { WebSocketEvent, WebSocketResult } from '../shared/http/websocket';
import { ULID } from '../shared/http/params';
import { postToConnection } from '../shared/ports/notifier';
import { now } from '../shared/ports/clock';
import { getAgent } from '../shared/store/agents';
import { recordAudit } from '../shared/store/audit';
import { getInteraction, listMessages } from '../shared/store/interactions';
import { listNotes } from '../shared/store/notes';
import { addSpy, removeSpy } from '../shared/store/spies';
import { getConnection, removeWatcher, saveWatcher, WATCHERS_TTL_MS } from '../shared/store/watchers';
import * as z from 'zod/mini';
import { parseInput } from '../shared/validation';
import { AppError } from '../shared/errors';
import { readBoard } from '../shared/routing/board-read';
import { subscribe as subscribeBoard, unsubscribe as unsubscribeBoard } from '../shared/store/board';
import { markBoardSubscriber } from '../shared/store/connections';

const spySchema = z.object({ action: z.enum(['spy', 'unspy']), interactionId: z.string().check(z.regex(ULID, 'an interaction id (ULID)')) });

async function spy(connectionId: string, body: unknown): Promise<void> {
  const { action, interactionId } = parseInput(spySchema, body);
  const connection = await getConnection(connectionId);
  const user = connection ? await getAgent(connection.agentId) : undefined;
  if (!user || user.disabled || user.locked || (user.role !== 'supervisor' && user.role !== 'admin')) {
    await postToConnection(connectionId, { type: 'error', action, code: 'FORBIDDEN', message: 'only supervisors and admins may spy' });
    return;
  }
  if (action === 'unspy') {
    await removeSpy(interactionId, connectionId);
    await postToConnection(connectionId, { type: 'spy.stopped', interactionId });
    return;
  }
  const interaction = await getInteraction(interactionId, true);
  if (!interaction) {
    await postToConnection(connectionId, { type: 'error', action, code: 'NOT_FOUND', message: `interaction ${interactionId} not found`, interactionId });
    return;
  }
  // Subscribe before the snapshot: an event between the two arrives twice rather than not at all (clients drop it by version).
  await addSpy(interactionId, connectionId, user.id);
  const [messages, notes] = await Promise.all([listMessages(interactionId), listNotes(interactionId)]);
  await recordAudit({ actor: { id: user.id, username: user.username, role: user.role }, action: 'interaction.spy', targetType: 'interaction', targetIds: [interactionId], details: { connectionId } });
  await postToConnection(connectionId, { type: 'spy.started', accountId: interaction.accountId, interactionId, version: interaction.version, interaction, messages, notes });
}

const subscribeSchema = z.object({
  action: z.literal('subscribe'),
  accountIds: z.optional(z.union([z.literal('all'), z.array(z.string().check(z.regex(ULID, 'an account id (ULID)'))).check(z.maxLength(500))])),
});

async function subscribe(connectionId: string, body: unknown): Promise<void> {
  const { accountIds } = parseInput(subscribeSchema, body, 'message');
  const connection = await getConnection(connectionId);
  if (!connection || (connection.role !== 'supervisor' && connection.role !== 'admin')) {
    await postToConnection(connectionId, { type: 'error', code: 'FORBIDDEN', message: 'only supervisors and admins subscribe to accounts' });
    return;
  }
  const all = accountIds === undefined || accountIds === 'all';
  const chosen = Array.isArray(accountIds) ? [...new Set(accountIds)] : [];
  await saveWatcher({ connectionId, agentId: connection.agentId, all, accountIds: chosen });
  await postToConnection(connectionId, { type: 'subscribed', all, accountIds: chosen, effectiveWithinMs: WATCHERS_TTL_MS });
}

async function subscribeToBoard(connectionId: string): Promise<void> {
  const connection = await getConnection(connectionId);
  const user = connection ? await getAgent(connection.agentId) : undefined;
  if (!user || user.disabled || user.locked || (user.role !== 'admin' && user.role !== 'supervisor')) {
    await postToConnection(connectionId, { type: 'error', code: 'FORBIDDEN', message: 'the board is for supervisors and admins', action: 'subscribe' });
    return;
  }
  await Promise.all([subscribeBoard(connectionId), markBoardSubscriber(connectionId, true)]);
  await postToConnection(connectionId, { type: 'board.updated', accountId: '', board: await readBoard(), sentAt: new Date().toISOString() });
}

export const handler = middy<WebSocketEvent, WebSocketResult>().handler(async (event) => {
  const connectionId = event.requestContext.connectionId;
  let body: { action?: unknown };
  try {
    body = JSON.parse(event.body ?? '{}') as { action?: unknown };
  } catch {
    return { statusCode: 400, body: 'messages are JSON objects with an action' };
  }
  try {
    if (body.action === 'ping') await postToConnection(connectionId, { type: 'pong', at: now() });
    else if (body.action === 'subscribe' && (body as { topic?: unknown }).topic === 'board') await subscribeToBoard(connectionId);
    else if (body.action === 'unsubscribe' && (body as { topic?: unknown }).topic === 'board') await Promise.all([unsubscribeBoard(connectionId), markBoardSubscriber(connectionId, false)]);
    else if (body.action === 'subscribe') await subscribe(connectionId, body);
    else if (body.action === 'unsubscribe') {
      await removeWatcher(connectionId);
      await postToConnection(connectionId, { type: 'subscribed', all: false, accountIds: [] });
    } else if (body.action === 'spy' || body.action === 'unspy') await spy(connectionId, body);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    await postToConnection(connectionId, { type: 'error', action: body.action, code: error.code, message: error.message, details: error.details });
    return { statusCode: error.status, body: error.message };
  }
  return { statusCode: 200 };
});
