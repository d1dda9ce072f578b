/**
 * What only Skebby does, beyond the provider contract (contract.test.ts, fixtures/skebby.ts): inbound ids derived from
 * the content, a date and time instead of a timestamp, half-configured webhook credentials failing closed, a 20
 * character user_reference, Classic answers without an id, and states it never reports.
 */
import { SignatureError, ValidationError } from '../../../shared/errors';
import { correlationRef } from '../../../shared/outbound/correlation';
import { inboundId, skebbyProvider, userReference, type SkebbyCredentials } from '../../../shared/providers/skebby';
import { webhookRequest } from '../../support/provider-contract';
import { skebby } from './fixtures/skebby';

const account = skebby.accounts.sms!;
const credentials = skebby.credentials as SkebbyCredentials;
const TEXT = "sender=393471234567&receiver=393401234567&text=Buongiorno%2C+vorrei+spostare+l%27appuntamento+a+domani&encoding=UTF-8&date=2013-11-11&time=10%3A51%3A14&timestamp=1384167074";
const parse = (body: string) => skebbyProvider.parse(webhookRequest(skebby.url, body), account);

describe('skebby inbound ids', () => {
  it('derives the id from sender, receiver, timestamp and text', () => {
    expect(parse(TEXT)[0]?.providerMessageId).toBe(
      inboundId('393471234567', '393401234567', '1384167074', "Buongiorno, vorrei spostare l'appuntamento a domani"),
    );
    expect(parse(TEXT)[0]?.providerMessageId).toMatch(/^[0-9a-f]{64}$/);
  });

  it('gives a redelivered SMS the same id and a different SMS another', () => {
    expect(parse(TEXT)[0]?.providerMessageId).toBe(parse(TEXT)[0]?.providerMessageId);
    expect(parse(TEXT.replace('domani', 'oggi'))[0]?.providerMessageId).not.toBe(parse(TEXT)[0]?.providerMessageId);
  });

  it('falls back to date and time when there is no timestamp, and to our number when there is no receiver', () => {
    const [event] = parse('sender=393471234567&text=ciao&date=2013-11-11&time=10%3A51%3A14');
    expect(event).toMatchObject({ from: '+393471234567', to: '+393401234567', text: 'ciao' });
    // Skebby's date and time are local to the gateway: the day is right whatever the zone.
    expect(event?.type === 'message' && event.providerTimestamp).toMatch(/^2013-11-1[01]T/);
  });
});

describe('skebby webhook credentials', () => {
  it('fails closed on half-configured credentials', () => {
    const onlyUser = { ...credentials, webhookPassword: undefined };
    expect(() => skebbyProvider.verify(webhookRequest(skebby.url, ''), onlyUser, account, skebby.nowMs)).toThrow(SignatureError);
  });
});

describe('skebby send', () => {
  it('defaults the method to classic', () => {
    expect(skebbyProvider.credentials.parse({ username: 'u', password: 'p' })).toEqual({ method: 'classic', username: 'u', password: 'p' });
  });

  it('keeps user_reference within 20 allowed characters, deterministically, and echoes it hashed', () => {
    const id = '01JBX7Y8Z9ABCDEFGHJKMNPQRS';
    expect(userReference('short-id_1')).toBe('short-id_1');
    expect(userReference(id)).toMatch(/^[A-Za-z0-9\-_+:;]{20}$/);
    expect(userReference(id)).toBe(userReference(id));
    expect(userReference('a/b c')).toMatch(/^[A-Za-z0-9\-_+:;]{20}$/);
    expect(correlationRef('skebby', id)).toBe(userReference(id));
    expect(correlationRef('skebby', id)).not.toBe(id);
  });

  it('gives a Classic success without id a unique id of its own', () => {
    const res = { status: 200, headers: {}, body: 'status=success&remaining_sms=152' };
    const a = skebbyProvider.parseSendResponse(res);
    expect(a).toMatchObject({ ok: true, providerMessageId: expect.stringMatching(/^skebby-/) });
    expect(a).not.toEqual(skebbyProvider.parseSendResponse(res));
  });
});

describe('skebby simulate', () => {
  it('refuses to simulate a state Skebby never reports', () => {
    expect(() =>
      skebbyProvider.simulateStatus({ url: skebby.url, providerMessageId: '1', status: 'sent', timestampMs: skebby.nowMs }, credentials, account),
    ).toThrow(ValidationError);
  });
});
