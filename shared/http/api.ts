/**
 * The HTTP edge of functions whose routes need a signed-in caller: before a handler runs, the role table
 * (shared/http/roles.ts) and the caller's bearer token decide whether it may call the route at all, and after it
 * answered, an admin's or supervisor's request goes into the audit log. The edge itself (request decoding, error
 * mapping) is ./edge.ts; functions with only anonymous routes use its `anonymousHttpApi` and carry neither the
 * token code nor the audit log.
 */
import { log } from '../logger';
import { recordAudit, type AuditInput } from '../store/audit';
import { authorize } from './authorize';
import { httpEdge, type HttpRequest, type HttpResult, type RouteHandler } from './edge';

export { errorResult, json, MAX_BODY_BYTES, noContent, runRoute, toRequest } from './edge';
export type { HttpRequest, HttpResult, RouteHandler } from './edge';

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

/**
 * A Lambda handler serving the given routes (keys are API Gateway route keys such as `GET /admin/accounts/{id}`).
 * Before a handler runs, the role table decides whether the caller may call the route at all (401/403), and every
 * path parameter must have its documented shape (400).
 */
export function httpApi(routes: Record<string, RouteHandler>) {
  return httpEdge(routes, authorize, audit);
}
