/** WebSocket $default: answers `{"action":"ping"}` with a pong through the management API; ignores the rest. */
import middy from '@middy/core';
import type { WebSocketEvent, WebSocketResult } from '../shared/http/websocket';
import { postToConnection } from '../shared/ports/notifier';
import { now } from '../shared/ports/clock';

export const handler = middy<WebSocketEvent, WebSocketResult>().handler(async (event) => {
  let action: unknown;
  try {
    action = (JSON.parse(event.body ?? '{}') as { action?: unknown }).action;
  } catch {
    return { statusCode: 400, body: 'messages are JSON objects with an action' };
  }
  if (action === 'ping') await postToConnection(event.requestContext.connectionId, { type: 'pong', at: now() });
  return { statusCode: 200 };
});
