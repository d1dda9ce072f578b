/**
 * The HTTP edge's access check, run by `httpApi` before every handler: the route's rule from the role table
 * (shared/http/roles.ts), the caller's token and role. A route with no rule is refused: failing closed is what
 * makes the table the one that decides.
 */
import { ForbiddenError } from '../errors';
import { log } from '../logger';
import type { HttpRequest } from './api';
import { authenticate } from './guard';
import { accessOf, ACCESS_RULES, requireGrant } from './roles';

export async function authorize(req: HttpRequest): Promise<void> {
  const access = accessOf(req.routeKey);
  if (!access) {
    log.error('a route has no role rule; add it to shared/http/roles.ts', { routeKey: req.routeKey });
    throw new ForbiddenError(`no role rule for ${req.routeKey}`);
  }
  if (ACCESS_RULES[access].anonymous) return;
  const user = await authenticate(req);
  requireGrant(access, user.role);
}
