/**
 * The agent console in a real Chromium against a real engine: an agent signs in, goes online, a signed Twilio webhook
 * arrives and the offer shows the account's notification text, the agent accepts, replies (the fake Twilio gets the
 * reply), sees the delivered status, and closes with a disposition; a WhatsApp conversation whose window has closed
 * shows the recontact-template composer; the console reconnects after the engine drops its socket and catches up.
 * Screenshots of each main screen are written under test-output/console/.
 */
import { createServer, type Server } from 'node:http';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Browser, Page } from 'playwright-core';
import { accountCreateSchema } from '../../shared/admin/account-schema';
import { createAccount, patchAccount, receiveUrl } from '../../shared/admin/accounts';
import { twilioProvider } from '../../shared/providers/twilio';
import { metaProvider } from '../../shared/providers/meta';
import type { HttpRequestSpec } from '../../shared/providers/types';
import type { Account } from '../../shared/store/accounts';
import { createCatalogItem } from '../../shared/store/catalog';
import { db, TABLE } from '../../shared/store/client';
import { keys } from '../../shared/store/keys';
import { createList } from '../../shared/store/lists';
import { addMember } from '../../shared/store/memberships';
import { createQueue } from '../../shared/store/queues';
import { createUser, useAdminApi, USER_PASSWORD, type TestUser } from '../support/admin';
import { launchBrowser, newPage, screenshot } from '../support/browser';
import { eventually } from '../support/engine';
import { storeApprovedTemplate } from '../support/fake-providers';

jest.setTimeout(120_000);

interface Sent {
  path: string;
  form: URLSearchParams;
  sid: string;
}

// A fake Twilio on loopback: every send is recorded and answered with a fresh SID, as Twilio answers.
let fake: Server;
const sent: Sent[] = [];
beforeAll(async () => {
  fake = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const sid = `SM${Math.random().toString(16).slice(2).padEnd(32, '0').slice(0, 32)}`;
      sent.push({ path: req.url ?? '', form: new URLSearchParams(body), sid });
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ sid, status: 'queued' }));
    });
  });
  await new Promise<void>((r) => fake.listen(0, '127.0.0.1', () => r()));
  const address = fake.address();
  process.env.PROVIDER_BASE_URL_TWILIO =
    typeof address === 'object' && address ? `http://127.0.0.1:${address.port}` : '';
});
afterAll(async () => {
  await new Promise<void>((r) => fake.close(() => r()));
});

const api = useAdminApi();
const twilioCredentials = { accountSid: 'AC0123456789abcdef0123456789abcdef', authToken: 'console-test-token' };
const metaCredentials = {
  wabaId: '1029384756',
  accessToken: 'EAAconsole',
  appId: '5647382910',
  appSecret: 'console-app-secret',
  phoneNumberId: '1234509876',
};

let browser: Browser;
let agent: TestUser;
let sms: Account;
let whatsapp: Account;
let page: Page;
const pageErrors: string[] = [];

const messagesList = () => page.getByRole('list', { name: 'Messages' });
const context = (a: Account) => ({ id: a.id, channel: a.channel, phone: a.phone, proxyToken: a.proxyToken });

async function post(request: HttpRequestSpec): Promise<void> {
  const url = new URL(request.url);
  const res = await fetch(`${api.engine().httpUrl}${url.pathname}${url.search}`, {
    method: request.method,
    headers: request.headers,
    body: request.body,
  });
  expect(res.status).toBe(200);
  await res.text();
}

async function customerWrites(from: string, text: string): Promise<void> {
  const providerMessageId = `SM${Math.random().toString(16).slice(2).padEnd(32, '0').slice(0, 32)}`;
  await post(
    twilioProvider.simulateInbound(
      { url: receiveUrl(sms), providerMessageId, from, to: sms.phone, text, timestampMs: Date.now() },
      twilioCredentials,
      context(sms),
    ),
  );
}

beforeAll(async () => {
  browser = await launchBrowser();
  const list = await createList({ name: 'Console customers' });
  const queue = await createQueue({ name: 'Console desk', strategy: 'ring-all' });
  agent = await createUser(api.call, api.admin(), 'agent', { fullName: 'Ada Agent' });
  sms = await createAccount(
    accountCreateSchema.parse({
      channel: 'sms',
      name: 'Support line',
      key: 'SUP',
      type: 'twilio',
      phone: '+14155550199',
      listId: list.id,
      credentials: twilioCredentials,
      settings: {
        routing: [{ type: 'queue', queueId: queue.id, timeoutSeconds: 60 }],
        disposition: { mandatory: true },
      },
    }),
  );
  whatsapp = await createAccount(
    accountCreateSchema.parse({
      channel: 'whatsapp',
      name: 'WhatsApp care',
      key: 'WAC',
      type: 'meta',
      phone: '+14155550198',
      listId: list.id,
      credentials: metaCredentials,
      settings: {
        routing: [{ type: 'queue', queueId: queue.id, timeoutSeconds: 60 }],
      },
    }),
  );
  // The recontact template is one of the account's APPROVED templates.
  await storeApprovedTemplate(whatsapp, 'recontact_v1', 'en_US', 1);
  whatsapp = await patchAccount(whatsapp, { settings: { recontactTemplate: { name: 'recontact_v1', language: 'en_US', parameters: ['Ada'] } } });
  await Promise.all([
    addMember('ACCOUNT', sms.id, agent.id),
    addMember('ACCOUNT', whatsapp.id, agent.id),
    addMember('QUEUE', queue.id, agent.id),
  ]);
  await createCatalogItem('disposition', { accountId: sms.id }, { name: 'Resolved' });
  page = await newPage(browser, pageErrors);
}, 90_000);

afterAll(async () => {
  await browser?.close();
});

describe('the agent console', () => {
  it('is served at /console/ with its content types, caching and a strict CSP', async () => {
    const base = api.engine().httpUrl;
    const index = await fetch(`${base}/console/`);
    const html = await index.text();
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toMatch(/^text\/html/);
    expect(index.headers.get('cache-control')).toBe('no-cache');
    const csp = index.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain(api.engine().wsUrl);
    expect(index.headers.get('x-content-type-options')).toBe('nosniff');
    const script = /src="(app-[0-9a-f]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const js = await fetch(`${base}/console/${script}`);
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(js.headers.get('cache-control')).toContain('immutable');
    await js.arrayBuffer();
    const config = await fetch(`${base}/console/config.json`);
    expect(await config.json()).toEqual({ apiUrl: '', wsUrl: api.engine().wsUrl });
    expect(config.headers.get('cache-control')).toBe('no-store');
    expect((await fetch(`${base}/console/nope.js`)).status).toBe(404);
    expect((await fetch(`${base}/console/`, { method: 'POST' })).status).toBe(405);
  });

  it('signs in, goes online, takes an offer, replies, sees it delivered and closes with a disposition', async () => {
    await page.goto(`${api.engine().httpUrl}/console/`);
    await screenshot(page, '01-sign-in');
    await page.getByLabel('Username').fill(agent.username);
    await page.getByLabel('Password').fill(USER_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByLabel('Presence').waitFor();
    await page.getByRole('status', { name: 'Connection' }).filter({ hasText: 'Connected' }).waitFor();
    await page.getByLabel('Presence').selectOption('online');
    await eventually(async () => {
      const me = await api.call('GET', '/agent/me', { token: agent.token });
      expect(me.body.presence.status).toBe('online');
    });

    await customerWrites('+393331110001', 'Hello, my order is late');
    const offer = page.getByRole('region', { name: 'Offer from +393331110001' });
    await offer.waitFor({ timeout: 15_000 });
    await expect(offer.textContent()).resolves.toContain('Account: Support line');
    await expect(offer.textContent()).resolves.toContain('From: +393331110001');
    await screenshot(page, '02-offer');

    await offer.getByRole('button', { name: 'Accept' }).click();
    await page.getByRole('main', { name: 'Conversation with +393331110001' }).waitFor();
    await messagesList().getByText('Hello, my order is late').waitFor();

    const before = sent.length;
    await page.getByRole('textbox', { name: 'Message' }).fill('Sorry about that, checking now');
    await page.getByRole('button', { name: 'Send' }).click();
    const reply = await eventually(() => {
      const found = sent.slice(before).find((s) => s.form.get('Body') === 'Sorry about that, checking now');
      if (!found) throw new Error('the fake Twilio has not received the reply yet');
      return found;
    }, 15_000);
    expect(reply.form.get('To')).toBe('+393331110001');

    await post(
      twilioProvider.simulateStatus(
        {
          url: `${receiveUrl(sms)}/status`,
          providerMessageId: reply.sid,
          status: 'delivered',
          timestampMs: Date.now(),
        },
        twilioCredentials,
        context(sms),
      ),
    );
    await page.getByLabel('Status: delivered').waitFor({ timeout: 15_000 });
    await screenshot(page, '03-conversation');

    await page.getByRole('button', { name: 'Close', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Close interaction' });
    await dialog.waitFor();
    // The account makes the disposition mandatory: closing without one is refused in the form.
    await dialog.getByRole('button', { name: 'Close interaction' }).click();
    await expect(dialog.isVisible()).resolves.toBe(true);
    await dialog.getByLabel('Disposition').selectOption('Resolved');
    await screenshot(page, '04-close-dialog');
    await dialog.getByRole('button', { name: 'Close interaction' }).click();
    await dialog.waitFor({ state: 'detached' });

    const closed = await eventually(async () => {
      const { body } = await api.call('GET', `/agent/interactions?status=closed&accountId=${sms.id}`, {
        token: agent.token,
      });
      const found = body.items.find((i: { contactPhone: string }) => i.contactPhone === '+393331110001');
      if (!found) throw new Error('not closed yet');
      return found;
    });
    expect(closed.disposition).toBe('Resolved');
    expect(pageErrors).toEqual([]);
  });

  it('switches the composer to the recontact template once the WhatsApp window has closed', async () => {
    await post(
      metaProvider.simulateInbound(
        {
          url: receiveUrl(whatsapp),
          providerMessageId: `wamid.${Date.now()}`,
          from: '+393331110002',
          to: whatsapp.phone,
          text: 'Ciao',
          timestampMs: Date.now(),
        },
        { ...metaCredentials, apiVersion: 'v23.0' },
        context(whatsapp),
      ),
    );
    const offer = page.getByRole('region', { name: 'Offer from +393331110002' });
    await offer.waitFor({ timeout: 15_000 });
    await offer.getByRole('button', { name: 'Accept' }).click();
    await page.getByRole('status', { name: 'WhatsApp window' }).filter({ hasText: 'left' }).waitFor();
    await page.getByRole('textbox', { name: 'Message' }).waitFor();

    // The customer's window closes: the interaction's window expiry passes (the store is the source of truth).
    const { items } = (
      await api.call('GET', `/agent/interactions?accountId=${whatsapp.id}&status=open`, { token: agent.token })
    ).body;
    const interaction = items.find((i: { contactPhone: string }) => i.contactPhone === '+393331110002');
    await db.send(
      new UpdateCommand({
        TableName: TABLE,
        Key: keys.interaction(interaction.id),
        UpdateExpression: 'SET windowExpiresAt = :past, version = version + :one',
        ExpressionAttributeValues: { ':past': new Date(Date.now() - 1000).toISOString(), ':one': 1 },
      }),
    );
    await page.reload();
    await page.getByRole('tab', { name: /Mine/ }).click();
    await page.getByRole('button', { name: /\+393331110002/ }).click();
    await page.getByRole('status', { name: 'WhatsApp window' }).filter({ hasText: 'Window closed' }).waitFor();
    await page.getByRole('form', { name: 'Recontact template' }).waitFor();
    await expect(page.getByRole('textbox', { name: 'Message' }).count()).resolves.toBe(0);
    await expect(page.getByLabel('Parameter 1').inputValue()).resolves.toBe('Ada');
    await screenshot(page, '05-window-closed');
  });

  it('reconnects after the engine drops its socket and catches up on what it missed', async () => {
    await page.getByRole('status', { name: 'Connection' }).filter({ hasText: 'Connected' }).waitFor();
    // The reload in the previous test closed the agent's socket, which sets it offline; the console restores it.
    await eventually(async () => expect(await page.getByLabel('Presence').inputValue()).toBe('online'), 10_000);
    await customerWrites('+393331110003', 'First message');
    const offer = page.getByRole('region', { name: 'Offer from +393331110003' });
    await offer.waitFor({ timeout: 15_000 });
    await offer.getByRole('button', { name: 'Accept' }).click();
    await messagesList().getByText('First message').waitFor();

    // Drop every socket of this agent, then write while the console is away.
    const mine = [...api.engine().ws.connections.entries()];
    expect(mine.length).toBeGreaterThan(0);
    for (const [, conn] of mine) conn.socket.terminate();
    await customerWrites('+393331110003', 'Written while you were away');

    await page
      .getByRole('status', { name: 'Connection' })
      .filter({ hasText: 'Connected' })
      .waitFor({ timeout: 20_000 });
    await messagesList().getByText('Written while you were away').waitFor({ timeout: 15_000 });
    await screenshot(page, '06-after-reconnect');
    expect(pageErrors).toEqual([]);
  });

  it('returns to sign-in on a 401 and keeps the session across a reload', async () => {
    await page.reload();
    await page.getByLabel('Presence').waitFor();
    // The page's own sessionStorage (this file is compiled without the DOM library).
    await page.evaluate(() => {
      const storage = (
        globalThis as unknown as {
          sessionStorage: { getItem(k: string): string | null; setItem(k: string, v: string): void };
        }
      ).sessionStorage;
      const raw = storage.getItem('switchboard.session');
      if (raw) storage.setItem('switchboard.session', JSON.stringify({ ...JSON.parse(raw), token: 'not-a-token' }));
    });
    await page.reload();
    await page.getByRole('button', { name: 'Sign in' }).waitFor({ timeout: 15_000 });
  });
});
