import { signToken, verifyToken } from '../../shared/http/auth';
import { UnauthorizedError } from '../../shared/errors';
import { offsetClock, useClock } from '../../shared/ports/clock';

describe('bearer tokens', () => {
  it('round-trips a principal and refuses a token signed for another purpose', async () => {
    const token = await signToken({ sub: 'a1', username: 'ada', role: 'agent' });
    await expect(verifyToken(token)).resolves.toMatchObject({ sub: 'a1', username: 'ada', role: 'agent' });
    await expect(verifyToken(token, 'invite')).rejects.toBeInstanceOf(UnauthorizedError);
  });

  it('refuses a tampered or expired token', async () => {
    const token = await signToken({ sub: 'a1', username: 'ada', role: 'admin' }, 'access', 60);
    const [h, p, s] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), role: 'admin', sub: 'a2' })).toString('base64url');
    await expect(verifyToken(`${h}.${forged}.${s}`)).rejects.toBeInstanceOf(UnauthorizedError);
    const clock = offsetClock();
    const restore = useClock(clock);
    try {
      clock.advance(61_000);
      await expect(verifyToken(token)).rejects.toThrow('expired');
    } finally {
      restore();
    }
  });

  it('refuses a missing token', async () => {
    await expect(verifyToken(undefined)).rejects.toBeInstanceOf(UnauthorizedError);
  });
});
