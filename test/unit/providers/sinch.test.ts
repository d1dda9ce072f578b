/**
 * What only Sinch does, beyond the provider contract (contract.test.ts, fixtures/sinch.ts): the announced signature
 * algorithm, the OAuth2 client-credentials token and the Basic fallback before one is held.
 */
import { createHmac } from 'node:crypto';
import { AppError, SignatureError } from '../../../shared/errors';
import { sinchProvider, type SinchCredentials } from '../../../shared/providers/sinch';
import { webhookRequest } from '../../support/provider-contract';
import { sinch } from './fixtures/sinch';

const account = sinch.accounts.whatsapp!;
const credentials = sinchProvider.credentials.parse(sinch.credentials) as SinchCredentials;
const BODY = '{"message_delivery_report":{"message_id":"m1","status":"FAILED"}}';
const TS = String(Math.floor(sinch.nowMs / 1000));
const signed = (algorithm: string, hmac: 'sha256' | 'sha512') => ({
  'x-sinch-webhook-signature': createHmac(hmac, credentials.webhookSecret).update(`${BODY}.n1.${TS}`).digest('base64'),
  'x-sinch-webhook-signature-nonce': 'n1',
  'x-sinch-webhook-signature-timestamp': TS,
  'x-sinch-webhook-signature-algorithm': algorithm,
});
const verify = (headers: Record<string, string>) => () =>
  sinchProvider.verify(webhookRequest(sinch.url, BODY, headers), credentials, account, sinch.nowMs);

describe('sinch signature algorithms', () => {
  it('accepts HmacSHA512 when Sinch announces it, and refuses an algorithm it does not know', () => {
    expect(verify(signed('HmacSHA512', 'sha512'))).not.toThrow();
    expect(verify(signed('HmacSHA256', 'sha512'))).toThrow(SignatureError);
    expect(verify(signed('HmacMD5', 'sha256'))).toThrow(SignatureError);
  });
});

describe('sinch authorize', () => {
  const ctx = { credentials, account, baseUrl: 'https://eu.conversation.api.sinch.com' };

  it('defaults the token endpoint', () => {
    expect(sinchProvider.credentials.parse({ ...sinch.credentials, authUrl: undefined }).authUrl).toBe('https://auth.sinch.com/oauth2/token');
  });

  it('asks for a client-credentials token with the key id and secret', () => {
    const { request, parse } = sinchProvider.authorize!(ctx);
    expect(request).toEqual({
      method: 'POST',
      url: 'https://auth.sinch.com/oauth2/token',
      headers: {
        authorization: `Basic ${Buffer.from('5f1a3b7c-2d4e-4f60-8a9b-0c1d2e3f4a5b:Xy7~kP2mQ9').toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    const ok = { status: 200, headers: {}, body: '{"access_token":"eyJhbGciOi.test","expires_in":3599,"scope":"","token_type":"bearer"}' };
    expect(parse(ok)).toEqual({ token: 'eyJhbGciOi.test', expiresInSeconds: 3599 });
    expect(() => parse({ status: 401, headers: {}, body: '{"error":"invalid_client"}' })).toThrow(AppError);
  });

  it("falls back to Sinch's Basic authentication while no token is held", () => {
    const spec = sinchProvider.buildSend(ctx, { to: '+46712312312', text: 'hi', correlationId: 'c', statusCallbackUrl: `${sinch.url}/status` });
    expect(spec.headers.authorization).toMatch(/^Basic /);
  });
});

describe('sinch payloads the contract fuzzing found', () => {
  it('refuses a location whose coordinate is an object with no usable toString, without a TypeError', () => {
    // The contract's fuzzing produced this: Number({ toString: null }) throws, which a webhook must never do.
    const body = JSON.stringify({
      app_id: '01EB37HMH1M6SV18ASNS3G135H',
      message: {
        id: '01EKJ1534NWK5R02TGWEJN13HA',
        direction: 'TO_APP',
        contact_message: { location_message: { title: 'Sinch', label: 'Stockholm', coordinates: { latitude: 59.3343, longitude: { toString: null } } } },
        channel_identity: { channel: 'WHATSAPP', identity: '46732000000', app_id: '01EB37HMH1M6SV18ASNS3G135H' },
      },
    });
    let thrown: unknown;
    try {
      sinchProvider.parse(webhookRequest(sinch.url, body, {}), account);
    } catch (error) {
      thrown = error;
    }
    if (thrown !== undefined) expect(thrown).toBeInstanceOf(AppError);
  });
});
