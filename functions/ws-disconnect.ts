/**
 * WebSocket $disconnect: forgets the connection; when it was the agent's last one, the agent goes offline.
 * A repeated or late disconnect is a no-op.
 */
import middy from '@middy/core';
import type { WebSocketEvent, WebSocketResult } from '../shared/http/websocket';
import { removeConnection } from '../shared/store/connections';
import { setPresence } from '../shared/store/presence';
import { removeWatcher } from '../shared/store/watchers';

export const handler = middy<WebSocketEvent, WebSocketResult>().handler(async (event) => {
  const [gone] = await Promise.all([removeConnection(event.requestContext.connectionId), removeWatcher(event.requestContext.connectionId)]);
  if (gone && gone.remaining === 0) await setPresence(gone.agentId, 'offline');
  return { statusCode: 200 };
});
