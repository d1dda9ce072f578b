/**
 * Bearer tokens: HS256 JWTs signed with the stack's token secret (jose). A token names the user, its role and the
 * user's token version (`tv`) when it was issued. Revoking a user (password change, disable, lock, role or account
 * membership change) raises the version, so every token issued before dies at once, not when it expires.
 */
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { ForbiddenError, UnauthorizedError } from '../errors';
import { now } from '../ports/clock';
import { tokenSecret } from '../ports/secrets';
import type { HttpRequest } from './api';

export const ROLES = ['admin', 'supervisor', 'agent'] as const;
export type Role = (typeof ROLES)[number];

export interface Principal {
  /** The agent (user) id. */
  sub: string;
  username: string;
  role: Role;
  /** The user's `tokenVersion` when the token was issued; 0 for users never revoked. */
  tokenVersion?: number;
}

const ISSUER = 'switchboard';
export const TOKEN_TTL_SECONDS = 12 * 60 * 60;

export async function signToken(principal: Principal, purpose = 'access', ttlSeconds = TOKEN_TTL_SECONDS): Promise<string> {
  const iat = Math.floor(now() / 1000);
  return new SignJWT({ username: principal.username, role: principal.role, purpose, tv: principal.tokenVersion ?? 0 })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(principal.sub)
    .setIssuer(ISSUER)
    .setIssuedAt(iat)
    .setExpirationTime(iat + ttlSeconds)
    .sign(await tokenSecret());
}

/** Verifies a token for a purpose ('access', 'invite'); throws UnauthorizedError when it is missing or bad. */
export async function verifyToken(token: string | undefined, purpose = 'access'): Promise<Principal & { iat: number; tokenVersion: number }> {
  if (!token) throw new UnauthorizedError();
  try {
    const { payload } = await jwtVerify(token, await tokenSecret(), {
      issuer: ISSUER,
      algorithms: ['HS256'],
      currentDate: new Date(now()),
    });
    const role = payload.role as Role;
    if (payload.purpose !== purpose || !payload.sub || !ROLES.includes(role) || typeof payload.username !== 'string') {
      throw new UnauthorizedError('the token is not valid here');
    }
    const tokenVersion = typeof payload.tv === 'number' && Number.isInteger(payload.tv) ? payload.tv : 0;
    return { sub: payload.sub, username: payload.username, role, iat: payload.iat ?? 0, tokenVersion };
  } catch (error) {
    if (error instanceof UnauthorizedError) throw error;
    if (error instanceof joseErrors.JWTExpired) throw new UnauthorizedError('the token has expired');
    throw new UnauthorizedError('the token is not valid');
  }
}

export function bearer(req: Pick<HttpRequest, 'headers'>): string | undefined {
  const header = req.headers['authorization'];
  const m = header ? /^Bearer\s+(.+)$/i.exec(header) : null;
  return m?.[1]?.trim();
}

export function requireRole(principal: Principal, ...roles: Role[]): void {
  if (!roles.includes(principal.role)) throw new ForbiddenError();
}
