/**
 * The demo tenant (`npm run demo`, `npm start -- --demo`): everything a newcomer needs to see an offer, written
 * through the public HTTP API of the running engine exactly as an admin would write it, then a few customer
 * messages posted as their providers would post them (signed webhooks), waiting in the queue for the first agent
 * who comes online. Its Twilio and Meta accounts send to the built-in fake provider (./demo-provider.ts).
 */
import { randomBytes } from 'node:crypto';
import { providerFor } from '../../shared/providers';

export interface DemoLogin {
  role: 'admin' | 'supervisor' | 'agent';
  username: string;
  password: string;
}

export interface DemoTenant {
  consoleUrl: string;
  logins: DemoLogin[];
  accounts: { id: string; name: string; type: string; channel: string; phone: string }[];
  queueId: string;
  /** The interactions the simulated customers opened, waiting in the queue. */
  interactionIds: string[];
}

interface Api {
  (method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: Record<string, unknown> }>;
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/** A password the policy accepts: upper and lower case, a digit and one of its special characters. */
export function demoPassword(): string {
  return `Demo-${randomBytes(6).toString('base64url').replace(/[-_]/g, 'x')}7a`;
}

function client(httpUrl: string): Api {
  return async (method, path, body, token) => {
    const res = await fetch(`${httpUrl}${path}`, {
      method,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await res.text();
    return { status: res.status, body: text && (res.headers.get('content-type') ?? '').includes('json') ? (JSON.parse(text) as Record<string, unknown>) : {} };
  };
}

async function expectOk<T = Record<string, unknown>>(what: string, call: Promise<{ status: number; body: Record<string, unknown> }>): Promise<T> {
  const res = await call;
  if (res.status >= 300) throw new Error(`demo: ${what} answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body as T;
}

const CUSTOMERS = [
  { account: 0, from: '+14155550142', text: 'Hi, my parcel has not arrived yet. Order 4711.' },
  { account: 1, from: '+393471234501', text: 'Buongiorno! Can I change the delivery address?' },
  { account: 0, from: '+14155550177', text: 'Do you open on Sunday?' },
];

export async function seedDemo(options: { httpUrl: string; baseUrl: string; adminPassword: string; log?: (line: string) => void }): Promise<DemoTenant> {
  const api = client(options.httpUrl);
  const { token } = await expectOk<{ token: string }>('admin login', api('POST', '/auth/login', { username: 'admin', password: options.adminPassword }));
  const admin = (method: string, path: string, body?: unknown) => api(method, path, body, token);

  const suffix = hex(2);
  const list = await expectOk<{ id: string }>('the list', admin('POST', '/admin/lists', { name: `Demo customers ${suffix}` }));
  const logins: DemoLogin[] = [{ role: 'admin', username: 'admin', password: options.adminPassword }];
  const users: { id: string; login: DemoLogin }[] = [];
  for (const [role, username, fullName] of [
    ['supervisor', `demo_supervisor_${suffix}`, 'Sam Supervisor'],
    ['agent', `demo_agent1_${suffix}`, 'Ada Agent'],
    ['agent', `demo_agent2_${suffix}`, 'Bo Agent'],
  ] as const) {
    const password = demoPassword();
    const user = await expectOk<{ id: string }>(`the ${role} ${username}`, admin('POST', '/admin/agents', { username, fullName, role, password }));
    const login = { role, username, password };
    users.push({ id: user.id, login });
    logins.push(login);
  }
  const agents = users.filter((u) => u.login.role === 'agent');
  const queue = await expectOk<{ id: string }>('the queue', admin('POST', '/admin/queues', { name: `Demo support ${suffix}`, strategy: 'ring-all', offerTimeoutSeconds: 60 }));
  for (const a of agents) await expectOk('a queue member', admin('PUT', `/admin/queues/${queue.id}/agents/${a.id}`));

  // The routing plan: offer to the queue's online members for five minutes; then it waits unassigned.
  const routing = [{ type: 'queue', queueId: queue.id, timeoutSeconds: 300 }];
  const specs = [
    {
      channel: 'sms',
      type: 'twilio',
      name: 'Demo SMS (Twilio)',
      key: `S${suffix}`.slice(0, 5).toUpperCase(),
      phone: '+14155550100',
      credentials: { accountSid: `AC${hex(16)}`, authToken: hex(16) },
    },
    {
      channel: 'whatsapp',
      type: 'meta',
      name: 'Demo WhatsApp (Meta)',
      key: `W${suffix}`.slice(0, 5).toUpperCase(),
      phone: '+14155550101',
      credentials: { wabaId: `1${hex(7)}`.replace(/[a-f]/g, '1'), accessToken: `EAA${hex(24)}`, appId: '100000000000001', appSecret: hex(16), phoneNumberId: '100000000000002' },
    },
  ] as const;
  const accounts: { id: string; name: string; type: string; channel: string; phone: string; proxyToken: string; credentials: Record<string, string> }[] = [];
  for (const spec of specs) {
    const account = await expectOk<{ id: string; proxyToken: string; phone: string }>(
      `the ${spec.type} account`,
      admin('POST', '/admin/accounts', { ...spec, listId: list.id, settings: { routing, transfer: { enabled: true } } }),
    );
    for (const a of agents) await expectOk('an account member', admin('PUT', `/admin/accounts/${account.id}/agents/${a.id}`));
    accounts.push({ id: account.id, name: spec.name, type: spec.type, channel: spec.channel, phone: account.phone, proxyToken: account.proxyToken, credentials: spec.credentials });
  }

  // The customers write: signed webhooks in each provider's own format, as `npm run simulate` sends them.
  for (const customer of CUSTOMERS) {
    const account = accounts[customer.account]!;
    const provider = providerFor(account.type as never);
    const publicUrl = `${options.baseUrl.replace(/\/+$/, '')}/webhooks/${account.id}/${account.proxyToken}`;
    const request = provider.simulateInbound(
      { url: publicUrl, providerMessageId: account.type === 'twilio' ? `SM${hex(16)}` : `wamid.${randomBytes(24).toString('base64url')}`, from: customer.from, to: account.phone, text: customer.text, timestampMs: Date.now() },
      account.credentials as never,
      { id: account.id, channel: account.channel as 'sms' | 'whatsapp', phone: account.phone, proxyToken: account.proxyToken },
    );
    const signed = new URL(request.url);
    const res = await fetch(`${options.httpUrl}${signed.pathname}${signed.search}`, {
      method: request.method,
      headers: request.headers,
      ...(request.body !== undefined ? { body: request.body } : {}),
      signal: AbortSignal.timeout(15_000),
    });
    if (res.status >= 300) throw new Error(`demo: the ${account.type} webhook answered ${res.status}: ${await res.text()}`);
    options.log?.(`demo: ${customer.from} wrote to ${account.name}: ${JSON.stringify(customer.text)}`);
  }

  // Wait for the inbound processor: each message opens an interaction that waits in the queue.
  const deadline = Date.now() + 30_000;
  let interactionIds: string[] = [];
  for (;;) {
    const ids: string[] = [];
    for (const account of accounts) {
      const page = await expectOk<{ items: { id: string }[] }>('the interactions', admin('GET', `/agent/interactions?status=open&accountId=${account.id}`));
      ids.push(...page.items.map((i) => i.id));
    }
    interactionIds = ids;
    if (ids.length >= CUSTOMERS.length) break;
    if (Date.now() > deadline) throw new Error(`demo: only ${ids.length} of ${CUSTOMERS.length} customer messages became interactions within 30 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    consoleUrl: `${options.httpUrl}/console/`,
    logins,
    accounts: accounts.map(({ id, name, type, channel, phone }) => ({ id, name, type, channel, phone })),
    queueId: queue.id,
    interactionIds,
  };
}

/** What the demo prints: where to go, who to be, what happens next. */
export function describeDemo(tenant: DemoTenant, providerUrl: string): string {
  const width = Math.max(...tenant.logins.map((l) => l.username.length));
  return [
    '',
    'Demo tenant ready (in memory: nothing is kept when the engine stops)',
    `  console      ${tenant.consoleUrl}`,
    ...tenant.logins.map((l) => `  ${l.role.padEnd(11)}  ${l.username.padEnd(width)}  password ${l.password}`),
    ...tenant.accounts.map((a) => `  account      ${a.name} ${a.phone} (id ${a.id})`),
    `  queue        ${tenant.queueId}, ring-all to both agents`,
    `  waiting      ${tenant.interactionIds.length} customer conversations`,
    '',
    'Open the console, sign in as one of the agents and set yourself Online: the waiting conversations are offered',
    'at once. Accept one and reply; the supervisor sees the board. Replies go to the built-in fake provider at',
    `${providerUrl} (nothing leaves this machine).`,
    '',
  ].join('\n');
}
