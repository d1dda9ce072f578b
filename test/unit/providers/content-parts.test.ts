/**
 * Every documented inbound type reaches the agent as typed content parts, with a readable text, and nothing is
 * dropped: one table over the providers' fixtures (payload shapes from Meta's webhook reference "messages" examples,
 * Twilio's WhatsApp inbound fields, Sinch's Conversation API callbacks), plus the conformance defects of issue 11.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHmac } from 'node:crypto';
import { renderParts, type ContentPart } from '../../../shared/domain/content';
import { SignatureError } from '../../../shared/errors';
import { providerFor } from '../../../shared/providers';
import type {
  AccountContext,
  InboundMessageEvent,
  ProviderType,
  WebhookRequest,
} from '../../../shared/providers/types';
import { twilioProvider } from '../../../shared/providers/twilio';
import { kaleyraProvider } from '../../../shared/providers/kaleyra';

const fixture = (type: string, name: string) => readFileSync(join(__dirname, '../../fixtures', type, name));
const accounts: Record<string, AccountContext> = {
  meta: { id: 'acc-meta', channel: 'whatsapp', phone: '+15550783881', proxyToken: 'p' },
  twilio: { id: 'acc-tw', channel: 'whatsapp', phone: '+14155238886', proxyToken: 'p' },
  sinch: { id: 'acc-sinch', channel: 'whatsapp', phone: '+46812345678', proxyToken: 'p' },
};
const webhook = (rawBody: Buffer): WebhookRequest => ({
  method: 'POST',
  url: 'https://hooks.example.com/w',
  headers: {},
  rawBody,
  query: {},
  endpoint: 'message',
});

function parseOne(type: ProviderType, name: string): InboundMessageEvent {
  const events = providerFor(type).parse(webhook(fixture(type, name)), accounts[type]!);
  expect(events).toHaveLength(1);
  const [event] = events;
  if (event?.type !== 'message') throw new Error(`${name} did not parse to a message`);
  return event;
}

const CASES: { type: ProviderType; file: string; parts: ContentPart[]; text: string; replyTo?: string }[] = [
  {
    type: 'twilio',
    file: 'inbound-whatsapp-location.form',
    parts: [{ type: 'location', latitude: 37.7749, longitude: -122.4194, name: 'Twilio HQ', address: '375 Beale St' }],
    text: '📍 Twilio HQ, 375 Beale St (37.7749, -122.4194)',
  },
  {
    type: 'twilio',
    file: 'inbound-whatsapp-button.form',
    parts: [{ type: 'interactive_reply', kind: 'button', id: 'confirm-appointment', title: 'Yes, confirm' }],
    text: 'Yes, confirm',
    replyTo: 'MM1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d',
  },
  {
    type: 'twilio',
    file: 'inbound-whatsapp-reply.form',
    parts: [{ type: 'text', text: 'Yes, that one' }],
    text: 'Yes, that one',
    replyTo: 'SM9b1c3d5e7f9a1b3c5d7e9f1a3b5c7d9e',
  },
  {
    type: 'meta',
    file: 'inbound-location.json',
    parts: [
      {
        type: 'location',
        latitude: 37.483307,
        longitude: -122.148981,
        name: 'Meta Headquarters',
        address: '1 Hacker Way, Menlo Park, CA 94025',
        url: 'https://meta.com',
      },
    ],
    text: '📍 Meta Headquarters, 1 Hacker Way, Menlo Park, CA 94025 (37.483307, -122.148981)',
  },
  {
    type: 'meta',
    file: 'inbound-contacts.json',
    parts: [
      {
        type: 'contacts',
        contacts: [
          {
            name: 'Barbara J. Johnson',
            firstName: 'Barbara',
            lastName: 'Johnson',
            organization: 'Example, Inc.',
            birthday: '1999-01-23',
            phones: [{ value: '+1 (650) 555-1234', type: 'WORK', waId: '16505551234' }],
            emails: [{ value: 'bjohnson@example.com', type: 'WORK' }],
            urls: [{ value: 'https://www.example.com', type: 'WORK' }],
            addresses: [{ value: '1 Hacker Way, Menlo Park, CA, 94025, United States', type: 'WORK' }],
          },
        ],
      },
    ],
    text: '👤 Barbara J. Johnson +1 (650) 555-1234',
  },
  {
    type: 'meta',
    file: 'inbound-list-reply.json',
    parts: [
      {
        type: 'interactive_reply',
        kind: 'list',
        id: 'priority-express',
        title: 'Express Shipping',
        description: 'Next day to most cities',
      },
    ],
    text: 'Express Shipping',
    replyTo: 'wamid.HBgLMTY1MDUwNzY1MjAVAgARGBJCQUQ0RTQ3NTAzNDQ2NzQ0MDAA',
  },
  {
    type: 'meta',
    file: 'inbound-flow-reply.json',
    parts: [
      {
        type: 'interactive_reply',
        kind: 'flow',
        name: 'flow',
        body: 'Sent',
        responseJson:
          '{"flow_token":"AQAAAAACS5FpgQ_cAAAAAD0QI3s.","appointment_date":"2025-06-20","department":"support"}',
      },
    ],
    text: '📝 Sent: {"flow_token":"AQAAAAACS5FpgQ_cAAAAAD0QI3s.","appointment_date":"2025-06-20","department":"support"}',
    replyTo: 'wamid.HBgLMTY1MDUwNzY1MjAVAgARGBJGTE9XMQA=',
  },
  {
    type: 'meta',
    file: 'inbound-template-button.json',
    parts: [{ type: 'interactive_reply', kind: 'button', id: 'unsubscribe-promos', title: 'Unsubscribe from Promos' }],
    text: 'Unsubscribe from Promos',
    replyTo: 'wamid.HBgLMTY1MDUwNzY1MjAVAgARGBJUTVBMMQA=',
  },
  {
    type: 'meta',
    file: 'inbound-reaction.json',
    parts: [{ type: 'reaction', removed: false, emoji: '👍', messageId: 'wamid.HBgLMTY1MDUwNzY1MjAVAgARGBJPVVQxAA==' }],
    text: 'Reacted 👍',
  },
  {
    type: 'meta',
    file: 'inbound-reaction-removed.json',
    parts: [{ type: 'reaction', removed: true, messageId: 'wamid.HBgLMTY1MDUwNzY1MjAVAgARGBJPVVQxAA==' }],
    text: 'Removed a reaction',
  },
  {
    type: 'meta',
    file: 'inbound-order.json',
    parts: [
      {
        type: 'order',
        catalogId: '194836987003835',
        text: 'Please deliver after 6pm',
        items: [
          { productId: 'di9ozbzfi4', quantity: 2, price: 30, currency: 'USD' },
          { productId: 'nqryix03ez', quantity: 1, price: 25, currency: 'USD' },
        ],
      },
    ],
    text: '🛒 Order (catalog 194836987003835): 2 × di9ozbzfi4 @ 30 USD, 1 × nqryix03ez @ 25 USD\nPlease deliver after 6pm',
  },
  {
    type: 'meta',
    file: 'inbound-system.json',
    parts: [
      {
        type: 'system',
        kind: 'user_changed_number',
        text: 'User Sheena Nelson changed from 16505551234 to 16505550000',
        newId: '16505550000',
      },
    ],
    text: 'ℹ️ User Sheena Nelson changed from 16505551234 to 16505550000',
  },
  {
    type: 'meta',
    file: 'inbound-sticker.json',
    parts: [
      {
        type: 'media',
        kind: 'sticker',
        id: '1212412903402934',
        contentType: 'image/webp',
        url: 'https://graph.facebook.com/1212412903402934',
      },
    ],
    text: '📎 sticker',
  },
  {
    type: 'meta',
    file: 'inbound-document.json',
    parts: [
      {
        type: 'media',
        kind: 'document',
        id: '1012345678901234',
        contentType: 'application/pdf',
        caption: 'Signed contract',
        filename: 'contract.pdf',
        url: 'https://graph.facebook.com/1012345678901234',
      },
    ],
    text: 'Signed contract',
  },
  {
    type: 'sinch',
    file: 'inbound-location.json',
    parts: [
      {
        type: 'location',
        latitude: 59.3343,
        longitude: 18.0175,
        name: 'Sinch Stockholm',
        address: 'Lindhagensgatan 74, Stockholm',
      },
    ],
    text: '📍 Sinch Stockholm, Lindhagensgatan 74, Stockholm (59.3343, 18.0175)',
  },
  {
    type: 'sinch',
    file: 'inbound-choice.json',
    parts: [{ type: 'interactive_reply', kind: 'button', id: 'book-tuesday', title: 'book-tuesday' }],
    text: 'book-tuesday',
    replyTo: '01EKJ0WDPMA2DY0XBW1J3T7N4K',
  },
  {
    type: 'sinch',
    file: 'inbound-contact-info.json',
    parts: [
      {
        type: 'contacts',
        contacts: [
          {
            name: 'Anna Svensson',
            firstName: 'Anna',
            lastName: 'Svensson',
            organization: 'Exempel AB',
            phones: [{ value: '+46701234567', type: 'MOBILE' }],
            emails: [{ value: 'anna@example.se', type: 'WORK' }],
          },
        ],
      },
    ],
    text: '👤 Anna Svensson +46701234567',
  },
];

describe('inbound content parts', () => {
  it.each(CASES)('$type $file parses to its parts, with a readable text', ({ type, file, parts, text, replyTo }) => {
    const event = parseOne(type, file);
    expect(event.parts).toEqual(parts);
    expect(event.text).toBe(text);
    expect(event.text).toBe(renderParts(parts));
    expect(event.replyTo).toBe(replyTo);
    expect(event.text.trim()).not.toBe('');
  });

  it('keeps a Meta unsupported message with its type, reason and raw payload instead of dropping it', () => {
    const event = parseOne('meta', 'inbound-unsupported.json');
    expect(event.parts).toHaveLength(1);
    const [part] = event.parts;
    expect(part).toMatchObject({
      type: 'unsupported',
      providerType: 'unsupported',
      reason: 'Message type is currently not supported.',
    });
    expect(JSON.parse(part?.type === 'unsupported' ? part.raw : '{}')).toMatchObject({
      type: 'unsupported',
      unsupported: { type: 'edit' },
    });
    expect(event.text).toBe('[unsupported unsupported message]');
  });

  it('keeps a Sinch fallback message as unsupported, with the channel payload', () => {
    const event = parseOne('sinch', 'inbound-fallback.json');
    expect(event.parts[0]).toMatchObject({
      type: 'unsupported',
      providerType: 'fallback_message',
      reason: 'The channel message type is not supported',
    });
    expect(event.parts[0]?.type === 'unsupported' && event.parts[0].raw).toContain('poll');
  });

  it('keeps a Twilio message type with no fields it knows as unsupported, not empty', () => {
    const body = 'MessageSid=SM1&From=whatsapp%3A%2B393471234567&To=whatsapp%3A%2B14155238886&MessageType=poll&Body=';
    const [event] = twilioProvider.parse(webhook(Buffer.from(body)), accounts.twilio!);
    expect(event).toMatchObject({
      type: 'message',
      parts: [{ type: 'unsupported', providerType: 'poll' }],
      text: '[unsupported poll message]',
    });
  });
});

describe('twilio signatures with a quote in the query (twilio-node spec/unit/webhooks/webhooks.spec.js)', () => {
  const token = 's3cr3t';
  const sign = (url: string) => createHmac('sha1', token).update(url).digest('base64');
  const verify = (signedUrl: string, targetUrl: string) =>
    twilioProvider.verify(
      {
        method: 'POST',
        url: targetUrl,
        headers: { 'x-twilio-signature': sign(signedUrl) },
        rawBody: Buffer.alloc(0),
        query: {},
        endpoint: 'message',
      },
      { accountSid: 'AC1', authToken: token },
      accounts.twilio!,
      0,
    );
  const raw = "https://example.com/path?test=param'WithQuote";
  const escaped = 'https://example.com/path?test=param%27WithQuote';

  it.each([
    [raw, raw],
    [raw, escaped],
    [escaped, raw],
    [escaped, escaped],
  ])('accepts a signature over %s when called at %s', (signedUrl, targetUrl) => {
    expect(() => verify(signedUrl, targetUrl)).not.toThrow();
  });

  it('still refuses a signature over another query value', () => {
    expect(() => verify('https://example.com/path?test=param2', raw)).toThrow(SignatureError);
  });
});

describe('kaleyra send path', () => {
  it('percent-encodes the + of our E.164 number in the path (developers.kaleyra.io v2 "Send Text Messages")', () => {
    const spec = kaleyraProvider.buildSend(
      {
        credentials: {
          wabaId: 'w',
          accountSid: 'HXAP16XXXXXX97IN',
          apiKey: 'k',
          webhookSecretHeader: 'x-kaleyra-secret',
        },
        account: { id: 'a', channel: 'whatsapp', phone: '+918041234567', proxyToken: 'p' },
        baseUrl: 'https://api.in.kaleyra.io',
      },
      { to: '+919740776505', text: 'hi', correlationId: 'c1', statusCallbackUrl: 'https://x/status' },
    );
    expect(spec.url).toBe('https://api.in.kaleyra.io/v2/HXAP16XXXXXX97IN/whatsapp/%2B918041234567/messages');
    expect(new URL(spec.url).pathname.split('/').map(decodeURIComponent)).toContain('+918041234567');
  });
});
