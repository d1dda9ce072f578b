/**
 * Media exfiltration and SSRF: the account's credentials go only to the hosts its provider module declares, over
 * https, and nothing is fetched from loopback, private or metadata addresses, directly, by name or by redirect. The
 * fake media host runs on loopback; Twilio's allow-list is pointed at it by configuration (MEDIA_HOSTS_TWILIO), as
 * tests point providers at fakes, while Clickatell keeps its documented allow-list, in force, which refuses loopback.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { eventually, useEngine } from '../support/engine';
import { accountCreateSchema } from '../../shared/admin/account-schema';
import { createAccount, receiveUrl } from '../../shared/admin/accounts';
import { signToken } from '../../shared/http/auth';
import { providerFor } from '../../shared/providers';
import { basicAuthHeader } from '../../shared/providers/util';
import type { ProviderType } from '../../shared/providers/types';
import { getAccount } from '../../shared/store/accounts';
import { createAgent } from '../../shared/store/agents';
import { listInteractionsOf, listMessages } from '../../shared/store/interactions';
import { createList } from '../../shared/store/lists';
import { addMember } from '../../shared/store/memberships';

const twilio = { accountSid: 'AC00000000000000000000000000000002', authToken: 'ssrf-twilio-token' };
const clickatell = { apiKey: 'ssrf-clickatell-api-key', webhookUsername: 'clickatell-hook', webhookPassword: 'clickatell-hook-pass' };
const picture = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 9, 9, 9]);

/** One fake media host on loopback: records what it received, answers by path. */
let fake: Server;
let fakeOrigin = '';
const received: { path: string; headers: IncomingHttpHeaders }[] = [];
let engineOrigin = '';

beforeAll(async () => {
  fake = createServer((req, res) => {
    received.push({ path: req.url ?? '', headers: req.headers });
    if (req.url?.startsWith('/redirect-to-health')) {
      res.writeHead(302, { location: `${engineOrigin}/health` });
      return res.end();
    }
    if (req.url?.startsWith('/redirect-to-localhost')) {
      res.writeHead(302, { location: `http://localhost:${new URL(fakeOrigin).port}/picture.png` });
      return res.end();
    }
    if (req.url?.startsWith('/page.html')) {
      res.writeHead(200, { 'content-type': 'text/html' });
      return res.end('<script>alert(document.cookie)</script>');
    }
    if (req.url?.startsWith('/huge')) {
      res.writeHead(200, { 'content-type': 'video/mp4' });
      return res.end(Buffer.alloc(6 * 1024 * 1024, 1));
    }
    res.writeHead(200, { 'content-type': 'image/png' });
    res.end(picture);
  });
  await new Promise<void>((r) => fake.listen(0, '127.0.0.1', () => r()));
  const address = fake.address();
  fakeOrigin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  process.env.MEDIA_HOSTS_TWILIO = fakeOrigin;
});
afterAll(async () => {
  delete process.env.MEDIA_HOSTS_TWILIO;
  await new Promise<void>((r) => fake.close(() => r()));
});

const engine = useEngine();
beforeAll(() => {
  engineOrigin = engine().httpUrl;
});

interface Desk {
  type: ProviderType;
  accountId: string;
  token: string;
}

const agentFields = { typology: 'webrtc' as const, voicemail: false, remoteControl: false, role: 'agent' as const, disabled: false };
async function desk(type: 'twilio' | 'clickatell'): Promise<Desk> {
  const list = await createList({ name: `${type} media` });
  const account = await createAccount(
    accountCreateSchema.parse({
      channel: 'sms',
      name: `${type} media desk`,
      key: `${type.slice(0, 3).toUpperCase()}${Date.now() % 100000}`,
      type,
      phone: '+14155550123',
      listId: list.id,
      credentials: type === 'twilio' ? twilio : clickatell,
    }),
  );
  const agent = await createAgent({ username: `media${type}${Date.now()}`, fullName: 'Media agent', ...agentFields });
  await addMember('ACCOUNT', account.id, agent.id);
  return { type, accountId: account.id, token: await signToken({ sub: agent.id, username: agent.username, role: 'agent' }) };
}

let seq = 0;
/** Posts a correctly authenticated inbound with one media URL and returns the path that opens it. */
async function inboundWithMedia(d: Desk, url: string, contentType = 'image/png'): Promise<string> {
  const account = (await getAccount(d.accountId))!;
  seq += 1;
  const from = `+3933300${String(seq).padStart(5, '0')}`;
  const request = providerFor(d.type).simulateInbound(
    { url: receiveUrl(account), providerMessageId: `MM${Date.now()}${seq}`.padEnd(34, '0'), from, to: account.phone, text: 'media', media: [{ url, contentType }], timestampMs: Date.now() },
    (d.type === 'twilio' ? twilio : clickatell) as never,
    { id: account.id, channel: account.channel, phone: account.phone, proxyToken: account.proxyToken },
  );
  const res = await fetch(`${engine().httpUrl}${new URL(request.url).pathname}`, { method: 'POST', headers: request.headers, body: request.body });
  expect(res.status).toBe(200);
  const message = await eventually(async () => {
    for (const interaction of await listInteractionsOf(d.accountId)) {
      for (const m of await listMessages(interaction.id)) if (m.media?.[0]?.url === url) return { interactionId: interaction.id, id: m.id };
    }
    throw new Error('not stored yet');
  });
  return `/agent/interactions/${message.interactionId}/messages/${message.id}/media/0`;
}

async function open(path: string, token: string) {
  const res = await fetch(`${engine().httpUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

/** The code of a refused fetch (502 MEDIA_REFUSED), or what came back instead. */
const outcome = (res: { status: number; bytes: Buffer }) => (res.status === 502 ? (JSON.parse(res.bytes.toString()) as { error: { code: string } }).error.code : res.status);

const hits = (path: string) => received.filter((r) => r.path.startsWith(path));

describe('with the documented allow-list in force (Clickatell)', () => {
  it('never sends the API key to a loopback media URL, and fetches nothing from it', async () => {
    const d = await desk('clickatell');
    const path = await inboundWithMedia(d, `${fakeOrigin}/clickatell-exfil`);

    const res = await open(path, d.token);

    expect(res.status).toBe(502);
    expect(JSON.parse(res.bytes.toString()).error.code).toBe('MEDIA_REFUSED');
    expect(hits('/clickatell-exfil')).toHaveLength(0);
    expect(received.some((r) => r.headers.authorization === clickatell.apiKey)).toBe(false);
  });

  it("does not hand the engine's own /health to the agent as media", async () => {
    const d = await desk('clickatell');
    const path = await inboundWithMedia(d, `${engineOrigin}/health`);

    const res = await open(path, d.token);

    expect(outcome(res)).toBe('MEDIA_REFUSED');
    expect(res.bytes.toString()).not.toMatch(/"status"\s*:\s*"ok"/);
  });
});

describe('with Twilio pointed at the fake by configuration', () => {
  it('fetches from the configured host with the Basic credentials, served with nosniff and inline for an image', async () => {
    const d = await desk('twilio');
    const path = await inboundWithMedia(d, `${fakeOrigin}/picture.png`);

    const res = await open(path, d.token);

    expect(res.status).toBe(200);
    expect(res.bytes.equals(picture)).toBe(true);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-disposition')).toMatch(/^inline/);
    expect(hits('/picture.png').at(-1)?.headers.authorization).toBe(basicAuthHeader(twilio.accountSid, twilio.authToken));
  });

  it('serves a non-media type as an attachment, never inline', async () => {
    const d = await desk('twilio');
    const path = await inboundWithMedia(d, `${fakeOrigin}/page.html`, 'text/html');

    const res = await open(path, d.token);

    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('refuses a loopback URL the configuration does not name, by address or by a name that resolves to loopback', async () => {
    const d = await desk('twilio');
    const byName = await inboundWithMedia(d, `http://localhost:${new URL(fakeOrigin).port}/by-name.png`);
    const otherPort = await inboundWithMedia(d, `${engineOrigin}/health`);
    const metadata = await inboundWithMedia(d, 'http://169.254.169.254/latest/meta-data/iam/security-credentials/');

    for (const path of [byName, otherPort, metadata]) expect(outcome(await open(path, d.token))).toBe('MEDIA_REFUSED');
    expect(hits('/by-name.png')).toHaveLength(0);
  });

  it('follows no redirect to a loopback address, and sends no credentials along one', async () => {
    const d = await desk('twilio');
    const toHealth = await inboundWithMedia(d, `${fakeOrigin}/redirect-to-health`);
    const toLocalhost = await inboundWithMedia(d, `${fakeOrigin}/redirect-to-localhost`);

    const a = await open(toHealth, d.token);
    const b = await open(toLocalhost, d.token);

    expect([outcome(a), outcome(b)]).toEqual(['MEDIA_REFUSED', 'MEDIA_REFUSED']);
    expect(a.bytes.toString()).not.toMatch(/"status"\s*:\s*"ok"/);
    expect(hits('/redirect-to-health')).toHaveLength(1);
  });

  it('refuses media over the size cap with 413', async () => {
    const d = await desk('twilio');
    const path = await inboundWithMedia(d, `${fakeOrigin}/huge.mp4`, 'video/mp4');

    expect((await open(path, d.token)).status).toBe(413);
  });
});
