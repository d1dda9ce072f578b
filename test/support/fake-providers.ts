/**
 * One loopback HTTP server that stands in for every provider's send API (and the token endpoints of Sinch and
 * IntelePeer, and the Vidaoo meetings API). Each provider lives under its own path prefix (`/twilio`, `/meta`, ...):
 * point `PROVIDER_BASE_URL_<TYPE>` at `baseUrl(type)`. Every request is recorded as received; each answer is that
 * provider's real success body (shapes from the providers' API references, as the provider unit tests use them),
 * unless the server was told to answer the next N requests to a provider with an error.
 */
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ulid } from 'ulid';
import { settingsSchema } from '../../shared/admin/account-schema';
import { createAccount, patchAccount } from '../../shared/admin/accounts';
import type { Interaction } from '../../shared/domain/interaction';
import { PROVIDER_TYPES, type Channel, type ProviderType } from '../../shared/providers/types';
import type { Account } from '../../shared/store/accounts';
import { createAgent, type Agent } from '../../shared/store/agents';
import { openWithInbound } from '../../shared/store/interactions';
import { createList } from '../../shared/store/lists';
import { addMember } from '../../shared/store/memberships';
import { insertTemplate, type WhatsAppTemplate } from '../../shared/store/templates';

export type FakeTarget = ProviderType | 'sinch-auth' | 'intelepeer-auth' | 'vidaoo' | 'twiliocontent';

export interface RecordedRequest {
  target: FakeTarget;
  method: string;
  /** The path as the provider would see it, without the fake's `/{target}` prefix. */
  path: string;
  query: string;
  headers: Record<string, string>;
  body: string;
  /** The body parsed as JSON or as a form, when it is one. */
  json?: unknown;
  form?: Record<string, string>;
  /** When it arrived (epoch ms). */
  at: number;
  /** What the fake answered. */
  answer?: { status: number; body: string };
}

/** `unavailable-retry-after`: a 503 that says when to come back (`Retry-After`), as gateways in maintenance do. */
export type ErrorKind = 'rate-limited' | 'unavailable' | 'unavailable-retry-after' | 'bad-request' | 'unauthorized' | 'spam-restricted' | 'pair-rate';

/** A template the fake holds, as Meta, Kaleyra or Twilio's Content API would report it. */
export interface FakeTemplate {
  id: string;
  target: FakeTarget;
  name: string;
  language: string;
  category: string;
  status: string;
  reason?: string;
  quality?: string;
  body: unknown;
}

interface Answer {
  status: number;
  headers?: Record<string, string>;
  body: string;
}

const json = (status: number, value: unknown, headers: Record<string, string> = {}): Answer => ({
  status,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(value),
});
const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/** Each provider's accepted-send answer. */
const SUCCESS: Record<ProviderType, (req: RecordedRequest) => Answer> = {
  twilio: () =>
    json(201, {
      account_sid: 'AC' + hex(16),
      api_version: '2010-04-01',
      body: 'Hello',
      date_created: new Date().toUTCString(),
      direction: 'outbound-api',
      error_code: null,
      error_message: null,
      num_media: '0',
      num_segments: '1',
      sid: 'SM' + hex(16),
      status: 'queued',
    }),
  meta: () =>
    json(200, {
      messaging_product: 'whatsapp',
      contacts: [{ input: '+16505551234', wa_id: '16505551234' }],
      messages: [{ id: `wamid.${randomBytes(30).toString('base64')}`, message_status: 'accepted' }],
    }),
  kaleyra: () =>
    json(200, {
      messaging_product: 'whatsapp',
      contacts: [{ input: '+919740776505', wa_id: '919740776505' }],
      messages: [{ id: `wamid.${randomBytes(30).toString('base64')}` }],
    }),
  sinch: () => json(200, { message_id: `01${hex(12).toUpperCase()}`, accepted_time: new Date().toISOString() }),
  plivo: () => json(202, { api_id: randomUUID(), message: 'message(s) queued', message_uuid: [randomUUID()] }),
  telnyx: () =>
    json(200, {
      data: { record_type: 'message', direction: 'outbound', id: randomUUID(), type: 'SMS', errors: [] },
    }),
  bandwidth: (req) =>
    json(202, {
      id: `${Date.now()}${hex(8)}`,
      owner: (req.json as { from?: string } | undefined)?.from,
      applicationId: (req.json as { applicationId?: string } | undefined)?.applicationId,
      time: new Date().toISOString(),
      segmentCount: 1,
      direction: 'out',
      to: (req.json as { to?: string[] } | undefined)?.to,
      from: (req.json as { from?: string } | undefined)?.from,
      text: (req.json as { text?: string } | undefined)?.text,
      tag: (req.json as { tag?: string } | undefined)?.tag,
    }),
  infobip: (req) => {
    const destination = (req.json as { messages?: { destinations?: { to?: string; messageId?: string }[] }[] } | undefined)?.messages?.[0]
      ?.destinations?.[0];
    return json(200, {
      bulkId: hex(8),
      messages: [
        {
          // Infobip keeps the messageId the request gave.
          messageId: destination?.messageId ?? hex(12),
          status: { groupId: 1, groupName: 'PENDING', id: 26, name: 'PENDING_ACCEPTED', description: 'Message sent to next instance' },
          destination: destination?.to,
        },
      ],
    });
  },
  clicksend: (req) => {
    const first = (req.json as { messages?: { custom_string?: string; to?: string }[] } | undefined)?.messages?.[0];
    return json(200, {
      http_code: 200,
      response_code: 'SUCCESS',
      response_msg: 'Messages queued for delivery.',
      data: {
        total_price: 0.07,
        total_count: 1,
        queued_count: 1,
        messages: [{ direction: 'out', to: first?.to, message_id: randomUUID().toUpperCase(), custom_string: first?.custom_string, status: 'SUCCESS' }],
      },
    });
  },
  clickatell: (req) => {
    const first = (req.json as { messages?: { to?: string }[] } | undefined)?.messages?.[0];
    return json(202, { messages: [{ apiMessageId: hex(16), accepted: true, to: first?.to, error: null }], error: null });
  },
  skebby: () => ({ status: 200, headers: { 'content-type': 'text/plain' }, body: `status=success&remaining_sms=150&id=${Math.floor(Math.random() * 1e8)}` }),
  intelepeer: () => json(202, { state: 'CREATED', refid: `SM${hex(16).toUpperCase()}` }),
  connectel: () => json(201, { id: `cn-out-${hex(6)}` }),
  csctelecom: () => json(201, { id: `csc-out-${hex(6)}` }),
};

/** Each provider's answer to a request it refuses for good (its real error body; Skebby answers 200 `status=failed`). */
const BAD_REQUEST: Record<ProviderType, Answer> = {
  twilio: json(400, {
    code: 21211,
    message: "The 'To' number +15005550001 is not a valid phone number.",
    more_info: 'https://www.twilio.com/docs/errors/21211',
    status: 400,
  }),
  meta: json(400, { error: { message: '(#100) Invalid parameter', type: 'OAuthException', code: 100, fbtrace_id: 'AbC123' } }),
  kaleyra: json(400, { code: 'WA400', message: 'Incorrect Payload.' }),
  sinch: json(400, { error: { code: 400, message: 'Invalid argument: message', status: 'INVALID_ARGUMENT', details: [] } }),
  plivo: json(400, { api_id: randomUUID(), error: '19332631167 is not a valid phone number' }),
  telnyx: json(400, { errors: [{ code: '10002', title: 'Invalid phone number', detail: 'The destination number is invalid.' }] }),
  bandwidth: json(400, {
    type: 'request-validation',
    description: 'Your request could not be accepted.',
    fieldErrors: [{ fieldName: 'to', description: "'+1invalid' must be replaced with a valid E164 formatted telephone number" }],
  }),
  infobip: json(400, {
    errorCode: 'E400',
    description: 'Request cannot be processed.',
    action: 'Check the syntax, violations and adjust the request.',
    violations: [{ property: 'messages[0].destinations[0].to', violation: 'Invalid value' }],
    resources: [],
  }),
  clicksend: json(400, { http_code: 400, response_code: 'BAD_REQUEST', response_msg: 'Bad request', data: null }),
  clickatell: json(400, {
    messages: [{ apiMessageId: null, accepted: false, to: '27821234567', error: { code: 25, description: 'Invalid recipient address', documentation: 'https://docs.clickatell.com' } }],
    error: null,
  }),
  skebby: { status: 200, headers: { 'content-type': 'text/plain' }, body: 'status=failed&code=25&message=Recipient+not+valid+%28must+be+in+international+format+like+393401234567%29' },
  intelepeer: json(400, { code: 0, error: 'invalid destination' }),
  connectel: json(400, { error: { code: 'INVALID_NUMBER', message: '+4670 is not a valid mobile number' } }),
  csctelecom: json(400, { error: { code: 'INVALID_NUMBER', message: '+4670 is not a valid mobile number' } }),
};

/** The vocabulary code each provider's BAD_REQUEST answer maps to. */
export const BAD_REQUEST_CODE: Record<ProviderType, string> = {
  twilio: 'INVALID_NUMBER',
  meta: 'INVALID_REQUEST',
  kaleyra: 'INVALID_REQUEST',
  sinch: 'INVALID_REQUEST',
  plivo: 'INVALID_NUMBER',
  telnyx: 'INVALID_NUMBER',
  bandwidth: 'INVALID_NUMBER',
  infobip: 'INVALID_NUMBER',
  clicksend: 'INVALID_REQUEST',
  clickatell: 'INVALID_NUMBER',
  skebby: 'INVALID_NUMBER',
  intelepeer: 'INVALID_REQUEST',
  connectel: 'INVALID_NUMBER',
  csctelecom: 'INVALID_NUMBER',
};

function errorAnswer(target: FakeTarget, kind: ErrorKind, retryAfterSeconds: number): Answer {
  if (kind === 'rate-limited') {
    const body =
      target === 'meta'
        ? { error: { message: '(#130429) Rate limit hit', type: 'OAuthException', code: 130429, fbtrace_id: 'AbC123' } }
        : target === 'sinch'
          ? { error: { code: 429, message: 'Too many requests', status: 'RESOURCE_EXHAUSTED', details: [] } }
          : target === 'twilio'
            ? { code: 20429, message: 'Too Many Requests', more_info: 'https://www.twilio.com/docs/errors/20429', status: 429 }
            : { error: 'Too Many Requests' };
    return json(429, body, { 'retry-after': String(retryAfterSeconds) });
  }
  if (kind === 'spam-restricted' || kind === 'pair-rate') {
    // Meta's Graph error bodies for 131048 (spam rate limit) and 131056 (pair rate limit); Kaleyra passes them on.
    const code = kind === 'spam-restricted' ? 131048 : 131056;
    const message = kind === 'spam-restricted' ? 'Spam rate limit hit' : '(Business Account, Consumer Account) pair rate limit hit';
    return json(400, { error: { message, type: 'OAuthException', code, error_data: { messaging_product: 'whatsapp', details: message }, fbtrace_id: 'AbC123' } });
  }
  if (kind === 'unauthorized') return json(401, { code: 401, error: 'Unauthorized: the token has expired' });
  if (kind === 'unavailable') return { status: 503, headers: { 'content-type': 'text/html' }, body: '<html><body>503 Service Unavailable</body></html>' };
  if (kind === 'unavailable-retry-after') {
    return { status: 503, headers: { 'content-type': 'text/html', 'retry-after': String(retryAfterSeconds) }, body: '<html><body>503 Service Unavailable</body></html>' };
  }
  if (target in BAD_REQUEST) return BAD_REQUEST[target as ProviderType];
  return json(400, { error: 'bad request' });
}

function parseBody(headers: Record<string, string>, body: string): Pick<RecordedRequest, 'json' | 'form'> {
  const type = headers['content-type'] ?? '';
  if (type.includes('json')) {
    try {
      return { json: JSON.parse(body) as unknown };
    } catch {
      return {};
    }
  }
  if (type.includes('x-www-form-urlencoded')) return { form: Object.fromEntries(new URLSearchParams(body)) };
  return {};
}

export class FakeProviders {
  readonly requests: RecordedRequest[] = [];
  private readonly failures = new Map<FakeTarget, { kind: ErrorKind; remaining: number; retryAfterSeconds: number; only?: (req: RecordedRequest) => boolean }>();
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<FakeProviders> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const fake = new FakeProviders(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    server.on('request', (req, res) => void fake.handle(req, res));
    return fake;
  }

  baseUrl(target: FakeTarget): string {
    return `${this.url}/${target}`;
  }

  /** PROVIDER_BASE_URL_* for every provider and for Vidaoo, for the engine's `env`. */
  env(): Record<string, string> {
    const env: Record<string, string> = { PROVIDER_BASE_URL_VIDAOO: this.baseUrl('vidaoo') };
    for (const type of PROVIDER_TYPES) env[`PROVIDER_BASE_URL_${type.toUpperCase()}`] = this.baseUrl(type);
    env.PROVIDER_BASE_URL_TWILIOCONTENT = this.baseUrl('twiliocontent');
    return env;
  }

  /**
   * The next `count` requests to `target` get an error answer of this kind; with `only`, just the requests it picks
   * (the engine's background calls, a periodic template sync say, then cannot use the failure up).
   */
  failNext(target: FakeTarget, count: number, kind: ErrorKind, retryAfterSeconds = 1, only?: (req: RecordedRequest) => boolean): void {
    this.failures.set(target, { kind, remaining: count, retryAfterSeconds, ...(only ? { only } : {}) });
  }

  /**
   * Called with each request once it is recorded, before the fake answers it: a test can kill the engine here, so
   * the provider has accepted a send whose answer the engine never reads.
   */
  beforeAnswer?: (req: RecordedRequest) => Promise<void> | void;

  /** Templates submitted to the fake, by provider id. */
  readonly templates = new Map<string, FakeTemplate>();

  /** What the provider says of a template from now on (its status answers; the test sends the webhook itself). */
  setTemplateStatus(id: string, status: string, extra: { reason?: string; quality?: string } = {}): void {
    const template = this.templates.get(id);
    if (!template) throw new Error(`the fake holds no template ${id}`);
    Object.assign(template, { status, ...extra });
  }

  requestsTo(target: FakeTarget): RecordedRequest[] {
    return this.requests.filter((r) => r.target === target);
  }

  reset(): void {
    this.requests.length = 0;
    this.failures.clear();
    this.templates.clear();
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', this.url);
    const [, first = '', ...rest] = url.pathname.split('/');
    const target = first as FakeTarget;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers[name] = value;
    const recorded: RecordedRequest = {
      at: Date.now(),
      target,
      method: req.method ?? 'GET',
      path: `/${rest.map(decodeURIComponent).join('/')}`,
      query: url.search,
      headers,
      body,
      ...parseBody(headers, body),
    };
    this.requests.push(recorded);
    if (this.beforeAnswer) await this.beforeAnswer(recorded);
    const answer = this.answer(target, recorded);
    recorded.answer = { status: answer.status, body: answer.body };
    res.writeHead(answer.status, answer.headers ?? {});
    res.end(answer.body);
  }

  private answer(target: FakeTarget, req: RecordedRequest): Answer {
    const failure = this.failures.get(target);
    if (failure && failure.remaining > 0 && (!failure.only || failure.only(req))) {
      failure.remaining -= 1;
      return errorAnswer(target, failure.kind, failure.retryAfterSeconds);
    }
    if (target === 'sinch-auth') return json(200, { access_token: `sinch-token-${hex(8)}`, expires_in: 3599, scope: '', token_type: 'bearer' });
    if (target === 'intelepeer-auth') return json(200, { token: `ip-token-${hex(8)}` });
    if (target === 'vidaoo') {
      const id = hex(6);
      return json(201, { id, link: `https://meet.vidaoo.example/j/${id}`, topic: (req.json as { topic?: string } | undefined)?.topic });
    }
    const templates = templateAnswer(this, target, req);
    if (templates) return templates;
    const success = SUCCESS[target as ProviderType];
    return success ? success(req) : json(404, { error: `no fake provider at /${target}` });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Template APIs: Meta's and Kaleyra's `/message_templates`, Twilio's Content API.

function templateAnswer(fake: FakeProviders, target: FakeTarget, req: RecordedRequest): Answer | undefined {
  const params = new URLSearchParams(req.query);
  if ((target === 'meta' || target === 'kaleyra') && req.path.endsWith('/message_templates')) {
    const mine = [...fake.templates.values()].filter((t) => t.target === target);
    if (req.method === 'POST') {
      const body = req.json as { name?: string; language?: string; category?: string } | undefined;
      if (mine.some((t) => t.name === body?.name && t.language === body?.language)) {
        return json(400, { error: { message: 'Message template already exists', type: 'OAuthException', code: 100, error_subcode: 2388023, fbtrace_id: 'AbC123' } });
      }
      const id = String(Math.floor(1e14 + Math.random() * 9e14));
      fake.templates.set(id, { id, target, name: body?.name ?? '', language: body?.language ?? '', category: body?.category ?? '', status: 'PENDING', body: req.json });
      return json(200, { id, status: 'PENDING', category: body?.category });
    }
    if (req.method === 'GET') {
      const name = params.get('name');
      const data = mine
        .filter((t) => !name || t.name === name)
        .map((t) => ({ id: t.id, name: t.name, language: t.language, status: t.status, category: t.category, ...(t.reason ? { rejected_reason: t.reason } : { rejected_reason: 'NONE' }), ...(t.quality ? { quality_score: { score: t.quality } } : {}) }));
      return json(200, { data, paging: { cursors: { before: 'MAZDZD', after: 'MjQZD' } } });
    }
    if (req.method === 'DELETE') {
      const found = mine.filter((t) => t.name === params.get('name') && (!params.get('hsm_id') || t.id === params.get('hsm_id')));
      if (!found.length) return json(404, { error: { message: 'Template not found', type: 'OAuthException', code: 100, fbtrace_id: 'AbC123' } });
      found.forEach((t) => fake.templates.delete(t.id));
      return json(200, { success: true });
    }
  }
  if (target === 'twiliocontent') {
    const m = /^\/v1\/Content(?:\/(HX[0-9a-f]+))?(\/ApprovalRequests(?:\/whatsapp)?)?$/.exec(req.path);
    if (!m) return json(404, { code: 20404, message: 'The requested resource was not found', status: 404 });
    const [, sid, approval] = m;
    if (!sid && req.method === 'POST') {
      const body = req.json as { friendly_name?: string; language?: string } | undefined;
      const id = `HX${randomBytes(16).toString('hex')}`;
      fake.templates.set(id, { id, target, name: body?.friendly_name ?? '', language: body?.language ?? '', category: '', status: 'unsubmitted', body: req.json });
      return json(201, { sid: id, account_sid: 'AC0123456789abcdef0123456789abcdef', friendly_name: body?.friendly_name, language: body?.language, ...(req.json as object), url: `https://content.twilio.com/v1/Content/${id}` });
    }
    const template = sid ? fake.templates.get(sid) : undefined;
    if (!template) return json(404, { code: 20404, message: 'The requested resource was not found', status: 404 });
    if (approval && req.method === 'POST') {
      const body = req.json as { name?: string; category?: string } | undefined;
      Object.assign(template, { status: 'received', category: body?.category ?? '' });
      return json(201, { name: body?.name, category: body?.category, content_type: 'twilio/text', status: 'received', rejection_reason: '', allow_category_change: true });
    }
    if (approval && req.method === 'GET') {
      return json(200, { sid, account_sid: 'AC0123456789abcdef0123456789abcdef', whatsapp: { type: 'whatsapp', name: template.name, category: template.category, content_type: 'twilio/text', status: template.status, rejection_reason: template.reason ?? '' }, url: `https://content.twilio.com/v1/Content/${sid}/ApprovalRequests` });
    }
    if (!approval && req.method === 'DELETE') {
      fake.templates.delete(template.id);
      return { status: 204, body: '' };
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Accounts aimed at the fake: credentials per provider, and a conversation to reply into.

const telnyxKey = generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('base64');

/** The webhook basic-auth pair providers with no signature of their own need (the simulators send it). */
const webhookBasic = { webhookUsername: 'hook-user', webhookPassword: 'hook-pass' };

/** Credentials each provider's schema accepts; token and per-account URLs point at the fake. */
export function fakeCredentials(type: ProviderType, fake: FakeProviders): Record<string, unknown> {
  switch (type) {
    case 'twilio':
      return { accountSid: 'AC0123456789abcdef0123456789abcdef', authToken: 'twilio-auth-token' };
    case 'meta':
      return { wabaId: '102290129340398', accessToken: 'EAAGtesttoken', appId: '4111111111', appSecret: 'meta-app-secret', phoneNumberId: '106540352242922' };
    case 'kaleyra':
      return { wabaId: '102290129340398', accountSid: 'HXAP1692112397IN', apiKey: 'A5b05332b18076587504bca8d0eade7f3', webhookSecret: 'kaleyra-hook-secret' };
    case 'sinch':
      return {
        authUrl: `${fake.baseUrl('sinch-auth')}/oauth2/token`,
        projectId: 'proj-7c1a',
        appId: '01EB37HMH1M6SV18ASNS3G135H',
        keyId: 'key-id-1',
        keySecret: 'key-secret-1',
        webhookSecret: 'sinch-webhook-secret',
      };
    case 'plivo':
      return { authId: 'MAXXXXXXXXXXXXXXXXXX', authToken: 'plivo-auth-token' };
    case 'telnyx':
      return { apiKey: 'KEY0123456789ABCDEF', publicKey: telnyxKey };
    case 'bandwidth':
      return { accountId: '9900000', applicationId: '93de2206-9669-4e07-948d-329f4b722ee2', username: 'api-user', password: 'api-password', callbackUsername: 'bw-hook', callbackPassword: 'bw-hook-pass' };
    case 'infobip':
      return { username: 'xcally', password: 'p4ss', baseUrl: fake.baseUrl('infobip'), ...webhookBasic };
    case 'clicksend':
      return { username: 'cs-user', apiKey: 'CS-API-KEY-1', ...webhookBasic };
    case 'clickatell':
      return { apiKey: 'k3yFromTheIntegration==', ...webhookBasic };
    case 'skebby':
      return { method: 'classic_plus', username: 'skebby-user', password: 'skebby-pass', ...webhookBasic };
    case 'intelepeer':
      return { username: 'ip-user', password: 'ip-pass', authUrl: `${fake.baseUrl('intelepeer-auth')}/_rest/v4/authenticate`, ...webhookBasic };
    case 'connectel':
      // The account's own base URL; the configured PROVIDER_BASE_URL_CONNECTEL (the fake) takes precedence.
      return { authToken: 'connectel-token', baseUrl: 'https://sms.connectel.example/api', webhookSecret: 'connectel-hook-secret' };
    case 'csctelecom':
      return { apiKey: 'csc-api-key', baseUrl: 'https://api.csctelecom.example/v1', webhookSecret: 'csc-hook-secret' };
  }
}

export const WHATSAPP_ONLY: readonly ProviderType[] = ['meta', 'kaleyra', 'sinch'];

export const ACCOUNT_PHONE = '+393331234567';
export const CUSTOMER_PHONE = '+393471234567';

export interface Conversation {
  account: Account;
  interaction: Interaction;
  agent: Agent;
}

/**
 * An account of `type` (WhatsApp for Meta, Kaleyra and Sinch, SMS otherwise unless `channel` says), an agent who
 * belongs to it, and an open interaction holding one inbound message from the customer, `windowOpenMs` before the
 * WhatsApp window closes (negative: already closed).
 */
/**
 * A template held by the account as the provider approved it, straight into the store: `Hello {{1}} ...` with
 * `parameters` positional parameters.
 */
export async function storeApprovedTemplate(account: Pick<Account, 'id' | 'type'>, name: string, language: string, parameters = 0): Promise<WhatsAppTemplate> {
  const names = Array.from({ length: parameters }, (_, i) => String(i + 1));
  const at = new Date().toISOString();
  const template: WhatsAppTemplate = {
    id: ulid(),
    accountId: account.id,
    provider: account.type,
    name,
    language,
    category: 'UTILITY',
    parameterFormat: 'POSITIONAL',
    components: [{ type: 'BODY', text: ['Hello', ...names.map((n) => `{{${n}}}`)].join(' '), ...(names.length ? { examples: names.map((n) => `example ${n}`) } : {}) }],
    parameters: { header: [], body: names },
    status: 'APPROVED',
    providerTemplateId: String(Math.floor(1e14 + Math.random() * 9e14)),
    statusAt: at,
    createdAt: at,
    updatedAt: at,
    version: 1,
  };
  await insertTemplate(template);
  return template;
}

export async function seedConversation(
  type: ProviderType,
  fake: FakeProviders,
  options: { channel?: Channel; windowOpenMs?: number; settings?: Record<string, unknown> } = {},
): Promise<Conversation> {
  const channel = options.channel ?? (WHATSAPP_ONLY.includes(type) ? 'whatsapp' : 'sms');
  const list = await createList({ name: `list-${hex(4)}` });
  // A recontact template is one of the account's APPROVED templates: the account first, then the template, then the choice.
  const { recontactTemplate, ...settings } = (options.settings ?? {}) as { recontactTemplate?: { name: string; language: string; parameters?: string[] } };
  let account = await createAccount({
    channel,
    name: `${type} ${hex(3)}`,
    key: randomBytes(4).readUInt32BE(0).toString(36).padStart(5, '0').slice(-5), // unique in the store the whole run shares (a WhatsApp key is at most 5 letters or digits): 4 hex digits met twice in one CI run
    type,
    phone: ACCOUNT_PHONE,
    listId: list.id,
    credentials: fakeCredentials(type, fake),
    settings: settingsSchema.parse(settings),
  });
  if (recontactTemplate) {
    await storeApprovedTemplate(account, recontactTemplate.name, recontactTemplate.language, recontactTemplate.parameters?.length ?? 0);
    account = await patchAccount(account, { settings: { recontactTemplate } });
  }
  const agent = await createAgent({
    username: `agent-${hex(4)}`,
    fullName: 'Ada Agent',
    typology: 'webrtc',
    voicemail: false,
    remoteControl: false,
    role: 'agent',
    disabled: false,
  });
  await addMember('ACCOUNT', account.id, agent.id);
  const nowMs = Date.now();
  const windowOpenMs = options.windowOpenMs ?? 60 * 60 * 1000;
  const lastInboundAt = new Date(nowMs + windowOpenMs - 24 * 60 * 60 * 1000).toISOString();
  const interaction: Interaction = {
    id: ulid(),
    accountId: account.id,
    channel,
    contactId: ulid(),
    contactPhone: CUSTOMER_PHONE,
    listId: list.id,
    status: 'open',
    createdAt: lastInboundAt,
    updatedAt: lastInboundAt,
    lastInboundAt,
    ...(channel === 'whatsapp'
      ? { windowExpiresAt: new Date(nowMs + windowOpenMs).toISOString(), sessionExpiresAt: new Date(nowMs + windowOpenMs).toISOString() }
      : {}),
    messageCount: 1,
    unread: 1,
    version: 1,
    agentId: agent.id,
  };
  const outcome = await openWithInbound({
    interaction,
    message: {
      interactionId: interaction.id,
      id: ulid(),
      direction: 'in',
      text: 'Hello, is my order ready?',
      media: [],
      parts: [{ type: 'text', text: 'Hello, is my order ready?' }],
      providerMessageId: `in-${hex(8)}`,
      receivedAt: lastInboundAt,
      status: 'received',
    },
    pointer: 'none',
  });
  if (outcome !== 'stored') throw new Error(`the interaction was not stored: ${outcome}`);
  return { account, interaction, agent };
}
