/**
 * The admin console's WhatsApp pages in a real Chromium against a real engine aimed at a fake Meta on loopback: an
 * admin submits a template through the console (a missing variable example first shows the API's 400 beside the
 * examples field), the fake approves it and the console's sync shows it APPROVED; the admin creates a campaign to a
 * five-contact list with a contact field and a fixed text as its variables, starts it, and the campaign's page shows
 * each recipient reach `sent` and then, as Meta's signed status webhooks arrive, `delivered`, `read` or `failed`,
 * with the counts; the status filter and the CSV export work on what it shows. A template Meta rejects by webhook
 * turns REJECTED on the open page with its reason (the `template.status` event), and a campaign's buttons follow its
 * status through pause, an edit while paused, resume and cancel. Screenshots under test-output/console/ (whatsapp-*.png).
 */
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { ADMIN_PASSWORD } from '../support/admin';
import { launchBrowser, newPage, openNewForm, screenshot } from '../support/browser';
import { eventually } from '../support/engine';
import type { RecordedRequest } from '../support/fake-providers';
import {
  addContacts,
  approvedTemplate,
  createTemplate,
  createWhatsAppAccount,
  postMetaWebhook,
  postStatus,
  useWhatsApp,
  type TestAccount,
} from '../support/whatsapp';

jest.setTimeout(180_000);

const env = useWhatsApp();
let browser: Browser;
let admin: Page;
const errors: string[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
  admin = await newPage(browser, errors);
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

const section = (name: string) => admin.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name });
const badge = (name: string) => admin.getByLabel(name, { exact: true });
const count = (status: string) => admin.getByLabel(`${status} recipients`, { exact: true });
async function fieldError(name: string): Promise<string> {
  const id = await admin.getByLabel(name, { exact: true }).getAttribute('aria-describedby');
  return id ? ((await admin.locator(`[id="${id}"]`).textContent()) ?? '') : '';
}

describe('the WhatsApp pages of the admin console', () => {
  let account: TestAccount;
  let phones: string[];
  let templateId: string;
  let campaignId: string;

  beforeAll(async () => {
    account = await createWhatsAppAccount(env(), 'meta');
    phones = await addContacts(env(), account.listId, 5, 500_000, (i) => ({ firstName: `Cliente${i}` }));
  });

  it('submits a template, shows the 400 beside its field, and shows it APPROVED after the provider approves it', async () => {
    await admin.goto(`${env().engine.httpUrl}/console/`);
    await admin.getByLabel('Username').fill('admin');
    await admin.getByLabel('Password').fill(ADMIN_PASSWORD);
    await admin.getByRole('button', { name: 'Sign in' }).click();
    await section('WhatsApp templates').click();
    await openNewForm(admin, 'New template');

    await admin.getByLabel('Account', { exact: true }).selectOption(account.id);
    await admin.getByLabel('Name', { exact: true }).fill('december_offer');
    await admin.getByLabel('Language').fill('it');
    await admin.getByLabel('Header text').fill('Offerta di dicembre');
    await admin.getByLabel('Body text').fill('Ciao {{1}}, il tuo codice è {{2}}.');
    await admin.getByLabel('Footer text').fill('Rispondi STOP per non ricevere più messaggi');
    await admin.getByLabel('Quick reply buttons').fill('Mi interessa');
    // No examples of the body's variables: Meta wants one each, and the API's detail shows beside that field.
    await admin.getByRole('button', { name: 'Submit template' }).click();
    const examples = admin.getByLabel('Examples of the body variables', { exact: true });
    await eventually(async () => expect(await examples.getAttribute('aria-invalid')).toBe('true'), 10_000);
    expect(await fieldError('Examples of the body variables')).toMatch(/example/);
    const none = await env().call('GET', `/admin/whatsapp/templates?accountId=${account.id}`, { token: env().token });
    expect(none.body.items).toHaveLength(0);
    await screenshot(admin, 'whatsapp-01-template-field-error');

    await examples.fill('Maria\nXMAS24');
    await admin.getByRole('button', { name: 'Submit template' }).click();
    await admin.getByRole('heading', { name: 'Template: december_offer' }).waitFor();
    await badge('Status: PENDING').waitFor();
    templateId = decodeURIComponent(admin.url().split('#/')[1]!.split('/')[3]!);
    const stored = await env().call('GET', `/admin/whatsapp/templates/${templateId}`, { token: env().token });
    expect(stored.body).toMatchObject({
      name: 'december_offer',
      language: 'it',
      category: 'MARKETING',
      status: 'PENDING',
      parameters: { header: [], body: ['1', '2'] },
      components: [
        { type: 'HEADER', format: 'TEXT', text: 'Offerta di dicembre' },
        { type: 'BODY', text: 'Ciao {{1}}, il tuo codice è {{2}}.', examples: ['Maria', 'XMAS24'] },
        { type: 'FOOTER' },
        { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'Mi interessa' }] },
      ],
    });
    // The fake Meta received it as Meta's own body.
    const submitted = env().fake.requests.find(
      (r) => r.target === 'meta' && r.method === 'POST' && r.path.endsWith('/message_templates'),
    );
    expect(submitted?.json).toMatchObject({ name: 'december_offer', language: 'it', category: 'MARKETING' });

    // Meta approves it; the console's sync reads the status back.
    env().fake.setTemplateStatus(stored.body.providerTemplateId, 'APPROVED', { quality: 'GREEN' });
    await admin.getByRole('button', { name: 'Sync status' }).click();
    await badge('Status: APPROVED').waitFor();
    await screenshot(admin, 'whatsapp-02-template');

    await section('WhatsApp templates').click();
    const row = admin
      .getByRole('table', { name: 'WhatsApp templates' })
      .getByRole('row')
      .filter({ hasText: 'december_offer' });
    await row.getByLabel('Status: APPROVED').waitFor();
    expect(await row.textContent()).toContain('GREEN');
    await screenshot(admin, 'whatsapp-03-templates');
    expect(errors).toEqual([]);
  });

  it('creates a campaign to five contacts, starts it, and shows each recipient sent and then delivered, read or failed', async () => {
    const before = env().fake.requests.length;
    await section('Campaigns').click();
    await openNewForm(admin, 'New campaign');
    await admin.getByLabel('Name', { exact: true }).fill('December offer');
    await admin.getByLabel('Account', { exact: true }).selectOption(account.id);
    // The template select offers the account's approved templates, the first one chosen.
    await eventually(
      async () => expect(await admin.getByLabel('Template', { exact: true }).inputValue()).toBe(templateId),
      10_000,
    );
    const lists = admin.getByRole('group', { name: 'Contact lists' });
    await lists.getByRole('checkbox').first().check();
    await admin.getByLabel('Variable {{1}} from', { exact: true }).selectOption('field:firstName');
    await admin.getByLabel('Variable {{2}} from', { exact: true }).selectOption('value');
    await admin.getByLabel('Variable {{2}}', { exact: true }).fill('XMAS24');
    await admin.getByLabel('Rate (messages per second)').fill('5');
    await screenshot(admin, 'whatsapp-04-campaign-new');
    await admin.getByRole('button', { name: 'Create campaign' }).click();
    await admin.getByRole('heading', { name: 'Campaign: December offer' }).waitFor();
    campaignId = decodeURIComponent(admin.url().split('#/')[1]!.split('/')[3]!);
    const created = await env().call('GET', `/admin/whatsapp/campaigns/${campaignId}`, { token: env().token });
    expect(created.body).toMatchObject({
      accountId: account.id,
      templateId,
      listIds: [account.listId],
      parameters: { '1': { field: 'firstName' }, '2': { value: 'XMAS24' } },
      ratePerSecond: 5,
      status: 'draft',
    });
    await badge('Status: draft').waitFor();
    // A draft offers Start and Cancel, not Pause or Resume.
    expect(await admin.getByRole('button', { name: 'Pause' }).count()).toBe(0);
    expect(await admin.getByRole('button', { name: 'Resume' }).count()).toBe(0);

    await admin.getByRole('button', { name: 'Start', exact: true }).click();
    // The page reads the campaign while it runs: every recipient shows `sent` as the fake Meta accepts its message.
    const recipients = admin.getByRole('table', { name: 'Recipients' });
    for (const phone of phones) await recipients.getByLabel(`${phone}: sent`).waitFor({ timeout: 60_000 });
    await badge('Status: completed').waitFor({ timeout: 30_000 });
    expect(await count('Sent').textContent()).toBe('5');
    expect(await count('Pending').textContent()).toBe('0');
    expect(await admin.getByRole('button', { name: 'Start', exact: true }).count()).toBe(0);

    const sends = env()
      .fake.requests.slice(before)
      .filter(
        (r) =>
          r.target === 'meta' && r.method === 'POST' && /\/messages$/.test(r.path) && r.answer && r.answer.status < 300,
      );
    expect(sends.map((r) => (r.json as { to: string }).to).sort()).toEqual([...phones].sort());
    const first = sends.find((r) => (r.json as { to: string }).to === phones[0])!;
    expect(first.json).toMatchObject({
      template: {
        name: 'december_offer',
        components: [{ type: 'body', parameters: [{ text: 'Cliente500000' }, { text: 'XMAS24' }] }],
      },
    });

    // Meta's status webhooks: two delivered, one read, one failed, one left at sent.
    const wamid = (r: RecordedRequest) =>
      (JSON.parse(r.answer!.body) as { messages: { id: string }[] }).messages[0]!.id;
    const ref = (r: RecordedRequest) => (r.json as { biz_opaque_callback_data: string }).biz_opaque_callback_data;
    const byPhone = new Map(sends.map((r) => [(r.json as { to: string }).to, r]));
    const plan: [string, 'delivered' | 'read' | 'failed'][] = [
      [phones[0]!, 'delivered'],
      [phones[1]!, 'delivered'],
      [phones[2]!, 'read'],
      [phones[3]!, 'failed'],
    ];
    for (const [phone, status] of plan) {
      const r = byPhone.get(phone)!;
      expect(
        (await postStatus(account, wamid(r), status, ref(r), status === 'failed' ? '131026' : undefined)).status,
      ).toBe(200);
    }
    for (const [phone, status] of plan) await recipients.getByLabel(`${phone}: ${status}`).waitFor({ timeout: 30_000 });
    await recipients.getByLabel(`${phones[4]}: sent`).waitFor();
    await eventually(
      async () => {
        expect(await count('Delivered').textContent()).toBe('2');
        expect(await count('Read').textContent()).toBe('1');
        expect(await count('Failed').textContent()).toBe('1');
        expect(await count('Sent').textContent()).toBe('1');
      },
      10_000,
      200,
    );
    const failedRow = recipients.getByRole('row').filter({ hasText: phones[3]! });
    expect(await failedRow.textContent()).toContain('INVALID_NUMBER');
    await screenshot(admin, 'whatsapp-05-campaign');

    // The recipients' status filter, then the CSV export of every recipient.
    await admin.getByLabel('Recipient status').selectOption('delivered');
    await eventually(async () => expect(await recipients.getByRole('row').count()).toBe(3), 10_000, 200);
    await admin.getByLabel('Recipient status').selectOption('');
    const [download] = await Promise.all([
      admin.waitForEvent('download'),
      admin.getByRole('button', { name: 'Export recipients (CSV)' }).click(),
    ]);
    const lines = readFileSync(await download.path(), 'utf8')
      .trim()
      .split('\n');
    expect(lines[0]).toMatch(/^seq,phone,status,/);
    expect(
      lines
        .slice(1)
        .map((l) => l.split(',').slice(1, 3).join(','))
        .sort(),
    ).toEqual(
      [
        `${phones[0]},delivered`,
        `${phones[1]},delivered`,
        `${phones[2]},read`,
        `${phones[3]},failed`,
        `${phones[4]},sent`,
      ].sort(),
    );

    await section('Campaigns').click();
    const row = admin.getByRole('table', { name: 'Campaigns' }).getByRole('row').filter({ hasText: 'December offer' });
    await row.getByLabel('Status: completed').waitFor();
    expect(await row.textContent()).toContain('5');
    await screenshot(admin, 'whatsapp-06-campaigns');
    expect(errors).toEqual([]);
  });

  it("shows a template Meta rejects by webhook without a reload, and a campaign's buttons through pause, edit, resume and cancel", async () => {
    const template = await createTemplate(env(), account, { name: 'winter_notice' });
    await section('WhatsApp templates').click();
    const row = admin
      .getByRole('table', { name: 'WhatsApp templates' })
      .getByRole('row')
      .filter({ hasText: 'winter_notice' });
    await row.getByLabel('Status: PENDING').waitFor();
    const update = await postMetaWebhook(account, [
      {
        field: 'message_template_status_update',
        value: {
          event: 'REJECTED',
          message_template_id: Number(template.providerTemplateId),
          message_template_name: 'winter_notice',
          message_template_language: 'it',
          reason: 'INVALID_FORMAT',
        },
      },
    ]);
    expect(update.status).toBe(200);
    // Nobody clicks: the engine's template.status event reloads the list.
    await row.getByLabel('Status: REJECTED').waitFor({ timeout: 15_000 });
    expect(await row.textContent()).toContain('INVALID_FORMAT');
    await screenshot(admin, 'whatsapp-07-template-rejected');

    // A slow campaign (one message every 2 s) made through the API: its page's buttons follow its status.
    const approved = await approvedTemplate(env(), account);
    const slow = await env().call('POST', '/admin/whatsapp/campaigns', {
      token: env().token,
      body: {
        accountId: account.id,
        name: 'Slow campaign',
        templateId: approved.id,
        listIds: [account.listId],
        parameters: { '1': { field: 'firstName' }, '2': { value: 'XMAS24' } },
        ratePerSecond: 0.5,
      },
    });
    expect(slow.status).toBe(201);
    await admin.evaluate(`location.hash = '#/admin/whatsapp/campaigns/${slow.body.id}'`);
    await admin.getByRole('heading', { name: 'Campaign: Slow campaign' }).waitFor();
    const button = (name: string) => admin.getByRole('button', { name, exact: true });
    await button('Start').click();
    await badge('Status: running').waitFor();
    await button('Pause').click();
    await badge('Status: paused').waitFor();
    expect(await button('Pause').count()).toBe(0);
    expect(await button('Start').count()).toBe(0);
    await admin.getByText('by an admin').waitFor();

    // Paused, it may be edited: its recipients are written, so only its name, rate and schedule are offered, and a
    // bad time shows the API's 400 beside its field.
    await button('Edit').click();
    const edit = admin.getByRole('form', { name: 'Edit campaign' });
    expect(await edit.getByLabel('Template', { exact: true }).count()).toBe(0);
    expect(await edit.getByLabel('Variable {{1}} from', { exact: true }).count()).toBe(0);
    await edit.getByLabel('Name', { exact: true }).fill('Slow campaign, renamed');
    await edit.getByLabel('Rate (messages per second)').fill('1');
    await edit.getByLabel('Send from (HH:MM)').fill('25:00');
    await edit.getByLabel('Send until (HH:MM)').fill('23:59');
    await edit.getByLabel('Time zone').fill('Europe/Rome');
    await edit.getByRole('button', { name: 'Save' }).click();
    const from = edit.getByLabel('Send from (HH:MM)');
    await eventually(async () => expect(await from.getAttribute('aria-invalid')).toBe('true'), 10_000);
    expect(await fieldError('Send from (HH:MM)')).toMatch(/HH:MM/);
    await from.fill('00:00');
    await edit.getByRole('button', { name: 'Save' }).click();
    await admin.getByRole('heading', { name: 'Campaign: Slow campaign, renamed' }).waitFor();
    const edited = await env().call('GET', `/admin/whatsapp/campaigns/${slow.body.id}`, { token: env().token });
    expect(edited.body).toMatchObject({
      name: 'Slow campaign, renamed',
      ratePerSecond: 1,
      status: 'paused',
      schedule: { window: { from: '00:00', to: '23:59', timeZone: 'Europe/Rome' } },
      parameters: { '1': { field: 'firstName' }, '2': { value: 'XMAS24' } },
    });
    await screenshot(admin, 'whatsapp-08-campaign-paused-edited');

    await button('Resume').click();
    await badge('Status: running').waitFor();
    await button('Cancel campaign').click();
    await button('Confirm: cancel this campaign').click();
    await badge('Status: cancelled').waitFor();
    for (const name of ['Start', 'Pause', 'Resume', 'Cancel campaign', 'Edit'])
      expect(await button(name).count()).toBe(0);
    const stored = await env().call('GET', `/admin/whatsapp/campaigns/${slow.body.id}`, { token: env().token });
    expect(stored.body.status).toBe('cancelled');
    expect(stored.body.counts.total).toBe(5);
    expect(errors).toEqual([]);
  });
});
