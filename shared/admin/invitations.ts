/**
 * Invitation links: a signed token of purpose `invite` (72 hours) that carries a one-time id; the agent item holds
 * the id of the one invitation still valid, and redeeming it removes the id in a conditional write.
 */
import { randomBytes } from 'node:crypto';
import { UnauthorizedError } from '../errors';
import { signToken } from '../http/auth';
import { receiveBase } from './urls';
import type { Agent } from '../store/agents';

export const INVITATION_TTL_SECONDS = 72 * 60 * 60;

export function newInviteId(): string {
  return randomBytes(16).toString('base64url');
}

/** The invite id rides in the token's `username` claim as `invite:{username}:{inviteId}`. */
export async function invitationLink(agent: Agent, inviteId: string): Promise<{ url: string; token: string; expiresIn: number }> {
  const token = await signToken({ sub: agent.id, username: `invite:${agent.username}:${inviteId}`, role: agent.role }, 'invite', INVITATION_TTL_SECONDS);
  return { url: `${receiveBase()}/invitation#token=${token}`, token, expiresIn: INVITATION_TTL_SECONDS };
}

export function decodeInvitation(claim: string): { username: string; inviteId: string } {
  const m = /^invite:([^:]+):([A-Za-z0-9_-]+)$/.exec(claim);
  if (!m?.[1] || !m[2]) throw new UnauthorizedError('not an invitation');
  return { username: m[1], inviteId: m[2] };
}
