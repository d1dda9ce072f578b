/**
 * The local HTTP API: turns each request into an API Gateway HTTP API payload-2.0 event (route key, raw path and
 * query, lower-case headers joined with commas, path parameters, request context, and the body base64-encoded
 * unless its content type is text, as API Gateway does) and answers with what the route's function returns.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import type { HttpRoute } from '../wiring';

type Handler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyResultV2>;

interface CompiledRoute {
  route: HttpRoute;
  pattern: RegExp;
  names: string[];
}

export function compileRoutes(routes: HttpRoute[]): CompiledRoute[] {
  return routes.map((route) => {
    const names: string[] = [];
    const source = route.path
      .split('/')
      .map((part) => {
        const greedy = /^\{(\w+)\+\}$/.exec(part);
        if (greedy?.[1]) {
          names.push(greedy[1]);
          return '(.+)';
        }
        const param = /^\{(\w+)\}$/.exec(part);
        if (param?.[1]) {
          names.push(param[1]);
          return '([^/]+)';
        }
        return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      })
      .join('/');
    return { route, pattern: new RegExp(`^${source}$`), names };
  });
}

export function matchRoute(compiled: CompiledRoute[], method: string, path: string) {
  // As in API Gateway: greedy {proxy+} routes last, and literal segments beat parameters.
  const greedy = (c: CompiledRoute) => (/\{\w+\+\}/.test(c.route.path) ? 1 : 0);
  const candidates = compiled
    .filter((c) => c.route.method === method)
    .sort((a, b) => greedy(a) - greedy(b) || a.names.length - b.names.length);
  for (const c of candidates) {
    const m = c.pattern.exec(path);
    if (!m) continue;
    const params: Record<string, string> = {};
    try {
      c.names.forEach((name, i) => (params[name] = decodeURIComponent(m[i + 1] ?? '')));
    } catch {
      // A malformed percent-escape is the client's mistake: no route matches it (404), never a 500.
      return undefined;
    }
    return { route: c.route, params };
  }
  return undefined;
}

const TEXT_TYPES = /^(text\/|application\/(json|xml|javascript)|application\/[\w.+-]+\+(json|xml))/i;

export function buildEvent(
  req: IncomingMessage,
  body: Buffer,
  routeKey: string,
  pathParameters: Record<string, string> | undefined,
  receivedAt: number = Date.now(),
): APIGatewayProxyEventV2 {
  const url = new URL(req.url ?? '/', 'http://local');
  const headers: Record<string, string> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = (req.rawHeaders[i] ?? '').toLowerCase();
    const value = req.rawHeaders[i + 1] ?? '';
    if (name === 'cookie') continue;
    headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
  }
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = query[k] === undefined ? v : `${query[k]},${v}`;
  const contentType = headers['content-type'] ?? '';
  const isText = body.length === 0 || TEXT_TYPES.test(contentType);
  // As API Gateway: the time the request was received, not the time its event was built.
  const now = new Date(receivedAt);
  const cookies = req.headers.cookie?.split(';').map((c) => c.trim());
  return {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    ...(cookies ? { cookies } : {}),
    headers,
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    ...(pathParameters && Object.keys(pathParameters).length ? { pathParameters } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers['host'] ?? 'localhost',
      domainPrefix: (headers['host'] ?? 'localhost').split('.')[0] ?? 'localhost',
      http: {
        method: req.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(body.length ? { body: isText ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: !isText,
  };
}

export function writeResult(res: ServerResponse, result: APIGatewayProxyResultV2): void {
  // API Gateway's rule for payload 2.0: a result without statusCode is a JSON body with status 200.
  if (typeof result !== 'object' || result === null || !('statusCode' in result)) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(typeof result === 'string' ? result : JSON.stringify(result));
    return;
  }
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(result.headers ?? {})) headers[k] = String(v);
  if (result.cookies?.length) headers['set-cookie'] = result.cookies;
  res.writeHead(result.statusCode ?? 200, headers);
  const body = result.body ?? '';
  res.end(result.isBase64Encoded ? Buffer.from(body, 'base64') : body);
}

export function httpGateway(routes: HttpRoute[], handlerFor: (route: HttpRoute) => Promise<Handler>) {
  const compiled = compileRoutes(routes);
  return async (req: IncomingMessage, res: ServerResponse, body: Buffer, receivedAt = Date.now()): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://local').pathname;
    const match = matchRoute(compiled, req.method ?? 'GET', path);
    if (!match) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'Not Found' }));
      return;
    }
    const routeKey = `${match.route.method} ${match.route.path}`;
    const handler = await handlerFor(match.route);
    const result = await handler(buildEvent(req, body, routeKey, match.params, receivedAt));
    writeResult(res, result);
  };
}
