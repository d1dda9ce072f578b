/** Types and helpers for API Gateway WebSocket events (the $connect event also carries headers and the query). */
import type { APIGatewayProxyWebsocketEventV2 } from 'aws-lambda';

export type WebSocketEvent = APIGatewayProxyWebsocketEventV2 & {
  headers?: Record<string, string | undefined>;
  queryStringParameters?: Record<string, string | undefined>;
};

export interface WebSocketResult {
  statusCode: number;
  body?: string;
}
