/**
 * GET /asyncapi.json: the AsyncAPI 3.0 document of the WebSocket API (what clients send, what the engine pushes),
 * built once per container. Public. Its own function, so neither document rides in the other's bundle.
 */
import { asyncApiDocument } from '../shared/admin/asyncapi';
import { config } from '../shared/config';
import { anonymousHttpApi, json } from '../shared/http/edge';

let document: ReturnType<typeof asyncApiDocument> | undefined;

export const handler = anonymousHttpApi({
  'GET /asyncapi.json': async () => {
    // Where the management endpoint is known (the engine sets it for every function), it is the WebSocket API's own
    // URL over http(s); otherwise the document names the stack's WebSocketUrl output.
    document ??= asyncApiDocument(config.WS_CALLBACK_URL ? { wsUrl: config.WS_CALLBACK_URL.replace(/^http/, 'ws') } : {});
    return json(200, document, { 'cache-control': 'public, max-age=300' });
  },
});
