/**
 * What only Meta does, beyond the provider contract (contract.test.ts, fixtures/meta.ts): the GET verification
 * handshake, the Graph API version default, and signing non-ASCII text escaped as Meta serialises it.
 */
import { metaProvider, type MetaCredentials } from '../../../shared/providers/meta';
import { webhookRequest } from '../../support/provider-contract';
import { meta } from './fixtures/meta';

const account = meta.accounts.whatsapp!;
const credentials = meta.credentials as MetaCredentials;
const get = (query: Record<string, string>) => webhookRequest(`${meta.url}?${new URLSearchParams(query)}`, '', {}, 'GET');
const handshake = (query: Record<string, string>) => metaProvider.handshake!(get(query), credentials, account);

describe('meta credentials', () => {
  it('defaults the Graph API version', () => {
    expect(metaProvider.credentials.parse({ ...credentials, apiVersion: undefined }).apiVersion).toBe('v25.0');
  });
});

describe('meta handshake', () => {
  it('echoes hub.challenge when the verify token is the proxy token', () => {
    expect(handshake({ 'hub.mode': 'subscribe', 'hub.verify_token': account.proxyToken, 'hub.challenge': '1158201444' })).toEqual({
      statusCode: 200,
      headers: { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' },
      body: '1158201444',
    });
  });

  it('echoes no challenge that is markup, empty or longer than 128 characters, even with the right verify token', () => {
    for (const challenge of ['<script>alert(1)</script>', '', 'x'.repeat(129)]) {
      const answer = handshake({ 'hub.mode': 'subscribe', 'hub.verify_token': account.proxyToken, 'hub.challenge': challenge });
      expect(answer).toMatchObject({ statusCode: 400, headers: { 'content-type': 'text/plain' } });
      expect(answer!.body).not.toContain(challenge || 'never');
    }
  });

  it('answers 403 to a wrong verify token or mode', () => {
    expect(handshake({ 'hub.mode': 'subscribe', 'hub.verify_token': 'guess', 'hub.challenge': '1' })?.statusCode).toBe(403);
    expect(handshake({ 'hub.mode': 'unsubscribe', 'hub.verify_token': account.proxyToken, 'hub.challenge': '1' })?.statusCode).toBe(403);
  });

  it('is not a handshake for a POST or a GET without hub.mode', () => {
    expect(metaProvider.handshake!(webhookRequest(meta.url, '{}'), credentials, account)).toBeUndefined();
    expect(handshake({})).toBeUndefined();
  });
});

describe('meta simulate', () => {
  it('escapes non-ASCII text as Meta does in the body it signs', () => {
    const spec = metaProvider.simulateInbound(
      { url: meta.url, providerMessageId: 'wamid.SIM1', from: '+16505551234', to: account.phone, text: 'Grüße äöå', timestampMs: meta.nowMs },
      credentials,
      account,
    );
    expect(spec.body).toContain('Gr\\u00fc\\u00dfe');
  });
});
