/**
 * What only Twilio does, beyond the provider contract (contract.test.ts, fixtures/twilio.ts): a GET webhook is signed
 * over its URL alone, and WhatsApp addresses carry the `whatsapp:` prefix and a WaId.
 */
import { SignatureError } from '../../../shared/errors';
import { twilioProvider, twilioSignature, type TwilioCredentials } from '../../../shared/providers/twilio';
import { parseFormPairs } from '../../../shared/providers/util';
import { webhookRequest } from '../../support/provider-contract';
import { twilio } from './fixtures/twilio';

const credentials = twilio.credentials as TwilioCredentials;
const sms = twilio.accounts.sms!;
const whatsapp = twilio.accounts.whatsapp!;

describe('twilio GET webhooks', () => {
  it('signs a GET over the URL alone, query included', () => {
    const url = `${twilio.url}?MessageSid=SM1&From=%2B14155552671&To=%2B15017122661&Body=Hi`;
    const headers = { 'x-twilio-signature': twilioSignature(credentials.authToken, url, []) };
    const verify = (target: string) => () =>
      twilioProvider.verify(webhookRequest(target, '', headers, 'GET'), credentials, sms, twilio.nowMs);
    expect(verify(url)).not.toThrow();
    expect(verify(url.replace('Hi', 'Ho'))).toThrow(SignatureError);
  });
});

describe('twilio simulate', () => {
  const input = { url: twilio.url, providerMessageId: 'SMsim2', from: '+393471234567', text: 'hi', timestampMs: twilio.nowMs };

  it('builds WhatsApp addresses for a WhatsApp account', () => {
    const spec = twilioProvider.simulateInbound({ ...input, to: whatsapp.phone }, credentials, whatsapp);
    expect(Object.fromEntries(parseFormPairs(spec.body ?? ''))).toMatchObject({
      From: 'whatsapp:+393471234567',
      To: 'whatsapp:+14155238886',
      WaId: '393471234567',
    });
    expect(twilioProvider.parse(webhookRequest(twilio.url, spec.body ?? ''), whatsapp)).toMatchObject([
      { from: '+393471234567', to: '+14155238886' },
    ]);
  });

  it('posts a form, as Twilio does', () => {
    const spec = twilioProvider.simulateInbound({ ...input, to: sms.phone }, credentials, sms);
    expect(spec.headers['content-type']).toBe('application/x-www-form-urlencoded');
  });
});
