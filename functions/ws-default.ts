/**
 * WebSocket $default: `{"action":"ping"}` answers a pong; `{"action":"spy","interactionId"}` lets a supervisor or
 * admin follow an interaction live, read-only (a `spy.started` snapshot, then every event of the interaction);
 * `{"action":"unspy","interactionId"}` stops. Agents are refused. Spying is audited. Everything else is ignored.
 */
import middy from '@middy/core';
import type { WebSocketEvent, WebSocketResult } from '../shared/http/websocket';
import { postToConnection } from '../shared/ports/notifier';
import { now } from '../shared/ports/clock';
import { getAgent } from '../shared/store/agents';
import { recordAudit } from '../shared/store/audit';
import { getItem } from '../shared/store/util';
import { keys } from '../shared/store/keys';
import { getInteraction, listMessages } from '../shared/store/interactions';
import { listNotes } from '../shared/store/notes';
import { addSpy, removeSpy } from '../shared/store/spies';
import type { Connection } from '../shared/store/connections';
import { parseInput, z } from '../shared/validation';
import { AppError } from '../shared/errors';

const spySchema = z.object({ action: z.enum(['spy', 'unspy']), interactionId: z.string().check(z.minLength(1), z.maxLength(100)) });

async function spy(connectionId: string, body: unknown): Promise<void> {
  const { action, interactionId } = parseInput(spySchema, body);
  const connection = await getItem<Connection>(keys.connection(connectionId), true);
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

export const handler = middy<WebSocketEvent, WebSocketResult>().handler(async (event) => {
  let body: { action?: unknown };
  try {
    body = JSON.parse(event.body ?? '{}') as { action?: unknown };
  } catch {
    return { statusCode: 400, body: 'messages are JSON objects with an action' };
  }
  const connectionId = event.requestContext.connectionId;
  if (body.action === 'ping') await postToConnection(connectionId, { type: 'pong', at: now() });
  else if (body.action === 'spy' || body.action === 'unspy') {
    try {
      await spy(connectionId, body);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      await postToConnection(connectionId, { type: 'error', action: body.action, code: error.code, message: error.message, details: error.details });
      return { statusCode: 400 };
    }
  }
  return { statusCode: 200 };
});
