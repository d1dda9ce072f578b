/**
 * What only Kaleyra does, beyond the provider contract (contract.test.ts, fixtures/kaleyra.ts): the secret header's
 * name is the account's choice, its send path carries our number, and its statuses carry our reference in its own
 * envelope rather than in Meta's field.
 */
import { kaleyraProvider, type KaleyraCredentials } from '../../../shared/providers/kaleyra';
import { webhookRequest } from '../../support/provider-contract';
import { kaleyra } from './fixtures/kaleyra';

const account = kaleyra.accounts.whatsapp!;
const credentials = kaleyraProvider.credentials.parse(kaleyra.credentials) as KaleyraCredentials;

describe('kaleyra credentials', () => {
  it('defaults the secret header and keeps the secret optional', () => {
    const parsed = kaleyraProvider.credentials.parse({ ...kaleyra.credentials, webhookSecretHeader: undefined, webhookSecret: undefined });
    expect(parsed.webhookSecretHeader).toBe('x-kaleyra-secret');
    expect(parsed.webhookSecret).toBeUndefined();
  });

  it('honours a custom header name', () => {
    const custom = kaleyraProvider.credentials.parse({ ...credentials, webhookSecretHeader: 'X-Callback-Token' });
    const req = (headers: Record<string, string>) => webhookRequest(kaleyra.url, '{}', headers);
    expect(() => kaleyraProvider.verify(req({ 'x-callback-token': 'kal-callback-secret' }), custom, account, kaleyra.nowMs)).not.toThrow();
    expect(() => kaleyraProvider.verify(req({ 'x-kaleyra-secret': 'kal-callback-secret' }), custom, account, kaleyra.nowMs)).toThrow();
  });
});

describe('kaleyra send path', () => {
  it('percent-encodes the + of our E.164 number in the path (developers.kaleyra.io v2 "Send Text Messages")', () => {
    const spec = kaleyraProvider.buildSend(
      { credentials, account, baseUrl: 'https://api.in.kaleyra.io' },
      { to: '+919740776505', text: 'hi', correlationId: 'c1', statusCallbackUrl: 'https://x/status' },
    );
    expect(spec.url).toBe('https://api.in.kaleyra.io/v2/HXAP1692112397IN/whatsapp/%2B918041234567/messages');
  });
});

describe('kaleyra simulated statuses', () => {
  it("carry our reference in extra_info only, never in Meta's biz_opaque_callback_data", () => {
    const spec = kaleyraProvider.simulateStatus(
      { url: kaleyra.url, providerMessageId: 'wamid.OUTKC', status: 'delivered', timestampMs: kaleyra.nowMs, correlationId: 'ref-1' },
      credentials,
      account,
    );
    expect(spec.body).not.toContain('biz_opaque_callback_data');
    expect(JSON.parse(spec.body ?? '')).toMatchObject({ extra_info: { ref: 'ref-1' } });
  });
});
