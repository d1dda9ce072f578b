/**
 * HTTP helpers for the admin API tests: one engine per file with the first admin bootstrapped, requests with a
 * bearer token, users of each role, and valid credentials for every provider type (each secret value unique, so a
 * test can look for it in every body and log line).
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { useEngine, type TestEngine } from './engine';
import type { EngineOptions } from '../../lib/local/engine';
import type { Channel, ProviderType } from '../../shared/providers/types';

// Logins hash with scrypt and the engine shares the machine with other test files: give hooks and tests room.
jest.setTimeout(60_000);

export const ADMIN_PASSWORD = 'Admin-Pass1';
export const USER_PASSWORD = 'User-Pass1!';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read bodies loosely and assert the shape they read
export interface Reply<T = any> {
  status: number;
  headers: Headers;
  /** Parsed JSON when the response is JSON, else undefined. */
  body: T;
  text: string;
}

export interface Caller {
  (method: string, path: string, options?: { token?: string; body?: unknown; rawBody?: string }): Promise<Reply>;
}

/** A caller bound to the engine's HTTP URL; `seen` collects every response text for leak checks. */
export function caller(baseUrl: () => string, seen?: string[]): Caller {
  return async (method, path, options = {}) => {
    const headers: Record<string, string> = {};
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | undefined = options.rawBody;
    if (options.body !== undefined && method !== 'GET') {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
    const res = await fetch(`${baseUrl()}${path}`, { method, headers, body });
    const text = await res.text();
    seen?.push(text);
    let parsed: unknown;
    if ((res.headers.get('content-type') ?? '').includes('json') && text) parsed = JSON.parse(text);
    return { status: res.status, headers: res.headers, body: parsed, text };
  };
}

export async function login(call: Caller, username: string, password: string): Promise<string> {
  const res = await call('POST', '/auth/login', { body: { username, password } });
  if (res.status !== 200) throw new Error(`login of ${username} answered ${res.status}: ${res.text}`);
  return (res.body as { token: string }).token;
}

export const unique = (prefix = 'u') => `${prefix}${randomBytes(5).toString('hex')}`;

export interface TestUser {
  id: string;
  username: string;
  token: string;
}

/** Creates a user of the role with a password and logs it in. */
export async function createUser(call: Caller, adminToken: string, role: 'admin' | 'supervisor' | 'agent', fields: Record<string, unknown> = {}): Promise<TestUser> {
  const username = unique(role);
  const res = await call('POST', '/admin/agents', {
    token: adminToken,
    body: { fullName: `Test ${role}`, username, role, password: USER_PASSWORD, ...fields },
  });
  if (res.status !== 201) throw new Error(`creating ${role} answered ${res.status}: ${res.text}`);
  return { id: (res.body as { id: string }).id, username, token: await login(call, username, USER_PASSWORD) };
}

export interface AdminApi {
  engine: () => TestEngine;
  call: Caller;
  /** The bootstrapped admin's token. */
  admin: () => string;
  /** Every response text seen by `call`. */
  seen: string[];
}

/** Starts the engine for the file, bootstraps `admin` and logs it in. Call at the top level of a test file. */
export function useAdminApi(options: EngineOptions = {}): AdminApi {
  const engine = useEngine(options);
  const seen: string[] = [];
  const call = caller(() => engine().httpUrl, seen);
  let token: string | undefined;
  beforeAll(async () => {
    await engine().bootstrap(ADMIN_PASSWORD);
    token = await login(call, 'admin', ADMIN_PASSWORD);
  });
  return {
    engine,
    call,
    seen,
    admin: () => {
      if (!token) throw new Error('admin is not logged in yet');
      return token;
    },
  };
}

export async function createList(call: Caller, token: string, name = unique('list')): Promise<string> {
  const res = await call('POST', '/admin/lists', { token, body: { name } });
  if (res.status !== 201) throw new Error(`creating a list answered ${res.status}: ${res.text}`);
  return (res.body as { id: string }).id;
}

/** A base64 raw Ed25519 public key, as the Telnyx portal shows it. */
function ed25519PublicKey(): string {
  const der = generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' });
  return der.subarray(der.length - 32).toString('base64');
}

/** Valid credentials for a provider, with the real field names of its schema; each value is unique to this call. */
export function credentialsFor(type: ProviderType): Record<string, string> {
  const s = (field: string) => `${type}-${field}-${randomBytes(6).toString('hex')}`;
  const url = (field: string) => `https://${s(field).toLowerCase()}.example.com`;
  switch (type) {
    case 'twilio':
      return { accountSid: `AC${randomBytes(16).toString('hex')}`, authToken: s('authToken') };
    case 'skebby':
      return { username: s('username'), password: s('password'), webhookUsername: s('webhookUsername'), webhookPassword: s('webhookPassword') };
    case 'connectel':
      return { authToken: s('authToken'), baseUrl: url('baseUrl'), webhookSecret: s('webhookSecret') };
    case 'clicksend':
      return { username: s('username'), apiKey: s('apiKey'), webhookUsername: s('webhookUsername'), webhookPassword: s('webhookPassword') };
    case 'plivo':
      return { authId: s('authId'), authToken: s('authToken') };
    case 'clickatell':
      return { apiKey: s('apiKey'), webhookUsername: s('webhookUsername'), webhookPassword: s('webhookPassword') };
    case 'csctelecom':
      return { apiKey: s('apiKey'), baseUrl: url('baseUrl'), webhookSecret: s('webhookSecret') };
    case 'infobip':
      return { username: s('username'), password: s('password'), baseUrl: url('baseUrl'), webhookUsername: s('webhookUsername'), webhookPassword: s('webhookPassword') };
    case 'intelepeer':
      return { username: s('username'), password: s('password'), signatureCode: s('signatureCode') };
    case 'bandwidth':
      return { accountId: s('accountId'), applicationId: s('applicationId'), username: s('username'), password: s('password'), callbackUsername: s('callbackUsername'), callbackPassword: s('callbackPassword') };
    case 'telnyx':
      return { apiKey: s('apiKey'), publicKey: ed25519PublicKey() };
    case 'sinch':
      return { projectId: s('projectId'), appId: s('appId'), keyId: s('keyId'), keySecret: s('keySecret'), webhookSecret: s('webhookSecret') };
    case 'meta':
      return { wabaId: s('wabaId'), accessToken: s('accessToken'), appId: s('appId'), appSecret: s('appSecret'), phoneNumberId: s('phoneNumberId') };
    case 'kaleyra':
      return { wabaId: s('wabaId'), accountSid: s('accountSid'), apiKey: s('apiKey'), webhookSecret: s('webhookSecret') };
  }
}

/** Every (channel, provider) pair the product offers. */
export const CHANNEL_TYPES: [Channel, ProviderType][] = [
  ...(['twilio', 'skebby', 'connectel', 'clicksend', 'plivo', 'clickatell', 'csctelecom', 'infobip', 'intelepeer', 'bandwidth', 'telnyx'] as const).map(
    (t): [Channel, ProviderType] => ['sms', t],
  ),
  ...(['twilio', 'sinch', 'meta', 'kaleyra'] as const).map((t): [Channel, ProviderType] => ['whatsapp', t]),
];

let keySeq = 0;
/** A key unique in this process: up to 5 alphanumerics, valid for both channels. */
export function accountKey(): string {
  keySeq += 1;
  return `${randomBytes(2).toString('hex').slice(0, 2)}${keySeq.toString(36)}`.slice(0, 5);
}

/** A valid account body for the provider; override any field. */
export function accountBody(channel: Channel, type: ProviderType, listId: string, overrides: Record<string, unknown> = {}) {
  return {
    channel,
    name: `${channel} ${type} account`,
    key: accountKey(),
    type,
    phone: '+39 333 123 4567',
    listId,
    credentials: credentialsFor(type),
    ...overrides,
  };
}
