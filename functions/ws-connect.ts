/**
 * WebSocket $connect: the agent's token comes in the `token` query parameter (browsers cannot set headers on a
 * WebSocket) or as a bearer header. A bad token refuses the connection; a good one stores it under the agent.
 */
import middy from '@middy/core';
import { AppError } from '../shared/errors';
import { verifyToken } from '../shared/http/auth';
import { currentUser } from '../shared/http/guard';
import type { WebSocketEvent, WebSocketResult } from '../shared/http/websocket';
import { log } from '../shared/logger';
import { nowIso } from '../shared/ports/clock';
import { getAgent } from '../shared/store/agents';
import { removeConnection, saveConnection } from '../shared/store/connections';

export const handler = middy<WebSocketEvent, WebSocketResult>().handler(async (event) => {
  const header = event.headers?.authorization ?? event.headers?.Authorization;
  const token = event.queryStringParameters?.token ?? header?.replace(/^Bearer\s+/i, '');
  try {
    const principal = await verifyToken(token);
    // As on every HTTP request: a deleted, disabled, locked or revoked user's unexpired token opens nothing.
    currentUser(principal, await getAgent(principal.sub));
    const connectionId = event.requestContext.connectionId;
    await saveConnection({ connectionId, agentId: principal.sub, role: principal.role, connectedAt: nowIso() });
    try {
      // A revocation that ran between the check and the save did not see this connection: look again.
      currentUser(principal, await getAgent(principal.sub));
    } catch (error) {
      await removeConnection(connectionId);
      throw error;
    }
    return { statusCode: 200 };
  } catch (error) {
    if (error instanceof AppError) return { statusCode: error.status, body: error.message };
    log.error('connect failed', { error });
    return { statusCode: 500 };
  }
});
