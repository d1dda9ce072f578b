/**
 * What only the JSON-contract providers (Connectel, CSC Telecom) do, beyond the provider contract (contract.test.ts,
 * fixtures/json-contract.ts): their base URL is the account's own, and their timestamp must be a plain Unix time.
 */
import { createHmac } from 'node:crypto';
import { SignatureError } from '../../../shared/errors';
import type { ProviderModule } from '../../../shared/providers/types';
import { webhookRequest } from '../../support/provider-contract';
import { connectel, csctelecom } from './fixtures/json-contract';

describe.each([
  ['connectel', connectel],
  ['csctelecom', csctelecom],
])('%s', (_type, c) => {
  const provider = c.provider as unknown as ProviderModule<Record<string, unknown>>;
  const account = c.accounts.sms!;
  const message = { to: '+46701234567', text: 'hej', correlationId: 'c-1', statusCallbackUrl: `${c.url}/status` };

  it("sends to the account's own base URL when no override is configured", () => {
    expect(provider.buildSend({ credentials: c.credentials, account, baseUrl: '' }, message).url).toBe(`${String(c.credentials.baseUrl)}/messages`);
    expect(provider.buildSend({ credentials: c.credentials, account, baseUrl: 'https://mock.local/' }, message).url).toBe('https://mock.local/messages');
  });

  it('refuses a timestamp that is not a plain Unix time, even correctly signed', () => {
    const body = '{"id":"1","from":"+46701234567","text":"hi"}';
    const ts = '1e9';
    const sig = `sha256=${createHmac('sha256', 'whsec_test').update(`${ts}.`).update(body).digest('hex')}`;
    const req = webhookRequest(c.url, body, { 'x-signature-timestamp': ts, 'x-signature': sig });
    expect(() => provider.verify(req, c.credentials, account, c.nowMs)).toThrow(SignatureError);
  });
});
