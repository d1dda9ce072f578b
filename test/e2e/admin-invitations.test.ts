/**
 * Inviting agents by mail (`POST /admin/agents/invitations`): through a real SMTP server on loopback (smtp-server, the
 * local transport) and a fake Amazon SES v2 endpoint (the cloud's), the mail carries a console link whose token sets
 * the password once; without mail configured, without an address, or when the relay refuses, the answer carries the
 * link to copy instead. Unknown ids are a 400 naming the id, and nothing is sent.
 */
import { createServer, type Server } from 'node:http';
import { SMTPServer } from 'smtp-server';
import { reloadConfig } from '../../shared/config';
import { createUser, useAdminApi, unique } from '../support/admin';

jest.setTimeout(60_000);

interface Received {
  from: string;
  to: string[];
  data: string;
}

const mails: Received[] = [];
let refuse = false;
const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  onRcptTo(address, _session, done) {
    if (refuse) return done(Object.assign(new Error('mailbox unavailable'), { responseCode: 550 }));
    done();
  },
  onData(stream, session, done) {
    let data = '';
    stream.on('data', (c: Buffer) => (data += c.toString('utf8')));
    stream.on('end', () => {
      mails.push({
        from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
        to: session.envelope.rcptTo.map((r) => r.address),
        data,
      });
      done();
    });
  },
});

interface SesCall {
  path: string;
  authorization: string;
  body: { FromEmailAddress: string; Destination: { ToAddresses: string[] }; Content: { Simple: { Subject: { Data: string }; Body: { Text: { Data: string } } } } };
}
const sesCalls: SesCall[] = [];
// SES v2 SendEmail is REST JSON: POST /v2/email/outbound-emails, answered with a MessageId.
const ses: Server = createServer((req, res) => {
  let body = '';
  req.on('data', (c: Buffer) => (body += c.toString()));
  req.on('end', () => {
    sesCalls.push({ path: req.url ?? '', authorization: String(req.headers.authorization ?? ''), body: JSON.parse(body) as SesCall['body'] });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ MessageId: `ses-${sesCalls.length}` }));
  });
});

let smtpPort = 0;
beforeAll(async () => {
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', () => r()));
  smtpPort = (smtp.server.address() as { port: number }).port;
  await new Promise<void>((r) => ses.listen(0, '127.0.0.1', () => r()));
});
afterAll(async () => {
  useMail({});
  await new Promise<void>((r) => smtp.close(() => r()));
  await new Promise<void>((r) => ses.close(() => r()));
});

function useMail(env: Partial<Record<'MAIL_TRANSPORT' | 'SMTP_URL' | 'MAIL_FROM' | 'SES_ENDPOINT' | 'CONSOLE_URL', string>>): void {
  for (const k of ['MAIL_TRANSPORT', 'SMTP_URL', 'MAIL_FROM', 'SES_ENDPOINT', 'CONSOLE_URL']) delete process.env[k];
  Object.assign(process.env, env);
  reloadConfig();
}

const api = useAdminApi();
const invite = (ids: string[]) => api.call('POST', '/admin/agents/invitations', { token: api.admin(), body: { ids } });

async function agentWith(email?: string): Promise<{ id: string; username: string }> {
  const user = await createUser(api.call, api.admin(), 'agent', email ? { email } : {});
  return { id: user.id, username: user.username };
}

/** The token of the console link in a mail or an answer: `…/console/#/invitation/<token>`. */
function tokenOf(text: string): string {
  const m = /#\/invitation\/([A-Za-z0-9._-]+)/.exec(text.replace(/=\r?\n/g, ''));
  if (!m?.[1]) throw new Error(`no invitation link in: ${text.slice(0, 500)}`);
  return m[1];
}

async function setPassword(token: string, password: string) {
  return api.call('POST', '/auth/invitation', { body: { token, password } });
}

describe('inviting agents by mail', () => {
  it('mails each selected agent a console link over SMTP that sets its password once', async () => {
    useMail({ SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, MAIL_FROM: 'invites@switchboard.test' });
    const email = `${unique('agent')}@example.test`;
    const agent = await agentWith(email);
    mails.length = 0;

    const res = await invite([agent.id]);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ results: [{ id: agent.id, sent: true, to: email }] });
    expect(res.text).not.toMatch(/invitation\//);

    expect(mails).toHaveLength(1);
    const mail = mails[0]!;
    expect(mail.from).toBe('invites@switchboard.test');
    expect(mail.to).toEqual([email]);
    expect(mail.data).toMatch(/^Subject: Your Switchboard invitation/m);
    expect(mail.data).toContain(agent.username);
    expect(mail.data.replace(/=\r?\n/g, '')).toContain(`${api.engine().httpUrl}/console/#/invitation/`);

    const token = tokenOf(mail.data);
    expect((await setPassword(token, 'Mailed-Pass1')).status).toBe(204);
    expect((await setPassword(token, 'Again-Pass2')).status).toBe(409);
    const login = await api.call('POST', '/auth/login', { body: { username: agent.username, password: 'Mailed-Pass1' } });
    expect(login.status).toBe(200);
  });

  it('a second invitation replaces the first, whose link then fails', async () => {
    useMail({ SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, MAIL_FROM: 'invites@switchboard.test' });
    const agent = await agentWith(`${unique('agent')}@example.test`);
    mails.length = 0;
    await invite([agent.id]);
    await invite([agent.id]);
    expect(mails).toHaveLength(2);
    const [first, second] = mails.map((m) => tokenOf(m.data));
    expect((await setPassword(first!, 'First-Pass1')).status).toBe(409);
    expect((await setPassword(second!, 'Second-Pass1')).status).toBe(204);
  });

  it('answers the link to copy when mail is not configured, the agent has no address, or the relay refuses', async () => {
    const withEmail = await agentWith(`${unique('agent')}@example.test`);
    const without = await agentWith();

    useMail({});
    const unconfigured = await invite([withEmail.id]);
    expect(unconfigured.status).toBe(200);
    expect(unconfigured.body.results[0]).toMatchObject({ id: withEmail.id, sent: false, reason: 'mail-not-configured', expiresIn: 72 * 3600 });
    expect(unconfigured.body.results[0].url).toMatch(/\/console\/#\/invitation\//);

    useMail({ SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, MAIL_FROM: 'invites@switchboard.test', CONSOLE_URL: 'https://console.example.test/console/' });
    mails.length = 0;
    const mixed = await invite([withEmail.id, without.id]);
    expect(mixed.body.results).toEqual([
      { id: withEmail.id, sent: true, to: expect.stringContaining('@example.test') },
      { id: without.id, sent: false, reason: 'no-email', url: expect.stringMatching(/^https:\/\/console\.example\.test\/console\/#\/invitation\//), expiresIn: 72 * 3600 },
    ]);
    expect(mails).toHaveLength(1);
    expect((await setPassword(tokenOf(mixed.body.results[1].url), 'Copied-Pass1')).status).toBe(204);

    refuse = true;
    try {
      const refused = await invite([withEmail.id]);
      expect(refused.status).toBe(200);
      expect(refused.body.results[0]).toMatchObject({ id: withEmail.id, sent: false, reason: 'mail-failed' });
      expect((await setPassword(tokenOf(refused.body.results[0].url), 'Refused-Pass1')).status).toBe(204);
    } finally {
      refuse = false;
    }
  });

  it('sends through Amazon SES v2 when the transport is ses, from the configured identity', async () => {
    const port = (ses.address() as { port: number }).port;
    useMail({ MAIL_TRANSPORT: 'ses', MAIL_FROM: 'invites@switchboard.test', SES_ENDPOINT: `http://127.0.0.1:${port}` });
    const email = `${unique('agent')}@example.test`;
    const agent = await agentWith(email);
    sesCalls.length = 0;
    const res = await invite([agent.id]);
    expect(res.body).toEqual({ results: [{ id: agent.id, sent: true, to: email }] });
    expect(sesCalls).toHaveLength(1);
    const call = sesCalls[0]!;
    expect(call.path).toBe('/v2/email/outbound-emails');
    expect(call.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=local\/\d{8}\/us-east-1\/ses\/aws4_request/);
    expect(call.body.FromEmailAddress).toBe('invites@switchboard.test');
    expect(call.body.Destination.ToAddresses).toEqual([email]);
    expect(call.body.Content.Simple.Subject.Data).toBe('Your Switchboard invitation');
    expect((await setPassword(tokenOf(call.body.Content.Simple.Body.Text.Data), 'Ses-Pass1!')).status).toBe(204);
  });

  it('refuses unknown ids with a 400 naming each, and sends nothing', async () => {
    useMail({ SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, MAIL_FROM: 'invites@switchboard.test' });
    const agent = await agentWith(`${unique('agent')}@example.test`);
    mails.length = 0;
    const res = await invite([agent.id, '01J00000000000000000000000']);
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([{ path: 'body.ids[1]', message: expect.stringContaining('01J00000000000000000000000') }]);
    expect(mails).toHaveLength(0);
    expect((await invite([])).status).toBe(400);
  });

  it('is for admins only', async () => {
    const supervisor = await createUser(api.call, api.admin(), 'supervisor');
    const agent = await agentWith();
    const res = await api.call('POST', '/admin/agents/invitations', { token: supervisor.token, body: { ids: [agent.id] } });
    expect(res.status).toBe(403);
  });
});
