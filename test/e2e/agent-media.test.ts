/**
 * Inbound media is kept as a reference and fetched with the account's credentials only when an agent opens it.
 * The SSRF and exfiltration cases are in media-ssrf.test.ts.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { eventually, useEngine } from '../support/engine';
import { accountCreateSchema } from '../../shared/admin/account-schema';
import { createAccount, receiveUrl } from '../../shared/admin/accounts';
import { signToken } from '../../shared/http/auth';
import { basicAuthHeader } from '../../shared/providers/util';
import { twilioProvider } from '../../shared/providers/twilio';
import { createAgent } from '../../shared/store/agents';
import { listInteractionsOf, listMessages } from '../../shared/store/interactions';
import { createList } from '../../shared/store/lists';
import { addMember } from '../../shared/store/memberships';

const credentials = { accountSid: 'AC00000000000000000000000000000001', authToken: 'media-test-token' };
const picture = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4]);

let mediaServer: Server;
let mediaUrl = '';
const mediaRequests: IncomingMessage[] = [];
beforeAll(async () => {
  mediaServer = createServer((req, res) => {
    mediaRequests.push(req);
    if (req.headers.authorization !== basicAuthHeader(credentials.accountSid, credentials.authToken)) {
      res.writeHead(401);
      return res.end();
    }
    res.writeHead(200, { 'content-type': 'image/png' });
    res.end(picture);
  });
  await new Promise<void>((r) => mediaServer.listen(0, '127.0.0.1', () => r()));
  const address = mediaServer.address();
  const origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  mediaUrl = `${origin}/2010-04-01/Accounts/x/Messages/y/Media/z`;
  // The fake stands in for api.twilio.com: the allow-list is aimed at it, as PROVIDER_BASE_URL_* aims sends at fakes.
  process.env.MEDIA_HOSTS_TWILIO = origin;
});
afterAll(async () => {
  delete process.env.MEDIA_HOSTS_TWILIO;
  await new Promise<void>((r) => mediaServer.close(() => r()));
});

const engine = useEngine();

async function get(path: string, token: string) {
  const res = await fetch(`${engine().httpUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, type: res.headers.get('content-type'), bytes: Buffer.from(await res.arrayBuffer()) };
}

it('fetches an inbound picture with the account credentials only when a member agent opens it', async () => {
  const list = await createList({ name: 'Media customers' });
  const account = await createAccount(
    accountCreateSchema.parse({ channel: 'sms', name: 'Media desk', key: 'MED', type: 'twilio', phone: '+14155550199', listId: list.id, credentials }),
  );
  const agentFields = { typology: 'webrtc' as const, voicemail: false, remoteControl: false, role: 'agent' as const, disabled: false };
  const member = await createAgent({ username: `m${Date.now()}`, fullName: 'Member', ...agentFields });
  const stranger = await createAgent({ username: `s${Date.now()}`, fullName: 'Stranger', ...agentFields });
  await addMember('ACCOUNT', account.id, member.id);
  const memberToken = await signToken({ sub: member.id, username: member.username, role: 'agent' });
  const strangerToken = await signToken({ sub: stranger.id, username: stranger.username, role: 'agent' });

  const request = twilioProvider.simulateInbound(
    {
      url: receiveUrl(account),
      providerMessageId: 'MM0123456789abcdef0123456789abcdef',
      from: '+393331112222',
      to: account.phone,
      text: 'see the photo',
      media: [{ url: mediaUrl, contentType: 'image/png' }],
      timestampMs: Date.now(),
    },
    credentials,
    { id: account.id, channel: account.channel, phone: account.phone, proxyToken: account.proxyToken },
  );
  const res = await fetch(`${engine().httpUrl}${new URL(request.url).pathname}`, { method: 'POST', headers: request.headers, body: request.body });
  expect(res.status).toBe(200);
  const [interaction] = await eventually(async () => {
    const found = await listInteractionsOf(account.id);
    if (!found.length) throw new Error('not stored yet');
    return found;
  });
  const [message] = await listMessages(interaction!.id);
  expect(message!.media).toEqual([{ url: mediaUrl, contentType: 'image/png' }]);
  expect(mediaRequests).toHaveLength(0); // stored as a reference, not fetched

  const path = `/agent/interactions/${interaction!.id}/messages/${message!.id}/media/0`;
  const opened = await get(path, memberToken);
  expect(opened).toMatchObject({ status: 200, type: 'image/png' });
  expect(opened.bytes.equals(picture)).toBe(true);
  expect(mediaRequests).toHaveLength(1);

  expect((await get(path, strangerToken)).status).toBe(404);
  expect((await get(path.replace(/0$/, '1'), memberToken)).status).toBe(404);
  expect(mediaRequests).toHaveLength(1);
});
