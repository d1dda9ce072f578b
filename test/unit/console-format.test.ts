/** The console's pure formatting: durations, the readable form of each content part, and legacy messages as parts. */
import { duration, partLabel, partsOf, since, statusLabel } from '../../console/src/format';
import type { Message } from '../../console/src/types';

const message = (fields: Partial<Message>): Message => ({
  id: '01J',
  interactionId: 'i',
  direction: 'in',
  text: '',
  status: 'received',
  ...fields,
});

describe('console formatting', () => {
  it('says how long ago in the largest whole unit', () => {
    const now = Date.parse('2026-12-01T12:00:00Z');
    expect(since('2026-12-01T11:59:30Z', now)).toBe('30s');
    expect(since('2026-12-01T11:15:00Z', now)).toBe('45m');
    expect(since('2026-12-01T02:00:00Z', now)).toBe('10h');
    expect(since('2026-11-28T12:00:00Z', now)).toBe('3d');
    expect(since(undefined, now)).toBe('');
  });

  it('shows time left as m:ss, or hours and minutes past an hour, never negative', () => {
    expect(duration(65_000)).toBe('1:05');
    expect(duration(3 * 3_600_000 + 7 * 60_000)).toBe('3h 07m');
    expect(duration(-5000)).toBe('0:00');
  });

  it('renders each content part readably', () => {
    expect(
      partLabel({
        type: 'location',
        name: 'Twilio HQ',
        address: '375 Beale St',
        latitude: 37.7749,
        longitude: -122.4194,
      }),
    ).toBe('📍 Twilio HQ, 375 Beale St (37.7749, -122.4194)');
    expect(partLabel({ type: 'reaction', emoji: '👍' })).toBe('reacted 👍');
    expect(partLabel({ type: 'reaction', removed: true })).toBe('reaction removed');
    expect(partLabel({ type: 'interactive_reply', id: 'yes', title: 'Yes please' })).toBe('↩ Yes please');
    expect(partLabel({ type: 'unsupported', providerType: 'poll' })).toBe('unsupported message (poll)');
  });

  it('reads a message stored before parts existed as its media, then its text', () => {
    const parts = partsOf(
      message({ text: 'see photo', media: [{ url: 'https://x/y.jpg', contentType: 'image/jpeg' }] }),
    );
    expect(parts).toEqual([
      { type: 'media', index: 0, url: 'https://x/y.jpg', contentType: 'image/jpeg' },
      { type: 'text', text: 'see photo' },
    ]);
    expect(partsOf(message({ parts: [{ type: 'text', text: 'hi' }], text: 'hi' }))).toEqual([
      { type: 'text', text: 'hi' },
    ]);
  });

  it('names the status of outbound messages only, with the failure reason', () => {
    expect(statusLabel(message({ direction: 'in' }))).toBe('');
    expect(statusLabel(message({ direction: 'out', status: 'delivered' }))).toBe('delivered');
    expect(
      statusLabel(
        message({ direction: 'out', status: 'failed', errorCode: 'INVALID_NUMBER', errorMessage: 'not a mobile' }),
      ),
    ).toBe('failed: INVALID_NUMBER (not a mobile)');
  });
});
