/**
 * Small helpers every provider module uses: form bodies with repeated keys, constant-time comparison, basic auth,
 * phone normalisation and JSON parsing that fails with a PayloadError instead of throwing a SyntaxError.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { parsePhone } from '../domain/phone';
import { mediaRefsOf, renderParts, textAndMedia, type ContentPart } from '../domain/content';
import { PayloadError, SignatureError } from '../errors';
import type { InboundMessageEvent, MediaRef } from './types';

/** Parses an x-www-form-urlencoded body into ordered [name, value] pairs (repeated names kept). */
export function parseFormPairs(raw: Buffer | string): [string, string][] {
  const text = typeof raw === 'string' ? raw : raw.toString('utf8');
  return [...new URLSearchParams(text).entries()];
}

/** The last value wins for repeated names; signature code must use `parseFormPairs`. */
export function parseForm(raw: Buffer | string): Record<string, string> {
  return Object.fromEntries(parseFormPairs(raw));
}

export function encodeForm(fields: Record<string, string | string[] | undefined>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) params.append(name, v);
  }
  return params.toString();
}

export function parseJson(raw: Buffer | string): unknown {
  const text = typeof raw === 'string' ? raw : raw.toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    throw new PayloadError('the body is not valid JSON');
  }
}

/** Constant-time string comparison that does not leak the length through an early return on content. */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb) && a.length === b.length;
}

export function hmacBase64(algorithm: 'sha1' | 'sha256' | 'sha512', key: string, data: string | Buffer): string {
  return createHmac(algorithm, key).update(data).digest('base64');
}

export function hmacHex(algorithm: 'sha1' | 'sha256' | 'sha512', key: string, data: string | Buffer): string {
  return createHmac(algorithm, key).update(data).digest('hex');
}

export function basicAuthHeader(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

/** Throws SignatureError unless the Authorization header carries exactly these basic credentials. */
export function requireBasicAuth(headers: Record<string, string>, user: string, password: string): void {
  const got = headers['authorization'] ?? '';
  if (!safeEqual(got, basicAuthHeader(user, password))) throw new SignatureError('basic authentication failed');
}

/**
 * Normalises a provider's phone field to E.164: strips `whatsapp:` style prefixes, adds the `+` providers omit.
 * Returns the input trimmed when it is not a parseable number (short codes, alphanumeric senders).
 */
export function toE164(value: string): string {
  const bare = value.trim().replace(/^[a-z]+:/i, '');
  const withPlus = bare.startsWith('+')
    ? bare
    : /^00\d/.test(bare)
      ? `+${bare.slice(2)}`
      : /^\d{8,15}$/.test(bare)
        ? `+${bare}`
        : bare;
  const parsed = parsePhone(withPlus);
  return parsed?.isPossible() ? parsed.number : bare;
}

/**
 * The customer's number from a provider field, normalised; a PayloadError naming the field when nothing is left
 * (a value of only spaces, `+` or `whatsapp:`): a message must have a sender to thread it under.
 */
export function senderOf(raw: string | undefined, field: string): string {
  const value = raw === undefined ? '' : toE164(raw);
  if (!/[0-9A-Za-z]/.test(value)) throw new PayloadError(`${field} is missing or empty`);
  return value;
}

/** ISO 8601 from seconds or milliseconds since the epoch, or from a date string; undefined when unparseable. */
export function toIso(value: string | number | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  const n = typeof value === 'number' ? value : /^\d+(\.\d+)?$/.test(value) ? Number(value) : NaN;
  const ms = Number.isFinite(n) ? (n < 1e12 ? n * 1000 : n) : Date.parse(String(value));
  if (!Number.isFinite(ms)) return undefined;
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** Reads a JSON path with no exceptions: `pick(obj, 'a', 0, 'b')`. */
export function pick(value: unknown, ...path: (string | number)[]): unknown {
  let cur: unknown = value;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[key];
  }
  return cur;
}

/**
 * A number from an untrusted JSON value: a number, or a numeric string; anything else (objects, arrays, booleans,
 * `{ "toString": null }`, which makes `Number()` throw) is NaN, never an exception.
 */
export function num(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '') return Number(value);
  return Number.NaN;
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
}

/** Parses a Retry-After header (seconds or HTTP date) into milliseconds. */
export function retryAfterMs(headers: Record<string, string>, nowMs = Date.now()): number | undefined {
  const v = headers['retry-after'];
  if (!v) return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000;
  const at = Date.parse(v);
  return Number.isFinite(at) ? Math.max(0, at - nowMs) : undefined;
}

/** The content fields of a message event from its parts: the parts, their readable text and their media. */
export function content(parts: ContentPart[]): Pick<InboundMessageEvent, 'text' | 'media' | 'parts'> {
  return { text: renderParts(parts), media: mediaRefsOf(parts), parts };
}

/** The content fields of a message that is only text and media (most SMS providers). */
export function textContent(
  text: string,
  media: MediaRef[] = [],
): Pick<InboundMessageEvent, 'text' | 'media' | 'parts'> {
  return content(textAndMedia(text, media));
}
