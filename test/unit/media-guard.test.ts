/** The media guard's pure parts: which addresses are never fetched and which URLs may carry credentials. */
import { isForbiddenAddress, mayCarryCredentials, mediaDisposition, safeContentType, type MediaAllowList } from '../../shared/inbound/media';

describe('isForbiddenAddress', () => {
  it.each(['127.0.0.1', '127.1.2.3', '10.0.0.1', '172.16.5.4', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fe80::1', 'fd00:ec2::254', '::ffff:127.0.0.1', '::ffff:169.254.169.254', '224.0.0.1', 'not-an-ip'])(
    'refuses %s',
    (address) => expect(isForbiddenAddress(address)).toBe(true),
  );
  it.each(['8.8.8.8', '54.172.60.1', '2606:4700::1111'])('allows the public address %s', (address) => expect(isForbiddenAddress(address)).toBe(false));
});

describe('mayCarryCredentials with the documented Twilio hosts', () => {
  const twilio: MediaAllowList = { rules: [{ host: 'api.twilio.com', wildcard: false }, { host: 'twiliocdn.com', wildcard: true }], configured: false };
  it.each([
    ['https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1', true],
    ['https://mms.twiliocdn.com/x', true],
    ['http://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1', false],
    ['https://api.twilio.com:8443/x', false],
    ['https://api.twilio.com.evil.example/x', false],
    ['https://evil-api.twilio.com.example/x', false],
    ['https://twiliocdn.com.evil.example/x', false],
    ['https://user:pass@api.twilio.com/x', false],
    ['https://127.0.0.1/x', false],
  ])('%s: %s', (url, expected) => expect(mayCarryCredentials(twilio, new URL(url))).toBe(expected));
});

describe('serving', () => {
  it('keeps a clean type and drops anything else to octet-stream', () => {
    expect(safeContentType('image/png; charset=binary')).toBe('image/png');
    expect(safeContentType('text/html\r\nset-cookie: x')).toBe('application/octet-stream');
    expect(safeContentType(undefined)).toBe('application/octet-stream');
  });
  it('shows images, audio and video inline and everything else (SVG too) as an attachment', () => {
    expect(['image/jpeg', 'audio/ogg', 'video/mp4', 'image/svg+xml', 'text/html', 'application/pdf'].map(mediaDisposition)).toEqual([
      'inline',
      'inline',
      'inline',
      'attachment',
      'attachment',
      'attachment',
    ]);
  });
});
