/**
 * The HTTP edge shared by every HTTP API function: a middy handler that dispatches on API Gateway's `routeKey`,
 * decodes the body exactly once, and maps errors. AppErrors become `{ error: { code, message, details } }` with
 * their status; anything else is logged and answered with a 500 that reveals nothing.
 */
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { AppError, PayloadTooLargeError, ValidationError } from '../errors';
import { log } from '../logger';
import { recordAudit, type AuditActor, type AuditInput } from '../store/audit';
import { storeErrorToAppError } from '../store/errors';
import { authorize } from './authorize';
import { checkParams } from './params';

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

/** Path ids, then the id of what a POST created (a 201 body with an `id`). */
function targetsOf(req: HttpRequest, result: HttpResult): string[] {
  const ids = Object.values(req.params);
  if (result.statusCode === 201 && typeof result.body === 'string' && result.body.startsWith('{')) {
    try {
      const id = (JSON.parse(result.body) as { id?: unknown }).id;
      if (typeof id === 'string') ids.push(id);
    } catch {
      // not JSON: nothing more to name
    }
  }
  return ids;
}

/** Records the audit row of a successful request by an admin or supervisor (see `HttpRequest.audit`). */
async function audit(req: HttpRequest, result: HttpResult): Promise<void> {
  const { actor } = req;
  if (!actor || actor.role === 'agent' || req.audit === false || (result.statusCode ?? 200) >= 400) return;
  // Reads are not audited unless the handler says so (exports, transcripts); a search is a read with a body.
  if (!req.audit && (req.routeKey.startsWith('GET ') || req.routeKey.endsWith('/search'))) return;
  const entry: Omit<AuditInput, 'actor'> = req.audit ?? { action: req.routeKey, targetIds: targetsOf(req, result) };
  try {
    await recordAudit({
      ...entry,
      actor,
      ...(req.event.requestContext?.http?.sourceIp ? { ip: req.event.requestContext.http.sourceIp } : {}),
      ...(req.event.requestContext?.requestId ? { requestId: req.event.requestContext.requestId } : {}),
    });
  } catch (error) {
    // The action is done and cannot be undone here; a lost audit row is logged loudly rather than failing it.
    log.error('audit row not recorded', { routeKey: req.routeKey, actorId: actor.id, error });
  }
}

/** Runs a route handler, mapping errors; exported for functions that need the request before routing. */
export async function runRoute(handler: RouteHandler, event: APIGatewayProxyEventV2): Promise<HttpResult> {
  try {
    const req = toRequest(event);
    const result = await handler(req);
    await audit(req, result);
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

/**
 * A Lambda handler serving the given routes (keys are API Gateway route keys such as `GET /admin/accounts/{id}`).
 * Before a handler runs, the role table decides whether the caller may call the route at all (401/403), and every
 * path parameter must have its documented shape (400).
 */
export function httpApi(routes: Record<string, RouteHandler>) {
  return middy<APIGatewayProxyEventV2, HttpResult>().handler(async (event) => {
    const route = routes[event.routeKey];
    if (!route) return json(404, { error: { code: 'NOT_FOUND', message: `no route ${event.routeKey}`, details: [] } });
    return runRoute(async (req) => {
      await authorize(req);
      checkParams(req.params, req.query);
      return route(req);
    }, event);
  });
}
