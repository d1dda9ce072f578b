/**
 * Inbound media stays at the provider as a reference (URL, content type, id) and is fetched with the account's
 * credentials only when someone opens it. Each provider authenticates its media differently; pre-signed URLs
 * (Telnyx, Kaleyra, Sinch) must be fetched with no Authorization header at all.
 */
import { PayloadTooLargeError, AppError } from '../errors';
import type { MediaRef, ProviderType } from '../providers/types';
import { basicAuthHeader } from '../providers/util';

export const MAX_MEDIA_BYTES = 5 * 1024 * 1024;
const TIMEOUT_MS = 15_000;

function authHeaders(type: ProviderType, c: Record<string, unknown>): Record<string, string> {
  const s = (k: string) => (typeof c[k] === 'string' ? (c[k] as string) : '');
  switch (type) {
    case 'twilio':
      return { authorization: basicAuthHeader(s('accountSid'), s('authToken')) };
    case 'plivo':
      return { authorization: basicAuthHeader(s('authId'), s('authToken')) };
    case 'bandwidth':
      return { authorization: basicAuthHeader(s('username'), s('password')) };
    case 'meta':
      return { authorization: `Bearer ${s('accessToken')}` };
    case 'clickatell':
      return { authorization: s('apiKey') };
    default:
      return {};
  }
}

async function get(url: string, headers: Record<string, string>): Promise<Response> {
  const parsed = new URL(url);
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new AppError(400, 'BAD_MEDIA_URL', 'media URLs are http(s) only');
  return fetch(parsed, { headers, redirect: 'follow', signal: AbortSignal.timeout(TIMEOUT_MS) });
}

async function body(res: Response): Promise<Buffer> {
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > MAX_MEDIA_BYTES) throw new PayloadTooLargeError(MAX_MEDIA_BYTES);
  const buf = Buffer.from(await res.arrayBuffer());
  if (buf.length > MAX_MEDIA_BYTES) throw new PayloadTooLargeError(MAX_MEDIA_BYTES);
  return buf;
}

export async function fetchMedia(type: ProviderType, credentials: Record<string, unknown>, ref: MediaRef): Promise<{ contentType: string; bytes: Buffer }> {
  if (ref.url.startsWith('data:')) {
    const m = /^data:([^;,]+)?(;base64)?,(.*)$/s.exec(ref.url);
    if (!m) throw new AppError(502, 'MEDIA_UNAVAILABLE', 'the inline media is malformed');
    const bytes = m[2] ? Buffer.from(m[3] ?? '', 'base64') : Buffer.from(decodeURIComponent(m[3] ?? ''));
    return { contentType: m[1] ?? ref.contentType ?? 'application/octet-stream', bytes };
  }
  const headers = authHeaders(type, credentials);
  let res = await get(ref.url, headers);
  // Meta addresses media by id: the first answer is JSON naming the download URL, fetched with the same token.
  if (type === 'meta' && res.ok && (res.headers.get('content-type') ?? '').includes('json')) {
    const meta = (await res.json()) as { url?: unknown };
    if (typeof meta.url !== 'string') throw new AppError(502, 'MEDIA_UNAVAILABLE', 'the provider gave no media URL');
    res = await get(meta.url, headers);
  }
  if (!res.ok) throw new AppError(502, 'MEDIA_UNAVAILABLE', `the provider answered ${res.status} for the media`);
  return { contentType: res.headers.get('content-type') ?? ref.contentType ?? 'application/octet-stream', bytes: await body(res) };
}
