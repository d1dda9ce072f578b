/**
 * POST /auth/login: username and password for a bearer token. Five failures in a row lock the user.
 * POST /auth/invitation: sets the password once through an invitation link.
 */
import { ConflictError, LockedError, UnauthorizedError } from '../shared/errors';
import { invitationSchema, loginSchema } from '../shared/admin/agent-schema';
import { hashPassword, verifyPassword } from '../shared/domain/password';
import { httpApi, json, noContent } from '../shared/http/api';
import { signToken, TOKEN_TTL_SECONDS, verifyToken } from '../shared/http/auth';
import { decodeInvitation } from '../shared/admin/invitations';
import { findAgentByUsername, recordFailedLogin, recordSuccessfulLogin, redeemInvitation, requireAgent } from '../shared/store/agents';
import { parseInput } from '../shared/validation';

export const handler = httpApi({
  'POST /auth/login': async (req) => {
    const { username, password } = parseInput(loginSchema, req.json());
    const agent = await findAgentByUsername(username);
    const ok = await verifyPassword(password, agent?.passwordHash);
    if (!agent || !ok) {
      if (agent) await recordFailedLogin(agent.id);
      throw new UnauthorizedError('wrong username or password');
    }
    if (agent.locked) throw new LockedError('this user is locked after repeated failed logins; an admin can unlock it');
    if (agent.disabled) throw new LockedError('this user is disabled');
    await recordSuccessfulLogin(agent.id);
    const token = await signToken({ sub: agent.id, username: agent.username, role: agent.role });
    return json(200, { token, tokenType: 'Bearer', expiresIn: TOKEN_TTL_SECONDS, user: { id: agent.id, username: agent.username, role: agent.role } });
  },

  'POST /auth/invitation': async (req) => {
    const { token, password } = parseInput(invitationSchema, req.json());
    const principal = await verifyToken(token, 'invite');
    const invite = decodeInvitation(principal.username);
    const agent = await requireAgent(principal.sub);
    if (agent.inviteId !== invite.inviteId) throw new ConflictError('INVITATION_USED', 'this invitation has been used or replaced');
    await redeemInvitation(agent.id, invite.inviteId, await hashPassword(password));
    return noContent();
  },
});
