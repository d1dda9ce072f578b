/**
 * The HTTP edge shared by every HTTP API function: a middy handler that dispatches on API Gateway's `routeKey`,
 * decodes the body exactly once, and maps errors. AppErrors become `{ error: { code, message, details } }` with
 * their status; anything else is logged and answered with a 500 that reveals nothing.
 *
 * Who may call a route is decided before its handler runs, by the authorizer the function's edge is built with:
 * `httpApi` (./api.ts) checks the role table and the bearer token; `anonymousHttpApi` here serves only routes the
 * role table marks anonymous (the health check, the OpenAPI document, provider webhooks, signed links), so those
 * functions' bundles carry neither jose nor the Secrets Manager client their wiring does not grant.
 */
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { AppError, ForbiddenError, PayloadTooLargeError, ValidationError } from '../errors';
import { log } from '../logger';
import type { AuditActor, AuditInput } from '../store/audit';
import { storeErrorToAppError } from '../store/errors';
import { checkParams } from './params';
import { accessOf, ACCESS_RULES } from './roles';

export const MAX_BODY_BYTES = 1024 * 1024;

export interface HttpRequest {
  event: APIGatewayProxyEventV2;
  routeKey: string;
  params: Record<string, string>;
  query: Record<string, string>;
  /** Header names in lower case. */
  headers: Record<string, string>;
  rawBody: Buffer;
  /** The body parsed as JSON; a 400 naming `body` when it is not JSON. Undefined for an empty body. */
  json(): unknown;
  /** Who is calling, set by the guard once the token checked out. */
  actor?: AuditActor;
  /**
   * How this request goes into the audit log. Unset: an admin's or supervisor's successful write is recorded under
   * its route key with the path ids (and a created item's id). A handler sets it to name the action and its targets
   * (exports, transcripts and spying are reads that are audited too), or to `false` when it recorded rows itself.
   */
  audit?: Omit<AuditInput, 'actor'> | false;
}

export type HttpResult = APIGatewayProxyStructuredResultV2;
export type RouteHandler = (req: HttpRequest) => Promise<HttpResult>;

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? '' : JSON.stringify(body),
  };
}

export function noContent(): HttpResult {
  return { statusCode: 204, headers: {}, body: '' };
}

export function errorResult(error: AppError): HttpResult {
  return json(error.status, { error: { code: error.code, message: error.message, details: error.details } });
}

export function toRequest(event: APIGatewayProxyEventV2): HttpRequest {
  const rawBody = event.body ? Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8') : Buffer.alloc(0);
  if (rawBody.length > MAX_BODY_BYTES) throw new PayloadTooLargeError(MAX_BODY_BYTES);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(event.headers ?? {})) if (v !== undefined) headers[k.toLowerCase()] = v;
  const query: Record<string, string> = {};
  for (const [k, v] of Object.entries(event.queryStringParameters ?? {})) if (v !== undefined) query[k] = v;
  const params: Record<string, string> = {};
  for (const [k, v] of Object.entries(event.pathParameters ?? {})) if (v !== undefined) params[k] = v;
  let parsed: { value: unknown } | undefined;
  return {
    event,
    routeKey: event.routeKey,
    params,
    query,
    headers,
    rawBody,
    json() {
      if (!parsed) {
        if (rawBody.length === 0) parsed = { value: undefined };
        else {
          try {
            parsed = { value: JSON.parse(rawBody.toString('utf8')) };
          } catch {
            throw new ValidationError('the body is not valid JSON', [{ path: 'body', message: 'not valid JSON' }]);
          }
        }
      }
      return parsed.value;
    },
  };
}

/** What runs after a route answered, before the answer leaves (the signed-in edge's audit row). */
export type AfterRoute = (req: HttpRequest, result: HttpResult) => Promise<void>;

/** Runs a route handler, mapping errors; exported for functions that need the request before routing. */
export async function runRoute(handler: RouteHandler, event: APIGatewayProxyEventV2, after?: AfterRoute): Promise<HttpResult> {
  try {
    const req = toRequest(event);
    const result = await handler(req);
    await after?.(req, result);
    return result;
  } catch (error) {
    if (error instanceof AppError) return errorResult(error);
    const mapped = storeErrorToAppError(error);
    if (mapped) {
      log.warn('a store limit refused a request the edge let through', { routeKey: event.routeKey, error });
      return errorResult(mapped);
    }
    log.error('unhandled error', { routeKey: event.routeKey, error });
    return json(500, {
      error: { code: 'INTERNAL', message: 'internal error', requestId: event.requestContext?.requestId },
    });
  }
}

/** Decides whether the caller may call the request's route at all (throws 401/403); may name `req.actor`. */
export type Authorizer = (req: HttpRequest) => Promise<void>;

/**
 * A Lambda handler serving the given routes (keys are API Gateway route keys such as `GET /admin/accounts/{id}`).
 * Before a handler runs, `authorize` decides whether the caller may call the route at all (401/403), and every
 * path parameter must have its documented shape (400).
 */
export function httpEdge(routes: Record<string, RouteHandler>, authorize: Authorizer, after?: AfterRoute) {
  return middy<APIGatewayProxyEventV2, HttpResult>().handler(async (event) => {
    const route = routes[event.routeKey];
    if (!route) return json(404, { error: { code: 'NOT_FOUND', message: `no route ${event.routeKey}`, details: [] } });
    return runRoute(async (req) => {
      await authorize(req);
      checkParams(req.params, req.query);
      return route(req);
    }, event, after);
  });
}

const isAnonymous = (routeKey: string): boolean => {
  const access = accessOf(routeKey);
  return access !== undefined && ACCESS_RULES[access].anonymous;
};

/**
 * The edge of a function whose every route the role table marks anonymous. A route that needs a token fails when
 * the function loads (so a test or the first request shows it), and is refused at request time all the same.
 */
export function anonymousHttpApi(routes: Record<string, RouteHandler>) {
  const guarded = Object.keys(routes).filter((key) => !isAnonymous(key));
  if (guarded.length > 0) throw new Error(`anonymousHttpApi serves only anonymous routes; these need a token: ${guarded.join(', ')}`);
  return httpEdge(routes, async (req) => {
    if (!isAnonymous(req.routeKey)) throw new ForbiddenError(`no anonymous role rule for ${req.routeKey}`);
  });
}
