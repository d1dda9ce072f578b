/**
 * The admin pages of the console in a real Chromium against a real engine: an admin creates a list, a queue, an
 * agent, a Twilio account (its credential fields drawn from the API's published schema) and a routing plan with a
 * queue step entirely through the console; the new agent sets its password through the invitation link the console
 * shows and signs in on a second page; a signed Twilio webhook to the receive URL the console shows then reaches
 * that agent as an offer. Along the way a form submitted with a bad value shows the API's 400 detail beside the
 * field, the routing editor reorders and removes steps, the accounts list runs an advanced search, hides a column,
 * exports and bulk-deletes, a list imports contacts from CSV, and with SMTP configured (a real SMTP server on
 * loopback) the invitation is mailed to the agent with an address and the link shown for the one without.
 * Screenshots of each main admin page go under test-output/console/.
 */
import { readFileSync } from 'node:fs';
import { SMTPServer } from 'smtp-server';
import { reloadConfig } from '../../shared/config';
import type { Browser, Locator, Page } from 'playwright-core';
import { twilioProvider } from '../../shared/providers/twilio';
import type { HttpRequestSpec } from '../../shared/providers/types';
import { ADMIN_PASSWORD, credentialsFor, useAdminApi } from '../support/admin';
import { launchBrowser, newPage, openNewForm, screenshot } from '../support/browser';
import { eventually } from '../support/engine';

jest.setTimeout(150_000);

const api = useAdminApi();
const twilio = { accountSid: 'AC00112233445566778899aabbccddeeff', authToken: 'admin-console-token' };
const AGENT_PASSWORD = 'Grace-Pass1!';

let browser: Browser;
let admin: Page;
const errors: string[] = [];

// The list's page as a table row and a field by its label, the way a person finds them.
const row = (page: Page, table: string, text: string) =>
  page.getByRole('table', { name: table }).getByRole('row').filter({ hasText: text });
async function fieldError(page: Page, field: Locator): Promise<string> {
  const id = await field.getAttribute('aria-describedby');
  return id ? ((await page.locator(`[id="${id}"]`).textContent()) ?? '') : '';
}

async function open(page: Page, hash: string): Promise<void> {
  await page.evaluate(`location.hash = ${JSON.stringify(hash)}`);
}

async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.goto(`${api.engine().httpUrl}/console/`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByLabel('Presence').waitFor();
}

/** Creates through the "New <noun>" form of a page and waits for the item's edit page. */
async function create(page: string, noun: string, fill: () => Promise<void>): Promise<string> {
  await open(admin, `#/admin/${page}`);
  await admin.getByRole('button', { name: `New ${noun}` }).click();
  await fill();
  await admin.getByRole('button', { name: `Create ${noun}` }).click();
  await admin.getByRole('heading', { name: new RegExp(`^${noun}: `, 'i') }).waitFor();
  return decodeURIComponent(admin.url().split('#/')[1]!.split('/')[2]!);
}

beforeAll(async () => {
  browser = await launchBrowser();
  admin = await newPage(browser, errors);
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

describe('the admin console', () => {
  let listId: string;
  let queueId: string;
  let agentId: string;
  let accountId: string;
  let invitationUrl: string;
  let receiveUrl: string;

  it('creates a list, a queue and an agent, and shows the agent an invitation link to copy', async () => {
    await signIn(admin, 'admin', ADMIN_PASSWORD);
    await admin.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Accounts' }).waitFor();

    listId = await create('lists', 'list', () => admin.getByLabel('Name').fill('Admin console customers'));
    await screenshot(admin, 'admin-01-list');

    queueId = await create('queues', 'queue', async () => {
      await admin.getByLabel('Name').fill('Admin console desk');
      await admin.getByLabel('Strategy').selectOption('ring-all');
    });

    // A bad value: the API's 400 detail shows beside the field it names, and nothing is created.
    await open(admin, '#/admin/agents/new');
    await admin.getByLabel('Full name').fill('Grace Agent');
    await admin.getByLabel('Username').fill('grace');
    await admin.getByLabel('SMS capacity').fill('99');
    await admin.getByRole('button', { name: 'Create agent' }).click();
    const capacity = admin.getByLabel('SMS capacity');
    await eventually(async () => expect(await capacity.getAttribute('aria-invalid')).toBe('true'), 10_000);
    expect(await fieldError(admin, capacity)).toMatch(/50/);
    await screenshot(admin, 'admin-02-agent-field-error');
    const none = await api.call('GET', '/admin/agents?q=grace', { token: api.admin() });
    expect(none.body.items).toHaveLength(0);

    await capacity.fill('2');
    await admin.getByRole('button', { name: 'Create agent' }).click();
    await admin.getByRole('heading', { name: 'Agent: Grace Agent' }).waitFor();
    agentId = decodeURIComponent(admin.url().split('#/')[1]!.split('/')[2]!);
    const stored = await api.call('GET', `/admin/agents/${agentId}`, { token: api.admin() });
    expect(stored.body).toMatchObject({ username: 'grace', capacity: { sms: 2 }, passwordSet: false });

    // The agents list: select the agent, send the invitation; without mail the console shows the link to copy.
    await open(admin, '#/admin/agents');
    await row(admin, 'Agents', 'grace').getByRole('checkbox').check();
    await admin.getByRole('button', { name: 'Send invitation' }).click();
    const link = admin.getByLabel('Invitation link for Grace Agent');
    await link.waitFor();
    invitationUrl = await link.inputValue();
    expect(invitationUrl).toMatch(/#\/invitation\//);
    await admin.getByRole('region', { name: 'Invitations' }).getByRole('button', { name: 'Copy link' }).waitFor();
    await screenshot(admin, 'admin-03-agents');

    // The queue's members: the agent joins it on the queue's page.
    await open(admin, `#/admin/queues/${queueId}`);
    const members = admin.getByRole('region', { name: 'Agents of this queue' });
    await members.getByLabel('Add agent').selectOption({ label: 'Grace Agent (grace)' });
    await members.getByRole('button', { name: 'Add', exact: true }).click();
    await members.getByText('Grace Agent (grace)').waitFor();
    await screenshot(admin, 'admin-04-queue');
  });

  it('creates a Twilio account from the published schema, with the receive URL, its agent and a routing plan', async () => {
    await open(admin, '#/admin/accounts');
    await openNewForm(admin, 'New account');
    await admin.getByLabel('Name', { exact: true }).fill('Admin console line');
    await admin.getByLabel('Key').fill('ACL');
    await admin.getByLabel('Channel').selectOption('sms');
    await admin.getByLabel('Provider', { exact: true }).selectOption('twilio');
    await admin.getByLabel('List', { exact: true }).selectOption(listId);
    // The credential fields are Twilio's own, from GET /openapi.json (AccountCreate_twilio).
    await admin.getByLabel('Account SID').fill(twilio.accountSid);
    await admin.getByLabel('Auth token').fill(twilio.authToken);
    await admin.getByLabel('Messaging service SID').waitFor();
    // Not a phone number: the API's detail shows beside the Phone field.
    await admin.getByLabel('Phone', { exact: true }).fill('not-a-phone');
    await admin.getByRole('button', { name: 'Create account' }).click();
    const phone = admin.getByLabel('Phone', { exact: true });
    await eventually(async () => expect(await phone.getAttribute('aria-invalid')).toBe('true'), 10_000);
    expect(await fieldError(admin, phone)).toContain('not a phone number');
    await screenshot(admin, 'admin-05-account-new');

    await phone.fill('+14155550177');
    await admin.getByRole('button', { name: 'Create account' }).click();
    await admin.getByRole('heading', { name: 'Account: Admin console line' }).waitFor();
    accountId = decodeURIComponent(admin.url().split('#/')[1]!.split('/')[2]!);
    receiveUrl = await admin.getByLabel('Receive URL').inputValue();
    expect(receiveUrl).toContain(`/webhooks/${accountId}/`);
    await admin.getByRole('button', { name: 'Copy receive URL' }).waitFor();
    await screenshot(admin, 'admin-06-account-general');

    // The routing plan: one queue step.
    await admin
      .getByRole('navigation', { name: 'Sections of this item' })
      .getByRole('link', { name: 'Routing' })
      .click();
    await admin.getByRole('button', { name: 'Add queue step' }).click();
    const step = admin.getByRole('listitem', { name: 'Step 1: queue' });
    await step.getByLabel('Queue').selectOption({ label: 'Admin console desk' });
    await step.getByLabel('Timeout (seconds)').fill('120');
    await admin.getByRole('button', { name: 'Save routing' }).click();
    await eventually(async () => {
      const { body } = await api.call('GET', `/admin/accounts/${accountId}`, { token: api.admin() });
      expect(body.settings.routing).toEqual([{ type: 'queue', queueId, timeoutSeconds: 120 }]);
    }, 10_000);

    // A longer plan: steps added, reordered and removed; a bad timeout shows the API's detail beside that step's field.
    await admin.getByRole('button', { name: 'Add close step' }).click();
    await admin.getByRole('button', { name: 'Add automatic reply step' }).click();
    await admin
      .getByRole('listitem', { name: 'Step 3: autoreply' })
      .getByLabel('Reply text')
      .fill('An agent will answer shortly');
    await admin.getByRole('button', { name: 'Move step 3 up' }).click();
    await admin.getByRole('listitem', { name: 'Step 2: autoreply' }).waitFor();
    const first = admin.getByRole('listitem', { name: 'Step 1: queue' });
    await first.getByLabel('Timeout (seconds)').fill('0');
    await admin.getByRole('button', { name: 'Save routing' }).click();
    await expect(first.getByRole('alert').textContent()).resolves.toMatch(/1/);
    await screenshot(admin, 'admin-07-account-routing-error');
    await first.getByLabel('Timeout (seconds)').fill('120');
    await admin.getByRole('button', { name: 'Remove step 3' }).click();
    await admin.getByRole('button', { name: 'Save routing' }).click();
    await eventually(async () => {
      const { body } = await api.call('GET', `/admin/accounts/${accountId}`, { token: api.admin() });
      expect(body.settings.routing).toEqual([
        { type: 'queue', queueId, timeoutSeconds: 120 },
        { type: 'autoreply', text: 'An agent will answer shortly' },
      ]);
    }, 10_000);
    await screenshot(admin, 'admin-07-account-routing');

    // The notification template with its live preview.
    await open(admin, `#/admin/accounts/${accountId}/notification`);
    const template = admin.getByLabel('Template');
    await template.fill('New chat on {{account.name}} from {{contact.mobile}}');
    await expect(admin.getByRole('figure', { name: 'Notification preview' }).textContent()).resolves.toContain(
      'New chat on Admin console line from +393331234567',
    );
    await admin.getByRole('button', { name: 'Save' }).click();
    await eventually(async () => {
      const { body } = await api.call('GET', `/admin/accounts/${accountId}`, { token: api.admin() });
      expect(body.settings.notification).toMatchObject({
        template: 'New chat on {{account.name}} from {{contact.mobile}}',
        sound: true,
      });
    }, 10_000);
    await screenshot(admin, 'admin-08-account-notification');

    // The account's agents.
    await open(admin, `#/admin/accounts/${accountId}/agents`);
    const agents = admin.getByRole('region', { name: 'Agents of this account' });
    await agents.getByLabel('Add agent').selectOption({ label: 'Grace Agent (grace)' });
    await agents.getByRole('button', { name: 'Add', exact: true }).click();
    await agents.getByText('Grace Agent (grace)').waitFor();
    const members = await api.call('GET', `/admin/accounts/${accountId}/agents`, { token: api.admin() });
    expect(members.body.agentIds).toEqual([agentId]);
  });

  it('draws a provider it has never heard of from the document the API publishes', async () => {
    // The engine's own /openapi.json with one more AccountCreate variant: the console needs no change to offer it.
    const page = await newPage(browser, errors);
    // Without animation frames Preact runs effects 100 ms after a render, so the choice below is made before the form's
    // effects see the providers: a default picked after load must not replace what the user already chose.
    await page.addInitScript(() => {
      (globalThis as unknown as { requestAnimationFrame: () => number }).requestAnimationFrame = () => 0;
    });
    await page.route('**/openapi.json', async (route) => {
      const res = await route.fetch();
      const doc = (await res.json()) as {
        components: { schemas: Record<string, { oneOf?: { $ref: string }[]; properties?: Record<string, unknown> }> };
      };
      const schemas = doc.components.schemas;
      const twilioVariant = schemas.AccountCreate_twilio!;
      schemas.AccountCreate_acme = {
        ...twilioVariant,
        properties: {
          ...twilioVariant.properties,
          type: { const: 'acme' },
          channel: { enum: ['sms'] },
          credentials: {
            type: 'object',
            properties: {
              tenantId: { type: 'string' },
              signingSecret: { type: 'string' },
              region: { type: 'string', enum: ['eu', 'us'] },
            },
            required: ['tenantId'],
          },
        },
      };
      schemas.AccountCreate!.oneOf!.push({ $ref: '#/components/schemas/AccountCreate_acme' });
      await route.fulfill({ response: res, json: doc });
    });
    await signIn(page, 'admin', ADMIN_PASSWORD);
    await open(page, '#/admin/accounts/new');
    await page.getByLabel('Provider', { exact: true }).selectOption('acme');
    await page.getByLabel('Tenant ID').waitFor();
    await page.getByLabel('Signing secret').waitFor();
    await expect(page.getByLabel('Region').locator('option').allTextContents()).resolves.toEqual(['—', 'eu', 'us']);
    await expect(page.getByLabel('Account SID').count()).resolves.toBe(0);
    await screenshot(page, 'admin-05-account-new-unknown-provider');
    await page.context().close();
  });

  it('sends a signed Twilio webhook to that receive URL and the new agent is offered it', async () => {
    // The agent opens the invitation link the console showed, sets its password there, then signs in with it.
    const agentPage = await newPage(browser, errors);
    const link = new URL(invitationUrl);
    await agentPage.goto(`${api.engine().httpUrl}${link.pathname}${link.hash}`);
    await agentPage.getByLabel('New password').fill(AGENT_PASSWORD);
    await agentPage.getByLabel('Repeat it').fill(AGENT_PASSWORD);
    await agentPage.getByRole('button', { name: 'Set password' }).click();
    await agentPage.getByRole('button', { name: 'Sign in' }).waitFor();
    await agentPage.getByLabel('Username').fill('grace');
    await agentPage.getByLabel('Password').fill(AGENT_PASSWORD);
    await agentPage.getByRole('button', { name: 'Sign in' }).click();
    await agentPage.getByLabel('Presence').waitFor();
    await agentPage.getByRole('status', { name: 'Connection' }).filter({ hasText: 'Connected' }).waitFor();
    await agentPage.getByLabel('Presence').selectOption('online');
    await eventually(async () => {
      const login = await api.call('POST', '/auth/login', { body: { username: 'grace', password: AGENT_PASSWORD } });
      const me = await api.call('GET', '/agent/me', { token: login.body.token });
      expect(me.body.presence.status).toBe('online');
    }, 10_000);

    const { body: account } = await api.call('GET', `/admin/accounts/${accountId}`, { token: api.admin() });
    const request: HttpRequestSpec = twilioProvider.simulateInbound(
      {
        url: receiveUrl,
        providerMessageId: `SM${'ab12'.repeat(8)}`,
        from: '+393337770001',
        to: account.phone,
        text: 'Hello from the admin test',
        timestampMs: Date.now(),
      },
      twilio,
      { id: account.id, channel: account.channel, phone: account.phone, proxyToken: account.proxyToken },
    );
    const url = new URL(request.url);
    const res = await fetch(`${api.engine().httpUrl}${url.pathname}${url.search}`, {
      method: request.method,
      headers: request.headers,
      body: request.body,
    });
    expect(res.status).toBe(200);
    const offer = agentPage.getByRole('region', { name: 'Offer from +393337770001' });
    await offer.waitFor({ timeout: 20_000 });
    await expect(offer.textContent()).resolves.toContain('New chat on Admin console line from +393337770001');
    await screenshot(agentPage, 'admin-09-agent-offer');
    await agentPage.context().close();
  });

  it('searches, exports and bulk-deletes accounts from the list', async () => {
    const list = listId;
    const spare = await api.call('POST', '/admin/accounts', {
      token: api.admin(),
      body: {
        channel: 'sms',
        name: 'Spare line',
        key: 'SPR',
        type: 'twilio',
        phone: '+14155550178',
        listId: list,
        credentials: credentialsFor('twilio'),
      },
    });
    expect(spare.status).toBe(201);
    await open(admin, '#/admin/accounts');
    await row(admin, 'Accounts', 'Spare line').waitFor();
    await row(admin, 'Accounts', 'Admin console line').waitFor();

    // The advanced search: name contains "console".
    await admin.getByRole('button', { name: 'Advanced search' }).click();
    const builder = admin.getByRole('region', { name: 'Advanced search' });
    await builder.getByLabel('Field').selectOption('name');
    await builder.getByLabel('Operator').selectOption('contains');
    await builder.getByLabel('Value').fill('console');
    await builder.getByRole('button', { name: 'Add condition' }).click();
    await builder
      .getByRole('list', { name: 'Conditions' })
      .getByRole('listitem', { name: 'name contains console' })
      .waitFor();
    await builder.getByRole('button', { name: 'Search', exact: true }).click();
    await admin.getByRole('button', { name: 'Advanced search (1 active)' }).waitFor();
    await eventually(async () => expect(await row(admin, 'Accounts', 'Spare line').count()).toBe(0), 10_000);
    await row(admin, 'Accounts', 'Admin console line').waitFor();
    await screenshot(admin, 'admin-10-accounts-search');
    await builder.getByRole('button', { name: 'Remove all conditions' }).click();
    await row(admin, 'Accounts', 'Spare line').waitFor();

    // Manage columns: a column hidden leaves the table.
    const phoneHeader = admin.getByRole('table', { name: 'Accounts' }).getByRole('columnheader', { name: 'Phone' });
    await phoneHeader.waitFor();
    await admin.locator('summary', { hasText: 'Columns' }).click();
    await admin.getByRole('group', { name: 'Columns shown' }).getByLabel('Phone').uncheck();
    await phoneHeader.waitFor({ state: 'detached' });
    await admin.locator('summary', { hasText: 'Columns' }).click();

    // Export the selected rows as CSV.
    await row(admin, 'Accounts', 'Admin console line').getByRole('checkbox').check();
    const [download] = await Promise.all([
      admin.waitForEvent('download'),
      admin.getByRole('button', { name: 'Export to CSV' }).click(),
    ]);
    const csv = readFileSync(await download.path(), 'utf8');
    expect(csv).toContain('Admin console line');
    expect(csv).not.toContain(twilio.authToken);
    await row(admin, 'Accounts', 'Admin console line').getByRole('checkbox').uncheck();

    // Bulk delete asks once more in place, then deletes only what is selected.
    await row(admin, 'Accounts', 'Spare line').getByRole('checkbox').check();
    await admin.getByRole('button', { name: 'Delete selected' }).click();
    await admin.getByRole('button', { name: 'Confirm: delete 1 account' }).click();
    await eventually(async () => expect(await row(admin, 'Accounts', 'Spare line').count()).toBe(0), 10_000);
    expect((await api.call('GET', `/admin/accounts/${spare.body.id}`, { token: api.admin() })).status).toBe(404);
    expect((await api.call('GET', `/admin/accounts/${accountId}`, { token: api.admin() })).status).toBe(200);
    await screenshot(admin, 'admin-11-accounts');
  });

  it('imports contacts from CSV into a list and manages teams and the catalog', async () => {
    await open(admin, `#/admin/lists/${listId}`);
    const input = admin.getByLabel('CSV file');
    await input.setInputFiles({
      name: 'contacts.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(
        'phone,firstName,lastName,email,tier\n+393331112223,Maria,Rossi,maria@example.com,gold\n"+393331112224","Luca","Bianchi",,silver\nnot-a-phone,Bad,Row,,\n',
      ),
    });
    await admin.getByText('2 imported, 1 refused').waitFor({ timeout: 15_000 });
    await admin.getByText(/Line 4: phone/).waitFor();
    const contacts = admin.getByRole('table', { name: 'Contacts' });
    await contacts.getByRole('row').filter({ hasText: 'Maria' }).waitFor();
    await contacts.getByRole('row').filter({ hasText: 'Luca' }).waitFor();
    const stored = await api.call('GET', `/admin/lists/${listId}/contacts?q=Maria`, { token: api.admin() });
    expect(stored.body.items[0]).toMatchObject({
      phone: '+393331112223',
      firstName: 'Maria',
      email: 'maria@example.com',
    });
    await screenshot(admin, 'admin-12-list-contacts');

    // The account's whitelist: the list associated, the filter on, the reply to others set.
    await open(admin, `#/admin/accounts/${accountId}/whitelist`);
    await admin.getByRole('group', { name: 'Whitelist lists' }).getByLabel('Admin console customers').check();
    await admin.getByLabel('Only contacts of the whitelist lists may write').check();
    await admin.getByLabel('Automatic reply to others').fill('This number serves customers only');
    await admin.getByRole('button', { name: 'Save' }).click();
    await eventually(async () => {
      const { body } = await api.call('GET', `/admin/accounts/${accountId}/whitelist`, { token: api.admin() });
      expect(body).toMatchObject({ enabled: true, listIds: [listId], autoReply: 'This number serves customers only' });
    }, 10_000);
    await screenshot(admin, 'admin-13-account-whitelist');

    await create('teams', 'team', () => admin.getByLabel('Name').fill('Night shift'));
    await screenshot(admin, 'admin-14-team');

    await open(admin, '#/admin/dispositions/general');
    await openNewForm(admin, 'New disposition');
    await admin.getByLabel('Name').fill('Solved');
    await admin.getByRole('button', { name: 'Create disposition' }).click();
    await admin.getByRole('heading', { name: 'Disposition: Solved' }).waitFor();
    await open(admin, '#/admin/dispositions/general');
    await row(admin, 'Dispositions', 'Solved').waitFor();
    await screenshot(admin, 'admin-15-dispositions');

    await open(admin, `#/admin/canned-answers/${accountId}`);
    await openNewForm(admin, 'New canned answer');
    await admin.getByLabel('Name').fill('Greeting');
    await admin.getByLabel('Text').fill('Hello, how can I help?');
    await admin.getByLabel('Shortcut').fill('bad shortcut!');
    await admin.getByRole('button', { name: 'Create canned answer' }).click();
    const shortcut = admin.getByLabel('Shortcut');
    await eventually(async () => expect(await shortcut.getAttribute('aria-invalid')).toBe('true'), 10_000);
    await shortcut.fill('hello');
    await admin.getByRole('button', { name: 'Create canned answer' }).click();
    await admin.getByRole('heading', { name: 'Canned answer: Greeting' }).waitFor();
    const canned = await api.call('GET', `/admin/accounts/${accountId}/canned-answers`, { token: api.admin() });
    expect(canned.body.items).toEqual([expect.objectContaining({ name: 'Greeting', shortcut: 'hello' })]);
    await screenshot(admin, 'admin-16-canned-answer');
    expect(errors).toEqual([]);
  });
  it('mails the invitations where mail is configured and shows the link of the agent without an address', async () => {
    const mails: { to: string[]; data: string }[] = [];
    const smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, session, done) {
        let data = '';
        stream.on('data', (c: Buffer) => (data += c.toString('utf8')));
        stream.on('end', () => {
          mails.push({ to: session.envelope.rcptTo.map((r) => r.address), data });
          done();
        });
      },
    });
    await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', () => r()));
    try {
      process.env.SMTP_URL = `smtp://127.0.0.1:${(smtp.server.address() as { port: number }).port}`;
      process.env.MAIL_FROM = 'invites@switchboard.test';
      reloadConfig();
      await create('agents', 'agent', async () => {
        await admin.getByLabel('Full name').fill('Ada Mailed');
        await admin.getByLabel('Username').fill('ada.mailed');
        await admin.getByLabel('Email', { exact: true }).fill('ada.mailed@example.test');
      });
      await open(admin, '#/admin/agents');
      await row(admin, 'Agents', 'ada.mailed').getByRole('checkbox').check();
      await row(admin, 'Agents', 'grace').getByRole('checkbox').check();
      await admin.getByRole('button', { name: 'Send invitation' }).click();
      const results = admin.getByRole('region', { name: 'Invitations' });
      await results.getByText('Ada Mailed: invitation sent by email to ada.mailed@example.test').waitFor();
      await results.getByText(/Grace Agent \(not mailed: the agent has no email address\)/).waitFor();
      expect(await results.getByLabel('Invitation link for Grace Agent').inputValue()).toMatch(/#\/invitation\//);
      await expect(results.getByLabel('Invitation link for Ada Mailed').count()).resolves.toBe(0);
      await eventually(() => expect(mails.map((m) => m.to)).toEqual([['ada.mailed@example.test']]), 10_000);
      await screenshot(admin, 'admin-17-invitations-mailed');
    } finally {
      delete process.env.SMTP_URL;
      delete process.env.MAIL_FROM;
      reloadConfig();
      await new Promise<void>((r) => smtp.close(() => r()));
    }
    expect(errors).toEqual([]);
  });
});
