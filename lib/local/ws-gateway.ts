/**
 * The local WebSocket API: connect, disconnect and messages become API Gateway WebSocket events for the $connect,
 * $disconnect and $default functions, and the same port serves the `@connections` management API (POST sends,
 * GET describes, DELETE closes; a gone connection answers 410 with `x-amzn-errortype: GoneException`), so the
 * production notifier runs unchanged. API Gateway's limits apply: 10 minutes idle, 2 hours in all, 128 KB a message.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, WebSocket } from 'ws';
import type { WebSocketEvent, WebSocketResult } from '../../shared/http/websocket';

type WsHandler = (event: WebSocketEvent) => Promise<WebSocketResult | void>;

export interface WsLimits {
  idleMs: number;
  maxDurationMs: number;
  maxMessageBytes: number;
}

export const API_GATEWAY_LIMITS: WsLimits = { idleMs: 10 * 60_000, maxDurationMs: 2 * 60 * 60_000, maxMessageBytes: 128 * 1024 };

interface Conn {
  socket: WebSocket;
  connectedAt: number;
  lastActiveAt: number;
  sourceIp: string;
  userAgent: string;
  timers: NodeJS.Timeout[];
}

export class WebSocketGateway {
  private readonly wss = new WebSocketServer({ noServer: true });
  readonly connections = new Map<string, Conn>();

  constructor(
    private readonly handlers: { connect: () => Promise<WsHandler>; disconnect: () => Promise<WsHandler>; message: () => Promise<WsHandler> },
    private readonly limits: WsLimits = API_GATEWAY_LIMITS,
  ) {}

  private event(connectionId: string, eventType: 'CONNECT' | 'DISCONNECT' | 'MESSAGE', req?: IncomingMessage, body?: string): WebSocketEvent {
    const routeKey = eventType === 'CONNECT' ? '$connect' : eventType === 'DISCONNECT' ? '$disconnect' : '$default';
    const headers: Record<string, string> = {};
    const query: Record<string, string> = {};
    if (req) {
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
      for (const [k, v] of new URL(req.url ?? '/', 'http://local').searchParams) query[k] = v;
    }
    return {
      requestContext: {
        routeKey,
        eventType,
        connectionId,
        messageId: eventType === 'MESSAGE' ? randomUUID() : undefined,
        extendedRequestId: randomUUID(),
        requestTimeEpoch: Date.now(),
        requestTime: new Date().toUTCString(),
        messageDirection: 'IN',
        stage: 'local',
        connectedAt: this.connections.get(connectionId)?.connectedAt ?? Date.now(),
        requestId: randomUUID(),
        domainName: headers['host'] ?? 'localhost',
        apiId: 'local',
      } as WebSocketEvent['requestContext'],
      ...(req ? { headers, queryStringParameters: query } : {}),
      ...(body !== undefined ? { body } : {}),
      isBase64Encoded: false,
    } as WebSocketEvent;
  }

  async handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const connectionId = randomBytes(12).toString('base64').replace(/\//g, '_');
    let result: WebSocketResult | void;
    try {
      result = await (await this.handlers.connect())(this.event(connectionId, 'CONNECT', req));
    } catch {
      result = { statusCode: 500 };
    }
    const status = result?.statusCode ?? 200;
    if (status < 200 || status >= 300) {
      socket.end(`HTTP/1.1 ${status} Refused\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(connectionId, ws, req));
  }

  private accept(connectionId: string, ws: WebSocket, req: IncomingMessage): void {
    const conn: Conn = {
      socket: ws,
      connectedAt: Date.now(),
      lastActiveAt: Date.now(),
      sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
      userAgent: req.headers['user-agent'] ?? '',
      timers: [],
    };
    this.connections.set(connectionId, conn);
    const idle = () => {
      clearTimeout(conn.timers[0]);
      conn.timers[0] = setTimeout(() => ws.close(1001, 'Going away'), this.limits.idleMs);
    };
    idle();
    conn.timers[1] = setTimeout(() => ws.close(1001, 'Going away'), this.limits.maxDurationMs);
    ws.on('message', (data, isBinary) => {
      conn.lastActiveAt = Date.now();
      idle();
      const buf = Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer);
      if (buf.length > this.limits.maxMessageBytes) return ws.close(1009, 'Message too big');
      void this.handlers
        .message()
        .then((h) => h(this.event(connectionId, 'MESSAGE', undefined, isBinary ? buf.toString('base64') : buf.toString('utf8'))))
        .catch(() => undefined);
    });
    ws.on('close', () => {
      conn.timers.forEach(clearTimeout);
      this.connections.delete(connectionId);
      void this.handlers
        .disconnect()
        .then((h) => h(this.event(connectionId, 'DISCONNECT')))
        .catch(() => undefined);
    });
  }

  /** `POST|GET|DELETE /[{stage}/]@connections/{id}`; returns false when the path is not a management call. */
  handleManagement(req: IncomingMessage, res: ServerResponse, body: Buffer): boolean {
    const m = /^\/(?:[^/]+\/)?@connections\/([^/?]+)$/.exec(new URL(req.url ?? '/', 'http://local').pathname);
    if (!m?.[1]) return false;
    const conn = this.connections.get(decodeURIComponent(m[1]));
    if (!conn || conn.socket.readyState !== WebSocket.OPEN) {
      res.writeHead(410, { 'content-type': 'application/json', 'x-amzn-errortype': 'GoneException' });
      res.end(JSON.stringify({ message: null }));
      return true;
    }
    if (req.method === 'POST') {
      if (body.length > this.limits.maxMessageBytes) {
        res.writeHead(413, { 'content-type': 'application/json', 'x-amzn-errortype': 'PayloadTooLargeException' });
        res.end(JSON.stringify({ message: 'Message too long' }));
        return true;
      }
      conn.socket.send(body.toString('utf8'));
      res.writeHead(200);
      res.end();
    } else if (req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          connectedAt: new Date(conn.connectedAt).toISOString(),
          lastActiveAt: new Date(conn.lastActiveAt).toISOString(),
          identity: { sourceIp: conn.sourceIp, userAgent: conn.userAgent },
        }),
      );
    } else if (req.method === 'DELETE') {
      conn.socket.close(1000);
      res.writeHead(204);
      res.end();
    } else {
      res.writeHead(405);
      res.end();
    }
    return true;
  }

  async close(): Promise<void> {
    for (const conn of this.connections.values()) conn.socket.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}
