/** WebSocket $disconnect: forgets the connection. A repeated or late disconnect is a no-op. */
import middy from '@middy/core';
import type { WebSocketEvent, WebSocketResult } from '../shared/http/websocket';
import { removeConnection } from '../shared/store/connections';

export const handler = middy<WebSocketEvent, WebSocketResult>().handler(async (event) => {
  await removeConnection(event.requestContext.connectionId);
  return { statusCode: 200 };
});
