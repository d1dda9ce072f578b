/**
 * The supervisor's console in a real Chromium against a real engine: the live board shows a queue's waiting count
 * change from the WebSocket after a signed Twilio webhook, and falls back when the agent (a second page, signed in
 * as the agent) takes the offer; the supervisor finds that interaction with an advanced search, spies it (a new
 * customer message arrives live), adds an internal note the agent sees in its own console, and downloads the
 * transcript zip (unzipped here with fflate: the stored messages and the note are in it). Screenshots of the board,
 * the interactions page with an active search and the spy view go under test-output/console/.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { strFromU8, unzipSync } from 'fflate';
import type { Browser, Page } from 'playwright-core';
import { accountCreateSchema } from '../../shared/admin/account-schema';
import { createAccount, receiveUrl } from '../../shared/admin/accounts';
import { twilioProvider } from '../../shared/providers/twilio';
import type { Account } from '../../shared/store/accounts';
import { createList } from '../../shared/store/lists';
import { addMember } from '../../shared/store/memberships';
import { createQueue, type Queue } from '../../shared/store/queues';
import { createTeam } from '../../shared/store/teams';
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

async function customerWrites(text: string, from = CUSTOMER): Promise<void> {
  const request = twilioProvider.simulateInbound(
    {
      url: receiveUrl(account),
      providerMessageId: `SM${Math.random().toString(16).slice(2).padEnd(32, '0').slice(0, 32)}`,
      from,
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
  const [night] = await Promise.all([createTeam({ name: 'Night shift' }), createTeam({ name: 'Empty team' })]);
  await Promise.all([
    addMember('ACCOUNT', account.id, agent.id),
    addMember('QUEUE', queue.id, agent.id),
    addMember('TEAM', night.id, agent.id),
  ]);
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

    // A team narrows the board to its agents and the queues they serve (GET /supervisor/board?teamId=).
    const team = sup.getByRole('region', { name: 'Live board' }).getByLabel('Team');
    await team.selectOption({ label: 'Empty team' });
    await sup.getByRole('table', { name: 'Agents' }).getByText('No agents').waitFor();
    await sup.getByRole('table', { name: 'Queues' }).getByText('None').waitFor();
    await team.selectOption({ label: 'Night shift' });
    await sup.getByRole('table', { name: 'Agents' }).getByRole('row', { name: 'Ana Agent' }).waitFor();
    await eventually(async () => expect(await queueFigure('in-progress').textContent()).toBe('1'), 15_000);
    await team.selectOption({ label: 'All teams' });
    expect(supErrors).toEqual([]);
    expect(agentErrors).toEqual([]);
  });

  it('finds the interaction with an advanced search, spies it live, adds a note the agent sees, and downloads its transcript', async () => {
    // The agent answers first, so the transcript holds both directions.
    await agentPage.getByRole('textbox', { name: 'Message' }).fill('We are looking into your bill');
    await agentPage.getByRole('button', { name: 'Send' }).click();
    await eventually(
      () => expect(sent.some((f) => f.get('Body') === 'We are looking into your bill')).toBe(true),
      15_000,
    );

    await sup.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Interactions' }).click();
    await sup
      .getByRole('table', { name: 'Interactions' })
      .getByRole('row', { name: `Interaction with ${CUSTOMER}` })
      .waitFor();
    const toggle = sup.getByRole('button', { name: /^Advanced search/ });
    await toggle.click();
    const builder = sup.getByRole('region', { name: 'Advanced search' });
    const add = async (field: string, operator: string, fill: (b: typeof builder) => Promise<unknown>) => {
      await builder.getByLabel('Field').selectOption(field);
      await builder.getByLabel('Operator').selectOption(operator);
      await fill(builder);
      await builder.getByRole('button', { name: 'Add condition' }).click();
    };
    const conditions = builder.getByRole('list', { name: 'Conditions' }).getByRole('listitem');

    // The fields and operators are the API's: contact phone, the agent by name, the channel from its enum values.
    await add('contactPhone', 'equals', (b) => b.getByLabel('Value').fill(CUSTOMER));
    await add('agentId', 'equals', (b) => b.getByLabel('Value').selectOption(agent.id));
    await add('channel', 'equals', (b) => b.getByLabel('Value').selectOption('whatsapp'));
    // Edit the channel condition: it was wrong.
    await conditions.filter({ hasText: 'channel equals whatsapp' }).getByRole('button', { name: 'Edit' }).click();
    await builder.getByLabel('Value').selectOption('sms');
    await builder.getByRole('button', { name: 'Update condition' }).click();
    await conditions.filter({ hasText: 'channel equals sms' }).waitFor();
    // A condition that would exclude it, disabled: it must not count.
    await add('status', 'equals', (b) => b.getByLabel('Value').selectOption('closed'));
    await conditions.filter({ hasText: 'status equals closed' }).getByRole('button', { name: 'Disable' }).click();
    // A bad range: the API's 400 detail shows beside that condition; removing it clears the way.
    await add('startedAt', 'between', async (b) => {
      await b.getByLabel('From value').fill('2026-12-31');
      await b.getByLabel('To value').fill('2026-01-01');
    });
    await builder.getByRole('button', { name: 'Search', exact: true }).click();
    const bad = conditions.filter({ hasText: 'started at between' });
    await expect(bad.getByRole('alert').textContent()).resolves.toContain('low must not be above high');
    await bad.getByRole('button', { name: /^Remove/ }).click();
    await builder.getByRole('button', { name: 'Search', exact: true }).click();

    await eventually(async () => expect(await toggle.textContent()).toBe('Advanced search (3 active)'), 15_000);
    expect(await toggle.getAttribute('class')).toContain('active');
    await sup.locator('table[aria-label="Interactions"][aria-busy="false"]').waitFor();
    await expect(builder.getByRole('alert').count()).resolves.toBe(0);
    await sup.getByRole('status', { name: 'Search status' }).waitFor();
    const rows = sup.getByRole('table', { name: 'Interactions' }).locator('tbody tr');
    await eventually(async () => expect(await rows.count()).toBe(1), 15_000);
    const row = sup.getByRole('row', { name: `Interaction with ${CUSTOMER}` });
    await expect(row.locator('[data-column="agent"]').textContent()).resolves.toBe('Ana Agent');
    await screenshot(sup, 'supervisor-02-interactions-search');

    // Spy: the conversation as the agent sees it, then live.
    await row.getByLabel(`Actions for ${CUSTOMER}`).click();
    await row.getByRole('link', { name: 'Spy' }).click();
    const spy = sup.getByRole('region', { name: `Spying ${CUSTOMER}` });
    await spy.getByRole('status', { name: 'Spy status' }).filter({ hasText: 'Live' }).waitFor({ timeout: 15_000 });
    const spied = spy.getByRole('list', { name: 'Messages' });
    await spied.getByText('Hello, I need help with my bill').waitFor();
    await spied.getByText('We are looking into your bill').waitFor();
    await customerWrites('Are you still there?');
    await spied.getByText('Are you still there?').waitFor({ timeout: 15_000 });

    // An internal note: the agent's console shows it in the conversation.
    await spy.getByLabel(/^Internal note/).fill('Customer is a VIP: waive the late fee');
    await spy.getByRole('button', { name: 'Add note' }).click();
    await spied.getByRole('listitem', { name: 'Internal note' }).filter({ hasText: 'waive the late fee' }).waitFor();
    await agentPage
      .getByRole('list', { name: 'Messages' })
      .getByRole('listitem', { name: 'Internal note' })
      .filter({ hasText: 'Customer is a VIP: waive the late fee' })
      .waitFor({ timeout: 15_000 });
    await screenshot(sup, 'supervisor-03-spy');
    await screenshot(agentPage, 'supervisor-04-agent-sees-note');

    // The transcript zip, fetched with the token and saved through an object URL.
    const [download] = await Promise.all([
      sup.waitForEvent('download'),
      spy.getByRole('button', { name: 'Download transcript' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^transcript-[0-9A-Z]+\.zip$/);
    const zip = unzipSync(new Uint8Array(readFileSync(await download.path())));
    const text = strFromU8(zip['transcript.txt']!);
    expect(text).toContain('Hello, I need help with my bill');
    expect(text).toContain('We are looking into your bill');
    expect(text).toContain('Are you still there?');
    expect(text).toContain('Customer is a VIP: waive the late fee');
    const notes = JSON.parse(strFromU8(zip['notes.json']!)) as { text: string; agentId: string }[];
    expect(notes).toEqual([
      expect.objectContaining({ text: 'Customer is a VIP: waive the late fee', agentId: supervisor.id }),
    ]);

    // With attachments: the same zip (this conversation has no media), asked for with attachments=true.
    const [withAttachments] = await Promise.all([
      sup.waitForEvent('download'),
      spy.getByRole('button', { name: 'Transcript with attachments' }).click(),
    ]);
    const full = unzipSync(new Uint8Array(readFileSync(await withAttachments.path())));
    expect(strFromU8(full['transcript.txt']!)).toContain('Customer is a VIP: waive the late fee');
    expect(supErrors).toEqual([]);
    expect(agentErrors).toEqual([]);
  });

  it('remembers the chosen columns, exports the selected rows as CSV, and deletes after a confirmation', async () => {
    await sup.getByRole('button', { name: '← Interactions' }).click();
    const table = sup.getByRole('table', { name: 'Interactions' });
    const row = table.getByRole('row', { name: `Interaction with ${CUSTOMER}` });
    await row.waitFor();
    // The search is still active after coming back.
    await expect(sup.getByRole('button', { name: /^Advanced search/ }).textContent()).resolves.toBe(
      'Advanced search (3 active)',
    );

    await sup.getByText('Manage columns').click();
    const columns = sup.getByRole('group', { name: 'Columns' });
    await columns.getByLabel('Tags').uncheck();
    await columns.getByLabel('ID').check();
    await sup.reload();
    await sup.getByRole('navigation', { name: 'Sections' }).waitFor();
    await table.getByRole('columnheader', { name: 'ID' }).waitFor();
    await expect(table.getByRole('columnheader', { name: 'Tags' }).count()).resolves.toBe(0);

    const id = (await row.locator('[data-column="id"]').textContent()) ?? '';
    expect(id).toMatch(/^[0-9A-Z]{26}$/);
    await row.getByLabel(`Select ${CUSTOMER}`).check();
    const [csv] = await Promise.all([
      sup.waitForEvent('download'),
      sup.getByRole('button', { name: 'Export selected (CSV)' }).click(),
    ]);
    const body = readFileSync(await csv.path(), 'utf8');
    expect(body.split('\n')[0]).toContain('id');
    expect(body).toContain(id);
    expect(body).toContain(CUSTOMER);

    await sup.getByRole('button', { name: 'Delete selected' }).click();
    const dialog = sup.getByRole('dialog', { name: 'Delete interaction' });
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await dialog.waitFor({ state: 'detached' });
    await row.waitFor({ state: 'detached' });
    await eventually(async () => {
      const res = await api.call('GET', `/admin/interactions/${id}`, { token: supervisor.token });
      expect(res.status).toBe(404);
    });
    expect(supErrors).toEqual([]);
  });

  it('hands a large transcript download to an export job and shows its link when done', async () => {
    // More than the 20 transcripts answered at once: 21 customers write.
    const phones = Array.from({ length: 21 }, (_, i) => `+39333555${String(i).padStart(4, '0')}`);
    await Promise.all(phones.map((p) => customerWrites(`Batch message from ${p}`, p)));
    // The reload above started a fresh page: no search is active, the list filters apply.
    const filters = sup.getByRole('form', { name: 'Filters' });
    await filters.getByLabel('Contact phone').fill('');
    await filters.getByLabel('Account').selectOption({ label: 'Supervised line' });
    await filters.getByRole('button', { name: 'Apply filters' }).click();
    const rows = sup.getByRole('table', { name: 'Interactions' }).locator('tbody tr');
    await eventually(async () => {
      await filters.getByRole('button', { name: 'Apply filters' }).click();
      await sup.locator('table[aria-label="Interactions"][aria-busy="false"]').waitFor();
      expect(await rows.count()).toBe(21);
    }, 30_000);
    await sup.getByLabel('Select all').check();
    await sup.getByRole('button', { name: 'Transcripts of selected' }).click();
    const jobs = sup.getByRole('region', { name: 'Exports' });
    const link = jobs.getByRole('link', { name: /^Download transcripts-/ });
    await link.waitFor({ timeout: 30_000 });
    const [download] = await Promise.all([sup.waitForEvent('download'), link.click()]);
    const zip = unzipSync(new Uint8Array(readFileSync(await download.path())));
    const texts = Object.keys(zip).filter((name) => name.endsWith('/transcript.txt'));
    expect(texts).toHaveLength(21);
    expect(texts.map((name) => strFromU8(zip[name]!)).join('\n')).toContain(`Batch message from ${phones[20]}`);
    expect(supErrors).toEqual([]);
  });

  it("shows neither page to an agent, and forgets the supervisor's list on sign-out", async () => {
    await agentPage.goto(`${api.engine().httpUrl}/console/#/interactions`);
    await agentPage.getByRole('tab', { name: /Mine/ }).waitFor();
    await expect(agentPage.getByRole('link', { name: 'Board' }).count()).resolves.toBe(0);
    await expect(agentPage.getByRole('region', { name: 'Interactions page' }).count()).resolves.toBe(0);

    await sup.getByRole('button', { name: 'Sign out' }).click();
    await signIn(sup, supervisor);
    await sup.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Interactions' }).click();
    await sup.locator('table[aria-label="Interactions"][aria-busy="false"]').waitFor();
    // The account filter chosen before signing out is gone: every account's interactions again.
    await expect(sup.getByRole('form', { name: 'Filters' }).getByLabel('Account').inputValue()).resolves.toBe('');
    await expect(sup.getByRole('region', { name: 'Exports' }).count()).resolves.toBe(0);
    expect(supErrors).toEqual([]);
    expect(agentErrors).toEqual([]);
  });
});
