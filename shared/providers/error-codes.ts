/**
 * The WhatsApp providers' error codes in the one error vocabulary (`SendErrorCode`): Meta's (which Kaleyra passes
 * through), Kaleyra's own and Twilio's. A send's answer and a failed delivery status name the same codes, so the
 * sender (through each provider module) and the campaigns (a recipient failed by a status webhook) read them here.
 * No imports beyond types: the inbound function carries this without the provider modules.
 */
import { SEND_ERROR_CODES, type SendErrorCode } from './types';

export type Failure = { code: SendErrorCode; retryable: boolean };

const META_CODES: [readonly number[], Failure][] = [
  [[131047, 470], { code: 'WINDOW_CLOSED', retryable: false }],
  [[131026, 1013], { code: 'INVALID_NUMBER', retryable: false }],
  [[131050, 131030], { code: 'NOT_OPTED_IN', retryable: false }], // marketing opt-out; not on the test allow-list
  [[130429, 131056, 131048, 80007, 4], { code: 'RATE_LIMITED', retryable: true }],
  [[0, 3, 10, 190], { code: 'AUTH_FAILED', retryable: false }],
  [[131042], { code: 'INSUFFICIENT_FUNDS', retryable: false }],
  [
    [132000, 132001, 132005, 132007, 132012, 132015, 132016, 132068, 132069],
    { code: 'TEMPLATE_ERROR', retryable: false },
  ],
  [[131052, 131053], { code: 'MEDIA_ERROR', retryable: false }],
  [[100, 131008, 131009, 131021], { code: 'INVALID_REQUEST', retryable: false }],
  [[1, 2, 131000, 131016, 133004], { code: 'PROVIDER_UNAVAILABLE', retryable: true }],
];

/** Maps a Meta error code (also what Kaleyra passes through) to our vocabulary; undefined when not known. */
export function classifyMetaCode(code: unknown): Failure | undefined {
  const n = typeof code === 'number' ? code : typeof code === 'string' && /^\d+$/.test(code) ? Number(code) : NaN;
  if (Number.isNaN(n)) return undefined;
  if (n >= 200 && n <= 299) return { code: 'AUTH_FAILED', retryable: false }; // Graph permission errors
  return META_CODES.find(([codes]) => codes.includes(n))?.[1];
}

/** Kaleyra's own codes (its Meta pass-through codes are Meta's). */
export const KALEYRA_CODES: Record<string, Failure> = {
  RBC001: { code: 'AUTH_FAILED', retryable: false },
  WA401: { code: 'AUTH_FAILED', retryable: false },
  E110: { code: 'INSUFFICIENT_FUNDS', retryable: false },
  WAV2101: { code: 'RATE_LIMITED', retryable: false }, // daily account limit: waiting minutes does not help
  WA400: { code: 'INVALID_REQUEST', retryable: false },
  WA500: { code: 'PROVIDER_UNAVAILABLE', retryable: true },
};

/** Twilio error codes (twilio.com/docs/api/errors) that mean something our sender acts on. */
export const TWILIO_CODES = new Map<string, SendErrorCode>([
  ['63016', 'WINDOW_CLOSED'], // WhatsApp: outside the 24 h window, use a template
  ['21211', 'INVALID_NUMBER'], // invalid 'To' phone number
  ['21614', 'INVALID_NUMBER'], // 'To' is not a valid mobile number
  ['63003', 'INVALID_NUMBER'], // channel could not find the To address
  ['21610', 'NOT_OPTED_IN'], // the recipient replied STOP
  ['21656', 'TEMPLATE_ERROR'], // ContentVariables invalid
]);

const VOCABULARY: ReadonlySet<string> = new Set<SendErrorCode>(SEND_ERROR_CODES);

export function isSendErrorCode(code: string): code is SendErrorCode {
  return VOCABULARY.has(code);
}

/**
 * A failure's code in the vocabulary: a code already in it stays; a provider's own code (a failed delivery status
 * names Meta's `131026` or Twilio's `63016`) is classified; anything unknown is PROVIDER_ERROR.
 */
export function vocabularyCode(provider: string, code: string | undefined): SendErrorCode {
  if (!code) return 'PROVIDER_ERROR';
  if (isSendErrorCode(code)) return code;
  if (provider === 'meta' || provider === 'kaleyra') {
    const known = classifyMetaCode(code) ?? (provider === 'kaleyra' ? KALEYRA_CODES[code.toUpperCase()] : undefined);
    if (known) return known.code;
  }
  if (provider === 'twilio') return TWILIO_CODES.get(code) ?? 'PROVIDER_ERROR';
  return 'PROVIDER_ERROR';
}
