/**
 * Who is calling: verifies the bearer token, then re-reads the user so that a disabled, locked, deleted or revoked
 * user's token stops working at once, not when it expires. Admin routes: reads for admins and supervisors, writes for
 * admins only.
 */
import { ForbiddenError, LockedError, UnauthorizedError } from '../errors';
import { getAgent, type Agent } from '../store/agents';
import type { HttpRequest } from './api';
import { bearer, requireRole, verifyToken, type Principal, type Role } from './auth';

/**
 * The user a verified token speaks for, if the token is still current: the user exists, is neither disabled nor
 * locked, and has not been revoked (role or token version changed) since the token was issued.
 */
export function currentUser(principal: Principal & { tokenVersion: number }, user: Agent | undefined): Agent {
  if (!user) throw new UnauthorizedError('this user no longer exists');
  if (user.disabled || user.locked) throw new LockedError();
  if (user.role !== principal.role) throw new UnauthorizedError('the role changed since this token was issued; log in again');
  if ((user.tokenVersion ?? 0) !== principal.tokenVersion) throw new UnauthorizedError('this token was revoked; log in again');
  return user;
}

/**
 * The user behind the bearer token (once per request: the edge checks the role table first, handlers ask again);
 * also names it on the request as the actor of its audit row.
 */
const authenticated = new WeakMap<object, Agent>();

export async function authenticate(req: Pick<HttpRequest, 'headers'> & Partial<Pick<HttpRequest, 'actor'>>): Promise<Agent> {
  const known = authenticated.get(req);
  if (known) return known;
  const principal = await verifyToken(bearer(req));
  const user = currentUser(principal, await getAgent(principal.sub));
  req.actor = { id: user.id, username: user.username, role: user.role };
  authenticated.set(req, user);
  return user;
}

export async function requireRoles(req: Pick<HttpRequest, 'headers'> & Partial<Pick<HttpRequest, 'actor'>>, ...roles: Role[]): Promise<Agent> {
  const user = await authenticate(req);
  requireRole({ sub: user.id, username: user.username, role: user.role }, ...roles);
  return user;
}

/** Admin resources: GET (and POST .../search, a read with a body) for admins and supervisors, the rest for admins. */
export async function adminAccess(req: Pick<HttpRequest, 'headers' | 'routeKey'> & Partial<Pick<HttpRequest, 'actor'>>): Promise<Agent> {
  const reading = req.routeKey.startsWith('GET ') || (req.routeKey.startsWith('POST ') && req.routeKey.endsWith('/search'));
  const user = await authenticate(req);
  if (user.role === 'admin' || (reading && user.role === 'supervisor')) return user;
  throw new ForbiddenError(reading ? 'admins and supervisors only' : 'admins only');
}

/** Supervision routes (interactions, exports, transcripts, notes, deletes): admins and supervisors, never agents. */
export async function supervisorAccess(req: Pick<HttpRequest, 'headers'> & Partial<Pick<HttpRequest, 'actor'>>): Promise<Agent> {
  const user = await authenticate(req);
  if (user.role === 'admin' || user.role === 'supervisor') return user;
  throw new ForbiddenError('admins and supervisors only');
}
