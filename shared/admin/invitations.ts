/**
 * Invitation links: a signed token of purpose `invite` (72 hours) that carries a one-time id; the agent item holds
 * the id of the one invitation still valid, and redeeming it removes the id in a conditional write. The link opens
 * the console's set-password page with the token in the fragment (never sent to a server, never in an access log).
 * Sending one (`inviteAgent`) replaces any earlier one, and mails it when mail is configured and the agent has an
 * address; otherwise the caller gets the link to pass on.
 */
import { randomBytes } from 'node:crypto';
import { UnauthorizedError } from '../errors';
import { signToken } from '../http/auth';
import { config } from '../config';
import { log } from '../logger';
import { MailFailed, mailer } from '../ports/mailer';
import { updateAgent } from '../store/agents';
import { receiveBase } from './urls';
import type { Agent } from '../store/agents';

export const INVITATION_TTL_SECONDS = 72 * 60 * 60;

export function newInviteId(): string {
  return randomBytes(16).toString('base64url');
}

/** The invite id rides in the token's `username` claim as `invite:{username}:{inviteId}`. */
export async function invitationLink(agent: Agent, inviteId: string): Promise<{ url: string; token: string; expiresIn: number }> {
  const token = await signToken({ sub: agent.id, username: `invite:${agent.username}:${inviteId}`, role: agent.role }, 'invite', INVITATION_TTL_SECONDS);
  return { url: `${consoleUrl()}#/invitation/${token}`, token, expiresIn: INVITATION_TTL_SECONDS };
}

export function consoleUrl(): string {
  return config.CONSOLE_URL ?? `${receiveBase()}/console/`;
}

export type InvitationResult =
  | { id: string; sent: true; to: string }
  | { id: string; sent: false; reason: 'mail-not-configured' | 'no-email' | 'mail-failed'; url: string; expiresIn: number };

/** A fresh invitation for the agent (the earlier one stops working), mailed when that is possible. */
export async function inviteAgent(agent: Agent): Promise<InvitationResult> {
  const inviteId = newInviteId();
  await updateAgent(agent, { inviteId });
  const link = await invitationLink(agent, inviteId);
  const fallback = (reason: 'mail-not-configured' | 'no-email' | 'mail-failed') => ({ id: agent.id, sent: false as const, reason, url: link.url, expiresIn: link.expiresIn });
  const mail = mailer();
  if (!mail) return fallback('mail-not-configured');
  if (!agent.email) return fallback('no-email');
  try {
    await mail.send({ to: agent.email, subject: 'Your Switchboard invitation', text: invitationText(agent, link.url) });
    return { id: agent.id, sent: true, to: agent.email };
  } catch (error) {
    if (!(error instanceof MailFailed)) throw error;
    log.warn('invitation mail not sent', { agentId: agent.id, transport: mail.transport, error: error.message });
    return fallback('mail-failed');
  }
}

function invitationText(agent: Agent, url: string): string {
  const hours = INVITATION_TTL_SECONDS / 3600;
  return [
    `Hello ${agent.fullName},`,
    '',
    `You have been invited to Switchboard as ${agent.username}. Open this link to set your password:`,
    '',
    url,
    '',
    `The link works once, for ${hours} hours. If you did not expect it, ignore this mail.`,
  ].join('\n');
}

export function decodeInvitation(claim: string): { username: string; inviteId: string } {
  const m = /^invite:([^:]+):([A-Za-z0-9_-]+)$/.exec(claim);
  if (!m?.[1] || !m[2]) throw new UnauthorizedError('not an invitation');
  return { username: m[1], inviteId: m[2] };
}
