/** The outbound path's pure rules: the WhatsApp window, backoff with full jitter, canned-answer rendering, correlation. */
import { correlationRef, ECHOES_CORRELATION } from '../../shared/outbound/correlation';
import { renderCanned } from '../../shared/outbound/enqueue';
import { backoffSeconds, MAX_ATTEMPTS } from '../../shared/outbound/send';
import { hasRecontact, windowClosedError, windowRefuses } from '../../shared/outbound/window';
import { PROVIDER_TYPES } from '../../shared/providers/types';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const iso = (offsetMs: number) => new Date(NOW + offsetMs).toISOString();

describe('the WhatsApp window', () => {
  it('lets free text out while the window is open and refuses it once it closed', () => {
    expect(windowRefuses({ channel: 'whatsapp', windowExpiresAt: iso(1) }, false, NOW)).toBe(false);
    expect(windowRefuses({ channel: 'whatsapp', windowExpiresAt: iso(0) }, false, NOW)).toBe(true);
    expect(windowRefuses({ channel: 'whatsapp', windowExpiresAt: iso(-1) }, false, NOW)).toBe(true);
  });

  it('always lets a template out, and has no window on SMS', () => {
    expect(windowRefuses({ channel: 'whatsapp', windowExpiresAt: iso(-1) }, true, NOW)).toBe(false);
    expect(windowRefuses({ channel: 'sms' }, false, NOW)).toBe(false);
  });

  it('derives the window from the last inbound message when the interaction carries none, and refuses when there is neither', () => {
    expect(windowRefuses({ channel: 'whatsapp', lastInboundAt: iso(-23 * 3600_000) }, false, NOW)).toBe(false);
    expect(windowRefuses({ channel: 'whatsapp', lastInboundAt: iso(-25 * 3600_000) }, false, NOW)).toBe(true);
    expect(windowRefuses({ channel: 'whatsapp' }, false, NOW)).toBe(true);
  });

  it('offers the recontact template only for Meta and Kaleyra accounts, and says why when it cannot', () => {
    const template = { name: 'recontact', language: 'en', parameters: [] };
    const facts = { channel: 'whatsapp' as const, windowExpiresAt: iso(-1) };
    expect(hasRecontact('meta')).toBe(true);
    expect(hasRecontact('kaleyra')).toBe(true);
    expect(hasRecontact('twilio')).toBe(false);

    const meta = windowClosedError(facts, { offer: template });
    const none = windowClosedError(facts);
    const paused = windowClosedError(facts, { unavailable: "the account's recontact template 'recontact' is PAUSED" });

    expect(meta).toMatchObject({ status: 409, code: 'WINDOW_CLOSED', recontactTemplate: template, closedAt: iso(-1) });
    expect(meta.details).toContainEqual(expect.objectContaining({ path: 'recontactTemplate', template }));
    expect(none.recontactTemplate).toBeUndefined();
    expect(none.details.map((d) => d.path)).toEqual(['interaction.windowExpiresAt']);
    expect(paused.recontactTemplate).toBeUndefined();
    expect(paused.details).toContainEqual({ path: 'recontactTemplate', message: expect.stringContaining('PAUSED') });
  });
});

describe('backoff', () => {
  it('draws a full-jitter delay up to 2 s doubling per attempt, in whole seconds of at least 1', () => {
    expect(backoffSeconds(0, undefined, () => 0)).toBe(1);
    expect(backoffSeconds(0, undefined, () => 0.999)).toBe(2);
    expect(backoffSeconds(3, undefined, () => 0.999)).toBe(16);
    expect(backoffSeconds(3, undefined, () => 0.5)).toBe(8);
  });

  it('caps the delay at 900 s, the SQS maximum', () => {
    expect(backoffSeconds(20, undefined, () => 0.999)).toBe(900);
    expect(backoffSeconds(0, 3_600_000, () => 0)).toBe(900);
  });

  it('honours Retry-After when it is longer than the jittered delay', () => {
    expect(backoffSeconds(0, 30_000, () => 0.5)).toBe(30);
    expect(backoffSeconds(5, 1_000, () => 0.999)).toBe(64);
  });

  it('gives up after six attempts', () => {
    expect(MAX_ATTEMPTS).toBe(6);
  });
});

describe('canned answers', () => {
  it('renders contact, agent and account variables without HTML escaping', () => {
    const text = renderCanned('Hi {{contact.firstName}}, {{agent.fullName}} from {{account.name}} <3 & co', {
      contact: { firstName: 'Maria' },
      agent: { fullName: "Ada O'Neil" },
      account: { name: 'Acme' },
    });

    expect(text).toBe("Hi Maria, Ada O'Neil from Acme <3 & co");
  });

  it('renders a missing variable as empty and keeps sections', () => {
    expect(renderCanned('Hello{{#contact.firstName}} {{contact.firstName}}{{/contact.firstName}}!', { contact: {} })).toBe('Hello!');
  });
});

describe('correlation', () => {
  it('knows for every provider whether its statuses echo our correlation id', () => {
    expect(Object.keys(ECHOES_CORRELATION).sort()).toEqual([...PROVIDER_TYPES].sort());
    expect(PROVIDER_TYPES.filter((t) => !ECHOES_CORRELATION[t]).sort()).toEqual(['connectel', 'csctelecom', 'plivo', 'telnyx', 'twilio']);
  });

  it('uses the reference as the provider echoes it: Skebby gets at most 20 characters', () => {
    const id = '01J4M0S5X1B2C3D4E5F6G7H8J9';

    expect(correlationRef('meta', id)).toBe(id);
    expect(correlationRef('skebby', id)).toHaveLength(20);
  });
});
