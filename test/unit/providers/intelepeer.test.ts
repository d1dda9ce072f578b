/**
 * What only IntelePeer does, beyond the provider contract (contract.test.ts, fixtures/intelepeer.ts): its shared code
 * travels inside the body, basic credentials may be required on top of it, and sends need a 24 h token.
 */
import { AppError, SignatureError } from '../../../shared/errors';
import { intelepeerProvider, type IntelePeerCredentials } from '../../../shared/providers/intelepeer';
import { basicAuthHeader } from '../../../shared/providers/util';
import { webhookRequest } from '../../support/provider-contract';
import { intelepeer } from './fixtures/intelepeer';

const account = intelepeer.accounts.sms!;
const credentials = intelepeer.credentials as IntelePeerCredentials;
const AUTH_URL = 'https://customer.intelepeer.com/_rest/v4/authenticate';
const BODY = JSON.stringify({ refid: 'R1', from: '+17708675309', to: '+13038675309', message: 'Hello World!', signature: 'SECRET CODE' });
const verify = (body: string, creds: IntelePeerCredentials = credentials, headers: Record<string, string> = {}) => () =>
  intelepeerProvider.verify(webhookRequest(intelepeer.url, body, headers), creds, account, intelepeer.nowMs);

describe('intelepeer shared code', () => {
  it('rejects a changed byte of the code in the body, a body without the code, and a body it cannot read', () => {
    expect(verify(BODY)).not.toThrow();
    expect(verify(BODY.replace('SECRET CODE', 'SECRET CODF'))).toThrow(SignatureError);
    const { signature: _signature, ...unsigned } = JSON.parse(BODY) as Record<string, string>;
    expect(verify(JSON.stringify(unsigned))).toThrow(SignatureError);
    expect(verify('not json at all')).toThrow(SignatureError);
  });

  it('requires the URL basic credentials when configured, in addition to the code', () => {
    const guarded = { ...credentials, webhookUsername: 'tomhanks', webhookPassword: 'megryan' };
    expect(verify(BODY, guarded, { authorization: basicAuthHeader('tomhanks', 'megryan') })).not.toThrow();
    expect(verify(BODY, guarded)).toThrow(SignatureError);
    expect(verify(BODY, guarded, { authorization: basicAuthHeader('tomhanks', 'x') })).toThrow(SignatureError);
    expect(verify(BODY.replace('SECRET CODE', 'OTHER'), guarded, { authorization: basicAuthHeader('tomhanks', 'megryan') })).toThrow(
      SignatureError,
    );
  });
});

describe('intelepeer authorize', () => {
  const auth = intelepeerProvider.authorize?.({ credentials, account, baseUrl: 'https://api.intelepeer.com' });

  it('posts the username and password to the authenticate endpoint', () => {
    expect(auth?.request).toEqual({
      method: 'POST',
      url: AUTH_URL,
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ username: 'api-user', password: 'p4ss' }),
    });
  });

  it('reads the token and renews it before the 24 h lifetime ends', () => {
    const token = auth?.parse({ status: 200, headers: {}, body: '{"token":"fFkq123"}' });
    expect(token?.token).toBe('fFkq123');
    expect(token?.expiresInSeconds).toBeGreaterThan(23 * 3600);
    expect(token?.expiresInSeconds).toBeLessThanOrEqual(24 * 3600);
  });

  it('fails with an AppError on 401 or a body without token', () => {
    expect(() => auth?.parse({ status: 401, headers: {}, body: '{"code":401,"error":"Unauthorized"}' })).toThrow(AppError);
    expect(() => auth?.parse({ status: 200, headers: {}, body: 'oops' })).toThrow(AppError);
  });

  it('defaults the authenticate URL in the credentials schema', () => {
    const parsed = intelepeerProvider.credentials.safeParse({ username: 'u', password: 'p' });
    expect(parsed.success && parsed.data.authUrl).toBe(AUTH_URL);
  });

  it('refuses to build a send without a token', () => {
    const message = { to: '+13035550000', text: 'hi', correlationId: 'c', statusCallbackUrl: `${intelepeer.url}/status` };
    expect(() => intelepeerProvider.buildSend({ credentials, account, baseUrl: 'https://api.intelepeer.com' }, message)).toThrow(AppError);
  });
});
