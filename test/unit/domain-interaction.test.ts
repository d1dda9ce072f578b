import {
  isOpen,
  messageTime,
  sessionExpired,
  sessionExpiresAt,
  whitelistRefuses,
  windowExpiresAt,
} from '../../shared/domain/interaction';

const T0 = '2025-03-01T10:00:00.000Z';
const DAY = 24 * 60 * 60 * 1000;

describe('interaction rules', () => {
  it('gives a WhatsApp interaction a 24 h session and a 24 h window, and an SMS one neither', () => {
    expect(sessionExpiresAt('whatsapp', T0)).toBe('2025-03-02T10:00:00.000Z');
    expect(windowExpiresAt('whatsapp', T0)).toBe('2025-03-02T10:00:00.000Z');
    expect(sessionExpiresAt('sms', T0)).toBeUndefined();
    expect(windowExpiresAt('sms', T0)).toBeUndefined();
  });

  it('treats a WhatsApp interaction past its session as closed, whatever its status says', () => {
    const interaction = { status: 'open' as const, sessionExpiresAt: sessionExpiresAt('whatsapp', T0)! };

    expect(isOpen(interaction, Date.parse(T0) + DAY - 1)).toBe(true);
    expect(isOpen(interaction, Date.parse(T0) + DAY)).toBe(false);
    expect(sessionExpired(interaction, Date.parse(T0) + DAY)).toBe(true);
  });

  it('keeps an SMS interaction open until it is closed', () => {
    expect(isOpen({ status: 'open' }, Date.parse(T0) + 365 * DAY)).toBe(true);
    expect(isOpen({ status: 'closed' }, Date.parse(T0))).toBe(false);
  });

  it('refuses a contact only while the whitelist is on and the contact is in none of its lists', () => {
    expect(whitelistRefuses({ enabled: true, listIds: ['l1'] }, false)).toBe(true);
    expect(whitelistRefuses({ enabled: true, listIds: ['l1'] }, true)).toBe(false);
    expect(whitelistRefuses({ enabled: false, listIds: ['l1'] }, false)).toBe(false);
  });

  it('orders a message by the provider timestamp, never later than its arrival', () => {
    const arrived = Date.parse(T0);

    expect(messageTime('2025-03-01T09:59:00.000Z', arrived)).toBe(arrived - 60_000);
    expect(messageTime('2025-03-01T10:05:00.000Z', arrived)).toBe(arrived);
    expect(messageTime(undefined, arrived)).toBe(arrived);
    expect(messageTime('not a date', arrived)).toBe(arrived);
  });
});
