/**
 * The local HTTP gateway must hand the functions the same payload-2.0 events API Gateway's HTTP API does, and turn
 * their results into responses the same way. Requests and responses are in-memory stand-ins: no sockets.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { buildEvent, compileRoutes, httpGateway, matchRoute, writeResult } from '../../lib/local/http-gateway';
import type { HttpRoute } from '../../lib/wiring';

function request(method: string, url: string, rawHeaders: string[] = [], remoteAddress = '127.0.0.1'): IncomingMessage {
  const headers: Record<string, string> = {};
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    headers[name] = headers[name] === undefined ? rawHeaders[i + 1]! : `${headers[name]}, ${rawHeaders[i + 1]!}`;
  }
  return {
    method,
    url,
    rawHeaders,
    headers,
    httpVersion: '1.1',
    socket: { remoteAddress },
  } as unknown as IncomingMessage;
}

interface Captured {
  status?: number;
  headers?: Record<string, string | string[]>;
  body?: Buffer;
}

function response(): { res: ServerResponse; out: Captured } {
  const out: Captured = {};
  const res = {
    writeHead(status: number, headers?: Record<string, string | string[]>) {
      out.status = status;
      out.headers = headers ?? {};
      return res;
    },
    end(chunk?: string | Buffer) {
      out.body = chunk === undefined ? Buffer.alloc(0) : Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
      return res;
    },
  };
  return { res: res as unknown as ServerResponse, out };
}

const routes: HttpRoute[] = [
  { method: 'GET', path: '/admin/accounts/{id}', fn: 'health' },
  { method: 'GET', path: '/admin/accounts/export', fn: 'health' },
  { method: 'POST', path: '/webhooks/{accountId}/{token}', fn: 'health' },
  { method: 'GET', path: '/health', fn: 'health' },
];

describe('matchRoute', () => {
  const compiled = compileRoutes(routes);

  it('matches a route with path parameters and decodes them', () => {
    const match = matchRoute(compiled, 'POST', '/webhooks/acc-1/tok%20en');

    expect(match?.route.path).toBe('/webhooks/{accountId}/{token}');
    expect(match?.params).toEqual({ accountId: 'acc-1', token: 'tok en' });
  });

  it('prefers a literal segment over a parameter, whatever the route order', () => {
    const literal = matchRoute(compiled, 'GET', '/admin/accounts/export');
    const reversed = matchRoute(compileRoutes([...routes].reverse()), 'GET', '/admin/accounts/export');

    expect(literal?.route.path).toBe('/admin/accounts/export');
    expect(literal?.params).toEqual({});
    expect(reversed?.route.path).toBe('/admin/accounts/export');
  });

  it('still routes other values of the parameter to the parameter route', () => {
    expect(matchRoute(compiled, 'GET', '/admin/accounts/a-42')).toEqual({
      route: routes[0],
      params: { id: 'a-42' },
    });
  });

  it('matches nothing for another method, a parameter spanning segments, or an unknown path', () => {
    expect(matchRoute(compiled, 'DELETE', '/admin/accounts/a-42')).toBeUndefined();
    expect(matchRoute(compiled, 'GET', '/admin/accounts/a/b')).toBeUndefined();
    expect(matchRoute(compiled, 'GET', '/nope')).toBeUndefined();
  });

  it('lets a greedy parameter take the rest of the path', () => {
    const greedy = compileRoutes([{ method: 'GET', path: '/files/{proxy+}', fn: 'health' }]);

    expect(matchRoute(greedy, 'GET', '/files/a/b/c.txt')?.params).toEqual({ proxy: 'a/b/c.txt' });
  });

  // API Gateway evaluates a full match (parameters included) before a greedy {proxy+} route, whatever the order.
  it('prefers a plain parameter route over a greedy one, as API Gateway does', () => {
    const both = compileRoutes([
      { method: 'GET', path: '/files/{proxy+}', fn: 'health' },
      { method: 'GET', path: '/files/{id}', fn: 'health' },
    ]);

    expect(matchRoute(both, 'GET', '/files/f-1')?.route.path).toBe('/files/{id}');
  });
});

describe('buildEvent', () => {
  const json = Buffer.from('{"text":"hi"}');

  it('builds a payload-2.0 event with raw path, raw query, query parameters and path parameters', () => {
    const req = request('POST', '/webhooks/acc-1/tok?a=1&b=two&a=3', [
      'Host',
      'api.local:3000',
      'Content-Type',
      'application/json',
    ]);

    const event = buildEvent(req, json, 'POST /webhooks/{accountId}/{token}', { accountId: 'acc-1', token: 'tok' });

    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'POST /webhooks/{accountId}/{token}',
      rawPath: '/webhooks/acc-1/tok',
      rawQueryString: 'a=1&b=two&a=3',
      queryStringParameters: { a: '1,3', b: 'two' },
      pathParameters: { accountId: 'acc-1', token: 'tok' },
    });
  });

  it('lower-cases header names and joins repeated headers with commas', () => {
    const req = request('GET', '/health', [
      'X-Forwarded-For',
      '1.1.1.1',
      'Accept',
      'text/plain',
      'x-forwarded-for',
      '2.2.2.2',
    ]);

    const event = buildEvent(req, Buffer.alloc(0), 'GET /health', {});

    expect(event.headers).toEqual({ 'x-forwarded-for': '1.1.1.1,2.2.2.2', accept: 'text/plain' });
  });

  it('fills requestContext.http and the request context fields', () => {
    const req = request('GET', '/health?x=1', ['Host', 'api.local', 'User-Agent', 'jest/30'], '10.0.0.7');

    const event = buildEvent(req, Buffer.alloc(0), 'GET /health', {});

    expect(event.requestContext).toMatchObject({
      routeKey: 'GET /health',
      stage: '$default',
      domainName: 'api.local',
      http: { method: 'GET', path: '/health', protocol: 'HTTP/1.1', sourceIp: '10.0.0.7', userAgent: 'jest/30' },
    });
    expect(typeof event.requestContext.requestId).toBe('string');
    expect(Math.abs(event.requestContext.timeEpoch - Date.now())).toBeLessThan(5_000);
  });

  it('omits query and path parameters when there are none', () => {
    const event = buildEvent(request('GET', '/health'), Buffer.alloc(0), 'GET /health', {});

    expect(event).not.toHaveProperty('queryStringParameters');
    expect(event).not.toHaveProperty('pathParameters');
    expect(event).not.toHaveProperty('body');
    expect(event.rawQueryString).toBe('');
    expect(event.isBase64Encoded).toBe(false);
  });

  it('passes a JSON body as plain text', () => {
    const req = request('POST', '/x', ['Content-Type', 'application/json; charset=utf-8']);

    const event = buildEvent(req, json, 'POST /x', undefined);

    expect(event.body).toBe('{"text":"hi"}');
    expect(event.isBase64Encoded).toBe(false);
  });

  it('base64-encodes a form body, as API Gateway does', () => {
    const form = Buffer.from('From=%2B15550001&Body=Hello+there');
    const req = request('POST', '/x', ['Content-Type', 'application/x-www-form-urlencoded']);

    const event = buildEvent(req, form, 'POST /x', undefined);

    expect(event.isBase64Encoded).toBe(true);
    expect(event.body).toBe(form.toString('base64'));
    expect(Buffer.from(event.body!, 'base64').equals(form)).toBe(true);
  });

  it('moves cookies out of the headers into the cookies list', () => {
    const req = request('GET', '/health', ['Cookie', 'a=1; b=2']);

    const event = buildEvent(req, Buffer.alloc(0), 'GET /health', {});

    expect(event.cookies).toEqual(['a=1', 'b=2']);
    expect(event.headers).not.toHaveProperty('cookie');
  });
});

describe('writeResult', () => {
  it('writes the status code, headers and body of a structured result', () => {
    const { res, out } = response();

    writeResult(res, {
      statusCode: 201,
      headers: { 'content-type': 'application/json', 'x-count': 3 },
      body: '{"id":"a1"}',
    });

    expect(out.status).toBe(201);
    expect(out.headers).toEqual({ 'content-type': 'application/json', 'x-count': '3' });
    expect(out.body?.toString()).toBe('{"id":"a1"}');
  });

  it('decodes a base64 body into bytes', () => {
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff]);
    const { res, out } = response();

    writeResult(res, {
      statusCode: 200,
      headers: { 'content-type': 'image/png' },
      body: bytes.toString('base64'),
      isBase64Encoded: true,
    });

    expect(out.body?.equals(bytes)).toBe(true);
  });

  it('sets cookies as set-cookie headers', () => {
    const { res, out } = response();

    writeResult(res, { statusCode: 204, cookies: ['s=1; HttpOnly', 't=2'] });

    expect(out.status).toBe(204);
    expect(out.headers?.['set-cookie']).toEqual(['s=1; HttpOnly', 't=2']);
    expect(out.body?.length).toBe(0);
  });

  it('answers a result without statusCode as a 200 JSON body', () => {
    const { res, out } = response();

    writeResult(res, { items: [1, 2] } as APIGatewayProxyResultV2);

    expect(out.status).toBe(200);
    expect(out.headers).toEqual({ 'content-type': 'application/json' });
    expect(JSON.parse(out.body!.toString())).toEqual({ items: [1, 2] });
  });
});

describe('httpGateway', () => {
  it('invokes the matched route with its route key and path parameters and writes the result', async () => {
    const events: APIGatewayProxyEventV2[] = [];
    const gateway = httpGateway(routes, async () => async (event) => {
      events.push(event);
      return { statusCode: 202, body: 'ok' };
    });
    const { res, out } = response();

    await gateway(request('POST', '/webhooks/acc-9/t0k', ['Content-Type', 'text/plain']), res, Buffer.from('hello'));

    expect(out.status).toBe(202);
    expect(events[0]).toMatchObject({
      routeKey: 'POST /webhooks/{accountId}/{token}',
      pathParameters: { accountId: 'acc-9', token: 't0k' },
      body: 'hello',
      isBase64Encoded: false,
    });
  });

  // decodeURIComponent throws URIError on a malformed escape; a malformed URL is the client's mistake, never a 500.
  it('answers a malformed percent-escape in a path parameter with a 4xx, not an error', async () => {
    const handlerFor = jest.fn();
    const gateway = httpGateway(routes, handlerFor);
    const { res, out } = response();

    await gateway(request('GET', '/admin/accounts/%E0%A4%A'), res, Buffer.alloc(0));

    expect(out.status).toBeGreaterThanOrEqual(400);
    expect(out.status).toBeLessThan(500);
    expect(handlerFor).not.toHaveBeenCalled();
  });

  it('answers 404 {"message":"Not Found"} for a path no route matches, without invoking anything', async () => {
    const handlerFor = jest.fn();
    const gateway = httpGateway(routes, handlerFor);
    const { res, out } = response();

    await gateway(request('GET', '/missing'), res, Buffer.alloc(0));

    expect(out.status).toBe(404);
    expect(JSON.parse(out.body!.toString())).toEqual({ message: 'Not Found' });
    expect(handlerFor).not.toHaveBeenCalled();
  });
});
