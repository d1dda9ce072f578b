/**
 * The notifier port: posts a JSON event to one WebSocket connection through API Gateway's management API. Locally
 * the engine's WebSocket gateway serves the same `@connections` API, so this code runs unchanged. It also closes a
 * connection (DELETE), when the user it was opened for is revoked.
 */
import { ApiGatewayManagementApiClient, DeleteConnectionCommand, GoneException, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { config, required } from '../config';
import { clientFor, type EndpointOptions } from './aws';

let client: ApiGatewayManagementApiClient | undefined;
let clientEndpoint: string | undefined;

function management(): ApiGatewayManagementApiClient {
  if (client && clientEndpoint === config.WS_CALLBACK_URL) return client;
  clientEndpoint = config.WS_CALLBACK_URL;
  const endpoint = required('WS_CALLBACK_URL');
  // In the cloud the endpoint is the API's own URL, signed with the function's role; locally, the engine's gateway.
  const make = (options: EndpointOptions) => new ApiGatewayManagementApiClient({ region: config.AWS_REGION, endpoint, ...options });
  client = config.STAGE === 'local' ? clientFor(endpoint, make) : make({});
  return client;
}

export type PostResult = 'sent' | 'gone';

/** Counts posts; the benchmark reads it to show that posts per event equal the eligible connections. */
export const notifierStats = { posts: 0 };

/** Posts `data` as JSON. A connection that is gone answers 'gone' so the caller removes it. */
export async function postToConnection(connectionId: string, data: unknown): Promise<PostResult> {
  notifierStats.posts += 1;
  try {
    await management().send(
      new PostToConnectionCommand({ ConnectionId: connectionId, Data: Buffer.from(JSON.stringify(data)) }),
    );
    return 'sent';
  } catch (error) {
    if (error instanceof GoneException || (error as Error).name === 'GoneException') return 'gone';
    throw error;
  }
}


/** Closes a connection through the management API (DELETE `@connections/{id}`); one already gone is not an error. */
export async function closeConnection(connectionId: string): Promise<PostResult> {
  try {
    await management().send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
    return 'sent';
  } catch (error) {
    if (error instanceof GoneException || (error as Error).name === 'GoneException') return 'gone';
    throw error;
  }
}
