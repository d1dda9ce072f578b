/**
 * What only Plivo does, beyond the provider contract (contract.test.ts, fixtures/plivo.ts): the V3 base string, token
 * rotation and the main-account header, the nonce, the V2 fallback, and the SDKs' double encoding of non-ASCII text.
 */
import { SignatureError } from '../../../shared/errors';
import { plivoProvider, plivoV3Base, plivoV3Signature, type PlivoCredentials } from '../../../shared/providers/plivo';
import type { WebhookRequest } from '../../../shared/providers/types';
import { encodeForm, parseFormPairs } from '../../../shared/providers/util';
import { webhookRequest } from '../../support/provider-contract';
import { plivo } from './fixtures/plivo';

const credentials = plivo.credentials as PlivoCredentials;
const sms = plivo.accounts.sms!;
const NONCE = '05429567804466091622';
const BODY = 'MessageUUID=u1&From=14155552671&To=14155550199&Text=Is+the+store+open+today%3F';
const v3 = (body: string, url = plivo.url, base = plivoV3Base('POST', url, parseFormPairs(body))) =>
  webhookRequest(url, body, { 'x-plivo-signature-v3': plivoV3Signature(credentials.authToken, base, NONCE), 'x-plivo-signature-v3-nonce': NONCE });
const verify = (req: WebhookRequest) => () => plivoProvider.verify(req, credentials, sms, plivo.nowMs);

describe('plivo V3 signatures', () => {
  it('builds the V3 base string the way the Plivo SDKs do: sorted query, ".", sorted POST params', () => {
    expect(plivoV3Base('POST', 'https://h.example/cb?b=2&a=1&a=0', [['To', '1'], ['From', '2'], ['From', '0']])).toBe(
      'https://h.example/cb?a=0&a=1&b=2.From0From2To1',
    );
    expect(plivoV3Base('POST', 'https://h.example/cb', [['To', '1']])).toBe('https://h.example/cb?To1');
    expect(plivoV3Base('POST', 'https://h.example/cb?x=1', [])).toBe('https://h.example/cb?x=1');
    expect(plivoV3Base('GET', 'https://h.example/cb?To=1&From=2', [])).toBe('https://h.example/cb?From=2&To=1');
  });

  it('accepts any one of several comma-separated V3 signatures (token rotation), and the Ma-V3 header', () => {
    const req = v3(BODY);
    const good = req.headers['x-plivo-signature-v3'] ?? '';
    expect(verify({ ...req, headers: { ...req.headers, 'x-plivo-signature-v3': `bm90LWl0, ${good}` } })).not.toThrow();
    expect(verify({ ...req, headers: { 'x-plivo-signature-ma-v3': good, 'x-plivo-signature-v3-nonce': NONCE } })).not.toThrow();
  });

  it('rejects a V3 signature with another nonce, or without its nonce', () => {
    const req = v3(BODY);
    expect(verify({ ...req, headers: { ...req.headers, 'x-plivo-signature-v3-nonce': '1' } })).toThrow(SignatureError);
    expect(verify({ ...req, headers: { 'x-plivo-signature-v3': 'abc' } })).toThrow(SignatureError);
    expect(verify({ ...req, rawBody: Buffer.from(BODY.replace('store', 'Store')) })).toThrow('X-Plivo-Signature-V3 does not match');
    expect(verify({ ...req, headers: {} })).toThrow('missing X-Plivo-Signature');
  });

  it('falls back to V2 only when no V3 headers are present', () => {
    const spec = plivoProvider.simulateInbound(
      { url: plivo.url, providerMessageId: 'u1', from: '+14155552671', to: sms.phone, text: 'hi', timestampMs: plivo.nowMs },
      credentials,
      sms,
    );
    const { 'x-plivo-signature-v3': _v3, 'x-plivo-signature-v3-nonce': _n, ...v2Only } = spec.headers;
    expect(verify(webhookRequest(plivo.url, spec.body ?? '', v2Only))).not.toThrow();
    // A bad V3 is not rescued by a good V2.
    expect(verify(webhookRequest(plivo.url, spec.body ?? '', { ...spec.headers, 'x-plivo-signature-v3': 'bm90LWl0' }))).toThrow('V3');
  });

  it('accepts a V3 signature over non-ASCII text either plainly UTF-8 encoded or double-encoded like the SDKs', () => {
    const body = encodeForm({ MessageUUID: 'u2', From: '14155552671', Text: 'però più' });
    expect(verify(v3(body))).not.toThrow();
    const base = plivoV3Base('POST', plivo.url, parseFormPairs(body));
    expect(verify(v3(body, plivo.url, Buffer.from(base, 'utf8').toString('latin1')))).not.toThrow();
  });
});
