/**
 * Inbound media stays at the provider as a reference (URL, content type, id) and is fetched only when someone opens
 * it. The account's credentials go only to the hosts the provider module declares (from the provider's documentation)
 * and only over https; media anywhere else are fetched without credentials. Nothing is fetched from a loopback,
 * private, link-local or metadata address: the check runs on the address the name resolves to, at connect time (so
 * a DNS answer cannot change between check and use), and again on every redirect, which is followed by hand.
 */
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { config } from '../config';
import { AppError, PayloadTooLargeError } from '../errors';
import { providerFor } from '../providers';
import type { MediaRef, ProviderType } from '../providers/types';

export const MAX_MEDIA_BYTES = 5 * 1024 * 1024;
const TIMEOUT_MS = 15_000;
const MAX_REDIRECTS = 3;

export class MediaRefusedError extends AppError {
  constructor(reason: string) {
    super(502, 'MEDIA_REFUSED', `the media was not fetched: ${reason}`);
  }
}

const unavailable = (message: string) => new AppError(502, 'MEDIA_UNAVAILABLE', message);

/** Only public unicast addresses: no loopback, private, link-local (cloud metadata), unique-local, CGNAT, multicast. */
export function isForbiddenAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return true;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  return parsed.range() !== 'unicast';
}

/** A `host`, `*.suffix`, `host:port` or `scheme://host[:port]` entry of an allow-list. */
interface HostRule {
  host: string;
  wildcard: boolean;
  port?: string;
  /** Set when the entry names its scheme: configured origins (a loopback fake in tests) may be plain http. */
  scheme?: 'http:' | 'https:';
}

function parseRule(entry: string): HostRule {
  const trimmed = entry.trim().toLowerCase();
  const m = /^(?:(https?):\/\/)?(\*\.)?([^/:]+|\[[^\]]+\])(?::(\d+))?\/?$/.exec(trimmed);
  if (!m?.[3]) throw new Error(`invalid media host entry: ${entry}`);
  return { host: m[3], wildcard: Boolean(m[2]), ...(m[4] ? { port: m[4] } : {}), ...(m[1] ? { scheme: `${m[1]}:` as 'http:' | 'https:' } : {}) };
}

export interface MediaAllowList {
  rules: HostRule[];
  /** True when the list comes from configuration: its hosts are trusted as named, loopback included. */
  configured: boolean;
}

export function mediaAllowList(type: ProviderType): MediaAllowList {
  const configured = config.mediaHosts[type];
  if (configured) return { rules: configured.map(parseRule), configured: true };
  return { rules: providerFor(type).media.hosts.map(parseRule), configured: false };
}

function matches(rule: HostRule, url: URL): boolean {
  const host = url.hostname.toLowerCase();
  const hostOk = rule.wildcard ? host.endsWith(`.${rule.host}`) : host === rule.host;
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  const portOk = rule.port ? rule.port === port : !url.port;
  const schemeOk = rule.scheme ? rule.scheme === url.protocol : url.protocol === 'https:';
  return hostOk && portOk && schemeOk;
}

/** Whether the URL may receive the account's credentials: on an allowed host, over https (or a configured origin). */
export function mayCarryCredentials(allow: MediaAllowList, url: URL): boolean {
  return !url.username && !url.password && allow.rules.some((rule) => matches(rule, url));
}

/** The address check at connect time; an address a configured entry names explicitly is let through. */
function guardedLookup(trusted: boolean) {
  return (hostname: string, options: LookupOptions, callback: (error: Error | null, address: string | LookupAddress[], family?: number) => void) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, []);
      const bad = addresses.find((a) => isForbiddenAddress(a.address));
      if (bad && !trusted) return callback(new MediaRefusedError(`${hostname} resolves to a non-public address`), []);
      if (options.all) return callback(null, addresses);
      const first = addresses[0];
      if (!first) return callback(new MediaRefusedError(`${hostname} has no address`), []);
      callback(null, first.address, first.family);
    });
  };
}

interface Fetched {
  status: number;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

function getOnce(url: URL, headers: Record<string, string>, trusted: boolean): Promise<Fetched> {
  const literal = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(literal) && isForbiddenAddress(literal) && !trusted) return Promise.reject(new MediaRefusedError('the URL names a non-public address'));
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', headers, lookup: guardedLookup(trusted), timeout: TIMEOUT_MS }, (res) => {
      const declared = Number(res.headers['content-length'] ?? '0');
      if (declared > MAX_MEDIA_BYTES) {
        res.destroy();
        return reject(new PayloadTooLargeError(MAX_MEDIA_BYTES));
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_MEDIA_BYTES) {
          res.destroy();
          reject(new PayloadTooLargeError(MAX_MEDIA_BYTES));
        } else chunks.push(chunk);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(unavailable('the media host did not answer in time')));
    req.on('error', (error) => reject(error instanceof AppError ? error : unavailable('the media host could not be reached')));
    req.end();
  });
}

/**
 * GETs a media URL, following up to three redirects by hand: each hop is checked again, and carries the credentials
 * only if it too is on the allow-list over https.
 */
async function get(start: string, allow: MediaAllowList, credentials: Record<string, string>): Promise<Fetched> {
  let url: URL;
  try {
    url = new URL(start);
  } catch {
    throw new MediaRefusedError('the media URL is not a URL');
  }
  for (let hop = 0; ; hop++) {
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new MediaRefusedError('media URLs are http(s) only');
    const allowed = mayCarryCredentials(allow, url);
    const res = await getOnce(url, allowed ? credentials : {}, allowed && allow.configured);
    const location = res.headers.location;
    if (res.status >= 300 && res.status < 400 && location) {
      if (hop >= MAX_REDIRECTS) throw unavailable('the media host redirected too often');
      url = new URL(location, url);
      continue;
    }
    return res;
  }
}

const SAFE_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/;

/** A clean `type/subtype` (parameters dropped), or octet-stream for anything else. */
export function safeContentType(value: string | undefined): string {
  const bare = (value ?? '').split(';')[0]!.trim().toLowerCase();
  return SAFE_TYPE.test(bare) ? bare : 'application/octet-stream';
}

/** Images (but not SVG, which can carry script), audio and video show inline; everything else downloads. */
export function mediaDisposition(contentType: string): 'inline' | 'attachment' {
  return /^(image|audio|video)\//.test(contentType) && !contentType.startsWith('image/svg') ? 'inline' : 'attachment';
}

export async function fetchMedia(type: ProviderType, credentials: Record<string, unknown>, ref: MediaRef): Promise<{ contentType: string; bytes: Buffer }> {
  if (ref.url.startsWith('data:')) {
    const m = /^data:([^;,]+)?(;base64)?,(.*)$/s.exec(ref.url);
    if (!m) throw unavailable('the inline media is malformed');
    const bytes = m[2] ? Buffer.from(m[3] ?? '', 'base64') : Buffer.from(decodeURIComponent(m[3] ?? ''));
    if (bytes.length > MAX_MEDIA_BYTES) throw new PayloadTooLargeError(MAX_MEDIA_BYTES);
    return { contentType: safeContentType(m[1] ?? ref.contentType), bytes };
  }
  const provider = providerFor(type);
  const allow = mediaAllowList(type);
  const headers = provider.media.authorization?.(credentials as never) ?? {};
  let res = await get(ref.url, allow, headers);
  // Meta addresses media by id: the first answer is JSON naming the download URL, fetched the same way.
  if (type === 'meta' && res.status === 200 && String(res.headers['content-type'] ?? '').includes('json')) {
    let next: unknown;
    try {
      next = (JSON.parse(res.body.toString('utf8')) as { url?: unknown }).url;
    } catch {
      next = undefined;
    }
    if (typeof next !== 'string') throw unavailable('the provider gave no media URL');
    res = await get(next, allow, headers);
  }
  if (res.status < 200 || res.status >= 300) throw unavailable(`the provider answered ${res.status} for the media`);
  const contentType = res.headers['content-type'];
  return { contentType: safeContentType(typeof contentType === 'string' ? contentType : ref.contentType), bytes: res.body };
}
