import { PayloadError } from '../../shared/errors';
import { requireWellFormed } from '../../shared/inbound/envelope';
import { senderOf } from '../../shared/providers/util';

describe('a message sender', () => {
  it('is normalised to E.164', () => {
    expect(senderOf('whatsapp:+393331234567', 'From')).toBe('+393331234567');
    expect(senderOf('393331234567', 'from')).toBe('+393331234567');
  });

  it.each([undefined, '', '   ', '+', 'whatsapp:'])('refuses %p, naming the field', (raw) => {
    expect(() => senderOf(raw, 'From')).toThrow(PayloadError);
    expect(() => senderOf(raw, 'From')).toThrow('From is missing or empty');
  });
});

describe('events the webhook acknowledges', () => {
  const message = {
    type: 'message' as const,
    providerMessageId: 'SM1',
    from: '+393331234567',
    to: '+14155550100',
    text: 'hi',
    media: [],
    parts: [{ type: 'text' as const, text: 'hi' }],
  };

  it('pass when the processor can read them', () => {
    expect(() =>
      requireWellFormed([
        message,
        { type: 'status', providerMessageId: 'SM1', status: 'delivered', providerStatus: 'delivered' },
      ]),
    ).not.toThrow();
  });

  it('are refused as a payload error naming the event and field the processor would reject', () => {
    const error = (() => {
      try {
        requireWellFormed([message, { ...message, from: '' }]);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(PayloadError);
    expect((error as PayloadError).details).toEqual([expect.objectContaining({ path: 'events.1.from' })]);
  });
});
