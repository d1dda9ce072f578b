/**
 * The functions parse numbers against libphonenumber-js's `min` metadata less the formats
 * (shared/domain/phone-metadata.json): it must be today's `min` (not stale after an upgrade) and must parse every
 * number as the full `min` metadata does.
 */
import { readFileSync } from 'node:fs';
import { getCountries, getCountryCallingCode, parsePhoneNumberFromString } from 'libphonenumber-js';
import examples from 'libphonenumber-js/examples.mobile.json';
import { parsingMetadata, PHONE_METADATA_FILE } from '../../bin/phone-metadata';
import { isPossiblePhone, normaliseE164, parsePhone } from '../../shared/domain/phone';

/** What the functions read of a parsed number. */
const reading = (p: ReturnType<typeof parsePhone>) => (p ? { number: p.number, possible: p.isPossible(), valid: p.isValid(), country: p.country } : undefined);

describe('phone numbers', () => {
  it('parses with the metadata bin/phone-metadata.ts writes from the installed libphonenumber-js', () => {
    expect(JSON.parse(readFileSync(PHONE_METADATA_FILE, 'utf8'))).toEqual(parsingMetadata());
  });

  it('reads every country\'s numbers as the full min metadata does: written plainly, with a trunk zero, cut short, too long', () => {
    const inputs: string[] = ['', '+', 'notaphone', '+3933', '12345', '00393331234567', '+44 (0)20 7946 0958', '+1 212 555 0100 ext. 12'];
    for (const country of getCountries()) {
      const national = (examples as Record<string, string>)[country];
      if (!national) continue;
      const code = getCountryCallingCode(country);
      inputs.push(`+${code}${national}`, `+${code} 0${national}`, `+${code}${national.slice(0, -2)}`, `+${code}${national}99`);
    }
    expect(inputs.length).toBeGreaterThan(800);
    for (const input of inputs) expect([input, reading(parsePhone(input))]).toEqual([input, reading(parsePhoneNumberFromString(input))]);
  });

  it('normalises to E.164 and tells possible numbers from the rest', () => {
    expect(normaliseE164('+39 333 123 4567')).toBe('+393331234567');
    expect(normaliseE164('not a number')).toBe('not a number');
    expect(isPossiblePhone('+393331234567')).toBe(true);
    expect(isPossiblePhone('+3933')).toBe(false);
  });
});
