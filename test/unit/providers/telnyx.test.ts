/**
 * What only Telnyx does, beyond the provider contract (contract.test.ts, fixtures/telnyx.ts): the public key may be
 * given raw or in SPKI form, malformed headers are named, and its simulator needs a private key the account never
 * stores.
 */
import { createPrivateKey, createPublicKey, sign } from 'node:crypto';
import { SignatureError, ValidationError } from '../../../shared/errors';
import { telnyxProvider, type TelnyxCredentials } from '../../../shared/providers/telnyx';
import { webhookRequest } from '../../support/provider-contract';
import { telnyx } from './fixtures/telnyx';

const account = telnyx.accounts.sms!;
const credentials = telnyx.credentials as TelnyxCredentials;
const privateKey = createPrivateKey(telnyx.signature.signing!.privateKeyPem!);
const TS = String(telnyx.nowMs / 1000);
const BODY = '{"data":{"event_type":"message.received","payload":{"id":"m1","from":{"phone_number":"+13125550172"},"to":[{"phone_number":"+18445550001"}],"text":"hi"}}}';
const headers = (ts = TS, body = BODY) => ({
  'telnyx-signature-ed25519': sign(null, Buffer.from(`${ts}|${body}`), privateKey).toString('base64'),
  'telnyx-timestamp': ts,
});
const verify = (h: Record<string, string>, creds = credentials) => () =>
  telnyxProvider.verify(webhookRequest(telnyx.url, BODY, h), creds, account, telnyx.nowMs);

describe('telnyx verify', () => {
  it('accepts a public key given in SPKI form', () => {
    const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).toString('base64');
    expect(verify(headers(), { ...credentials, publicKey: spki })).not.toThrow();
  });

  it('names what is wrong: a changed body, a missing header, a stale, malformed or re-dated timestamp, a short signature', () => {
    expect(() => telnyxProvider.verify(webhookRequest(telnyx.url, BODY.replace('hi', 'ho'), headers()), credentials, account, telnyx.nowMs)).toThrow('does not match');
    expect(verify({})).toThrow('missing');
    expect(verify({ 'telnyx-timestamp': TS })).toThrow('missing');
    expect(verify(headers(String(telnyx.nowMs / 1000 - 301)))).toThrow('300 s');
    expect(verify({ ...headers(), 'telnyx-timestamp': '1.5e9' })).toThrow('Unix time');
    expect(verify({ ...headers(String(telnyx.nowMs / 1000 - 1000)), 'telnyx-timestamp': TS })).toThrow('does not match');
    expect(verify({ ...headers(), 'telnyx-signature-ed25519': 'c2hvcnQ=' })).toThrow('not an Ed25519 signature');
    expect(verify(headers(String(telnyx.nowMs / 1000 - 300)))).not.toThrow();
  });

  it('refuses every request when the configured key is not an Ed25519 key', () => {
    expect(verify(headers(), { ...credentials, publicKey: Buffer.alloc(32).toString('base64').slice(0, 20) })).toThrow(SignatureError);
  });
});

describe('telnyx simulate', () => {
  it('needs the private key in signing.privateKeyPem', () => {
    const input = { url: telnyx.url, providerMessageId: 'sim-4', from: '+13125550172', to: account.phone, text: 'x', timestampMs: telnyx.nowMs };
    expect(() => telnyxProvider.simulateInbound(input, credentials, account)).toThrow(ValidationError);
    expect(() => telnyxProvider.simulateInbound(input, credentials, account, { privateKeyPem: 'nope' })).toThrow(ValidationError);
  });
});
