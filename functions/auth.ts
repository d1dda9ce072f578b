/**
 * POST /auth/login: username and password for a bearer token, throttled per username from one client address and
 * per client address (shared/domain/login-throttle.ts). A throttled attempt is refused before the password is looked
 * at, with one answer for all (429, `Retry-After`, after a fixed delay), so it tells nothing about the password.
 * Every refused attempt is recorded in the audit log (`auth.login`, denied, with the reason).
 * POST /auth/invitation: sets the password once through an invitation link.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { config } from '../shared/config';
import { ConflictError, LockedError, TooManyAttemptsError, UnauthorizedError } from '../shared/errors';
import { invitationSchema, loginSchema } from '../shared/admin/agent-schema';
import { hashPassword, verifyPassword } from '../shared/domain/password';
import type { ThrottlePolicy } from '../shared/domain/login-throttle';
import { errorResult, httpApi, json, noContent, type HttpRequest } from '../shared/http/api';
import { signToken, TOKEN_TTL_SECONDS, verifyToken } from '../shared/http/auth';
import { decodeInvitation } from '../shared/admin/invitations';
import { log } from '../shared/logger';
import { now } from '../shared/ports/clock';
import { endSessions } from '../shared/realtime/sessions';
import { findAgentByUsername, recordSuccessfulLogin, redeemInvitation, requireAgent } from '../shared/store/agents';
import { recordAudit } from '../shared/store/audit';
import { admitAttempt, budgetIds, readBudgets, settleSuccess, type Budget } from '../shared/store/login-throttle';
import { parseInput } from '../shared/validation';

function policy(freeAttempts: number): ThrottlePolicy {
  return {
    freeAttempts,
    baseDelayMs: config.LOGIN_DELAY_BASE_MS,
    maxDelayMs: config.LOGIN_DELAY_MAX_SECONDS * 1000,
    windowMs: config.LOGIN_WINDOW_SECONDS * 1000,
  };
}

function clientAddress(req: HttpRequest): string {
  return req.event.requestContext?.http?.sourceIp ?? 'unknown';
}

type LoginRefusal = 'throttled' | 'bad-credentials' | 'locked';

/** A refused login goes into the audit log; a row that cannot be written is logged rather than failing the answer. */
async function audit(req: HttpRequest, outcome: LoginRefusal, username: string, address: string, agentId?: string): Promise<void> {
  try {
    await recordAudit({
      actor: { id: agentId ?? `username:${username}`, username },
      action: 'auth.login',
      targetType: 'agent',
      targetIds: agentId ? [agentId] : [],
      outcome: 'denied',
      details: { reason: outcome },
      ip: address,
      requestId: req.event.requestContext.requestId,
    });
  } catch (error) {
    log.error('login audit row not recorded', { username, outcome, error });
  }
}

export const handler = httpApi({
  'POST /auth/login': async (req) => {
    const { username, password } = parseInput(loginSchema, req.json());
    const address = clientAddress(req);
    const userAtAddress = budgetIds.userAtAddress(username, address);
    const budgets: Budget[] = [
      { id: userAtAddress, policy: policy(config.LOGIN_FREE_ATTEMPTS) },
      { id: budgetIds.address(address), policy: policy(config.LOGIN_ADDRESS_FREE_ATTEMPTS) },
    ];
    // The budgets are read beside the user, so throttling adds no round trip to an attempt it lets through.
    const [states, agent] = await Promise.all([readBudgets(budgets), findAgentByUsername(username)]);
    const admission = await admitAttempt(budgets, states, now());
    if (!admission.admitted) {
      await Promise.all([audit(req, 'throttled', username, address, agent?.id), sleep(config.LOGIN_REFUSAL_DELAY_MS)]);
      const refusal = new TooManyAttemptsError(Math.ceil(admission.retryAfterMs / 1000));
      return { ...errorResult(refusal), headers: { 'content-type': 'application/json', 'retry-after': String(refusal.retryAfterSeconds) } };
    }
    const ok = await verifyPassword(password, agent?.passwordHash);
    // An admin's lock or a disabled user answers 423 whatever the password, so neither reveals it.
    if (agent && (agent.locked || agent.disabled)) {
      await audit(req, 'locked', username, address, agent.id);
      throw new LockedError(agent.locked ? 'this user is locked; an admin can unlock it' : 'this user is disabled');
    }
    if (!agent || !ok) {
      await audit(req, 'bad-credentials', username, address, agent?.id);
      throw new UnauthorizedError('wrong username or password');
    }
    const [token] = await Promise.all([
      signToken({ sub: agent.id, username: agent.username, role: agent.role, tokenVersion: agent.tokenVersion ?? 0 }),
      recordSuccessfulLogin(agent.id),
      settleSuccess(userAtAddress, budgetIds.address(address), admission.written),
    ]);
    return json(200, { token, tokenType: 'Bearer', expiresIn: TOKEN_TTL_SECONDS, user: { id: agent.id, username: agent.username, role: agent.role } });
  },

  'POST /auth/invitation': async (req) => {
    const { token, password } = parseInput(invitationSchema, req.json());
    const principal = await verifyToken(token, 'invite');
    const invite = decodeInvitation(principal.username);
    const agent = await requireAgent(principal.sub);
    if (agent.inviteId !== invite.inviteId) throw new ConflictError('INVITATION_USED', 'this invitation has been used or replaced');
    await redeemInvitation(agent.id, invite.inviteId, await hashPassword(password));
    await endSessions(agent.id);
    return noContent();
  },
});
