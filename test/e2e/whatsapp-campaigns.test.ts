/**
 * WhatsApp campaigns end to end on the local engine with fake Meta, Kaleyra and Twilio servers: a 500-recipient
 * campaign sent at its rate with exact per-recipient statuses from delivery webhooks, the lifecycle (start, pause,
 * resume, cancel, editing refused while running), the automatic pause on Meta's 131048 and on a paused template,
 * skips (duplicates across lists, invalid numbers, opted out), the window a delivered template opens and the reply
 * that routes the interaction, and the send shapes of Kaleyra and Twilio.
 */
import type WebSocket from 'ws';
import { createUser, unique } from '../support/admin';
import { closeSocket, eventually, nextMessage, openSocket } from '../support/engine';
import { addContacts, approvedTemplate, createWhatsAppAccount, postInbound, postMetaWebhook, postStatus, useWhatsApp, type TestAccount, type WhatsAppEnv } from '../support/whatsapp';
import type { RecordedRequest } from '../support/fake-providers';

// The machine is shared: completion gets generous deadlines; the rate is checked as an upper bound (the bench measures
// it). On a quiet machine the 500-recipient case takes its nominal 25 s plus a few seconds of set-up and webhooks.
jest.setTimeout(300_000);

const env = useWhatsApp();
const sockets: WebSocket[] = [];
afterAll(async () => {
  await Promise.all(sockets.map(closeSocket));
});

/** The template sends the fake received for this account's number (Meta: one per request). */
function sendsOf(e: WhatsAppEnv, target: 'meta' | 'kaleyra' | 'twilio', since = 0): RecordedRequest[] {
  return e.fake.requests.slice(since).filter((r) => r.target === target && r.method === 'POST' && /\/messages(\.json)?$/i.test(r.path) && r.answer && r.answer.status < 300);
}
const metaTo = (r: RecordedRequest) => (r.json as { to: string }).to;

async function campaign(e: WhatsAppEnv, account: TestAccount, templateId: string, listIds: string[], extra: Record<string, unknown> = {}) {
  const res = await e.call('POST', '/admin/whatsapp/campaigns', {
    token: e.token,
    body: { accountId: account.id, name: unique('campaign'), templateId, listIds, parameters: { '1': { field: 'firstName' }, '2': { value: 'XMAS24' } }, ...extra },
  });
  if (res.status !== 201) throw new Error(`creating the campaign answered ${res.status}: ${res.text}`);
  return res.body as { id: string; status: string };
}

const get = async (e: WhatsAppEnv, id: string) => (await e.call('GET', `/admin/whatsapp/campaigns/${id}`, { token: e.token })).body;
const action = (e: WhatsAppEnv, id: string, what: string) => e.call('POST', `/admin/whatsapp/campaigns/${id}/${what}`, { token: e.token });
const untilStatus = (e: WhatsAppEnv, id: string, status: string, timeoutMs = 60_000) =>
  eventually(async () => {
    const c = await get(e, id);
    if (c.status !== status) throw new Error(`campaign is ${c.status}, counts ${JSON.stringify(c.counts)}`);
    return c;
  }, timeoutMs, 1000);

const RATE = 20;

describe('a 500-recipient campaign', () => {
  it('is sent at its rate, once per recipient, with exact statuses from the delivery webhooks', async () => {
    const e = env();
    const account = await createWhatsAppAccount(e, 'meta');
    const template = await approvedTemplate(e, account);
    const phones = await addContacts(e, account.listId, 500, 100_000);
    const before = e.fake.requests.length;
    const c = await campaign(e, account, template.id, [account.listId], { ratePerSecond: RATE });
    expect(c.status).toBe('draft');
    expect((await action(e, c.id, 'start')).body.status).toBe('running');
    const done = await untilStatus(e, c.id, 'completed', 240_000);
    expect(done.counts).toMatchObject({ total: 500, pending: 0, sent: 500, skipped: 0, failed: 0 });

    const sends = sendsOf(e, 'meta', before);
    expect(sends).toHaveLength(500);
    expect(new Set(sends.map(metaTo))).toEqual(new Set(phones));
    // Paced: never faster than the limit (5% over, plus the one-tick start); a loaded machine may be slower.
    const seconds = (sends[sends.length - 1]!.at - sends[0]!.at) / 1000;
    const rate = (sends.length - RATE) / seconds;
    expect(rate).toBeLessThanOrEqual(RATE * 1.05);
    // The template with the contact's own parameter.
    const first = sends.find((r) => metaTo(r) === phones[0])!.json as Record<string, unknown>;
    expect(first).toMatchObject({
      type: 'template',
      template: { name: template.name, language: { code: 'it' }, components: [{ type: 'body', parameters: [{ type: 'text', text: 'Cliente100000' }, { type: 'text', text: 'XMAS24' }] }] },
    });

    // Delivery webhooks: 350 delivered, 50 read (their read webhooks come alone, with no delivered first), 30 failed,
    // 70 left at sent.
    const wamid = (r: RecordedRequest) => (JSON.parse(r.answer!.body) as { messages: { id: string }[] }).messages[0]!.id;
    const ref = (r: RecordedRequest) => (r.json as { biz_opaque_callback_data: string }).biz_opaque_callback_data;
    const plan = sends.map((r, i) => ({ r, to: i < 350 ? 'delivered' : i < 400 ? 'read' : i < 430 ? 'failed' : 'sent' }));
    for (let i = 0; i < plan.length; i += 25) {
      await Promise.all(
        plan.slice(i, i + 25).map(async ({ r, to }) => {
          if (to === 'sent') return;
          const res = await postStatus(account, wamid(r), to as 'delivered' | 'read' | 'failed', ref(r), to === 'failed' ? '131026' : undefined);
          expect(res.status).toBe(200);
        }),
      );
    }
    const counts = await eventually(async () => {
      const now = await get(e, c.id);
      expect(now.counts).toMatchObject({ sent: 70, delivered: 350, read: 50, failed: 30, pending: 0 });
      return now.counts;
    }, 120_000, 500);
    expect(counts.total).toBe(500);

    const failed = await e.call('GET', `/admin/whatsapp/campaigns/${c.id}/recipients?status=failed&limit=100`, { token: e.token });
    expect(failed.body.items).toHaveLength(30);
    // Meta's 131026 in the one error vocabulary, its own code kept at the head of the message.
    expect(failed.body.items.every((r: { status: string; errorCode: string; errorMessage: string }) => r.status === 'failed' && r.errorCode === 'INVALID_NUMBER' && r.errorMessage.startsWith('131026'))).toBe(true);
    const page = await e.call('GET', `/admin/whatsapp/campaigns/${c.id}/recipients?limit=200`, { token: e.token });
    expect(page.body.items).toHaveLength(200);
    expect(page.body.nextCursor).toEqual(expect.any(String));
    const csv = await e.call('GET', `/admin/whatsapp/campaigns/${c.id}/recipients/export?status=read`, { token: e.token });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const lines = csv.text.trim().split('\n');
    expect(lines[0]).toBe('seq,phone,status,skipReason,errorCode,errorMessage,providerMessageId,sentAt,deliveredAt,readAt,repliedAt,failedAt,listId,contactId');
    expect(lines).toHaveLength(51);
    expect(lines.slice(1).every((l) => l.split(',')[2] === 'read')).toBe(true);
  });
});

describe('lifecycle', () => {
  it('pauses (nothing more is sent) and resumes to the end, each recipient once', async () => {
    const e = env();
    const account = await createWhatsAppAccount(e, 'meta');
    const template = await approvedTemplate(e, account);
    const phones = await addContacts(e, account.listId, 60, 200_000);
    const before = e.fake.requests.length;
    const c = await campaign(e, account, template.id, [account.listId], { ratePerSecond: 10 });
    await action(e, c.id, 'start');
    await eventually(() => expect(sendsOf(e, 'meta', before).length).toBeGreaterThanOrEqual(15), 30_000, 100);
    const paused = await action(e, c.id, 'pause');
    expect(paused.body.status).toBe('paused');
    // Editing the schedule is fine while paused; running campaigns refuse it.
    expect((await e.call('PATCH', `/admin/whatsapp/campaigns/${c.id}`, { token: e.token, body: { name: 'renamed' } })).status).toBe(200);
    // What the sender had already taken settles (a loaded machine may take a while); then nothing more goes out.
    let atPause = -1;
    for (let i = 0; i < 30 && atPause !== sendsOf(e, 'meta', before).length; i++) {
      atPause = sendsOf(e, 'meta', before).length;
      await new Promise((r) => setTimeout(r, 2000));
    }
    await new Promise((r) => setTimeout(r, 4000));
    expect(sendsOf(e, 'meta', before).length).toBe(atPause);
    expect(atPause).toBeLessThan(60);

    expect((await action(e, c.id, 'resume')).body.status).toBe('running');
    expect((await e.call('PATCH', `/admin/whatsapp/campaigns/${c.id}`, { token: e.token, body: { name: 'again' } })).status).toBe(409);
    const done = await untilStatus(e, c.id, 'completed', 300_000);
    expect(done.counts).toMatchObject({ total: 60, sent: 60 });
    const sends = sendsOf(e, 'meta', before);
    expect(sends.map(metaTo).sort()).toEqual([...phones].sort());
  });

  it('refuses what the lifecycle does not allow, and names the bad fields', async () => {
    const e = env();
    const account = await createWhatsAppAccount(e, 'meta');
    const template = await approvedTemplate(e, account);
    const missing = await e.call('POST', '/admin/whatsapp/campaigns', { token: e.token, body: { accountId: account.id, name: 'x', templateId: template.id, listIds: [account.listId], parameters: { '1': { field: 'firstName' } } } });
    expect(missing.status).toBe(400);
    expect(missing.body.error.details.map((d: { path: string }) => d.path)).toEqual(['body.parameters.2']);
    const badList = await e.call('POST', '/admin/whatsapp/campaigns', { token: e.token, body: { accountId: account.id, name: 'x', templateId: template.id, listIds: ['nope'], parameters: { '1': { value: 'a' }, '2': { value: 'b' } }, ratePerSecond: -1 } });
    expect(badList.status).toBe(400);
    expect(badList.body.error.details.map((d: { path: string }) => d.path)).toContain('body.ratePerSecond');
    const c = await campaign(e, account, template.id, [account.listId], { rateLimit: 7 });
    // "rate limit" as the issue words it names ratePerSecond, on create and on edit.
    expect((await get(e, c.id)).ratePerSecond).toBe(7);
    const edited = await e.call('PATCH', `/admin/whatsapp/campaigns/${c.id}`, { token: e.token, body: { rateLimit: 9 } });
    expect(edited.body.ratePerSecond).toBe(9);
    expect((await action(e, c.id, 'resume')).status).toBe(409);
    expect((await action(e, c.id, 'cancel')).body.status).toBe('cancelled');
    expect((await action(e, c.id, 'start')).status).toBe(409);
    expect((await e.call('DELETE', `/admin/whatsapp/campaigns/${c.id}`, { token: e.token })).status).toBe(204);

    // Only APPROVED templates can be sent.
    const pending = await e.call('POST', '/admin/whatsapp/templates', { token: e.token, body: { accountId: account.id, name: unique('p_').toLowerCase(), category: 'UTILITY', language: 'it', components: [{ type: 'BODY', text: 'Ciao {{1}} {{2}}', examples: ['a', 'b'] }] } });
    const notApproved = await campaign(e, account, pending.body.id, [account.listId]);
    const refused = await action(e, notApproved.id, 'start');
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('TEMPLATE_NOT_APPROVED');

    const supervisor = await createUser(e.call, e.token, 'supervisor');
    expect((await e.call('GET', `/admin/whatsapp/campaigns/${notApproved.id}`, { token: supervisor.token })).status).toBe(200);
    expect((await e.call('POST', `/admin/whatsapp/campaigns/${notApproved.id}/start`, { token: supervisor.token })).status).toBe(403);
  });

  it('waits for its start time and sends only inside its daily window', async () => {
    const e = env();
    const account = await createWhatsAppAccount(e, 'meta');
    const template = await approvedTemplate(e, account);
    await addContacts(e, account.listId, 3, 300_000);
    const startAt = new Date(Date.now() + 6_000).toISOString();
    const c = await campaign(e, account, template.id, [account.listId], { schedule: { startAt } });
    expect((await action(e, c.id, 'start')).body.status).toBe('scheduled');
    const done = await untilStatus(e, c.id, 'completed', 120_000);
    expect(Date.parse(done.startedAt)).toBeGreaterThanOrEqual(Date.parse(startAt));

    // A window that is shut right now (it opened and closed an hour ago): nothing goes out.
    const shut = new Date(Date.now() - 3600_000);
    const hhmm = (d: Date) => `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
    const later = await campaign(e, account, template.id, [account.listId], { schedule: { window: { from: hhmm(shut), to: hhmm(new Date(shut.getTime() + 60_000)), timeZone: 'UTC' } } });
    const before = e.fake.requests.length;
    await action(e, later.id, 'start');
    await new Promise((r) => setTimeout(r, 3000));
    expect(sendsOf(e, 'meta', before)).toHaveLength(0);
    expect((await get(e, later.id)).counts).toMatchObject({ total: 3, pending: 3 });
    await action(e, later.id, 'cancel');
  });
});

describe('automatic pauses', () => {
  it("pauses on Meta's 131048 (spam restriction) and tells the admins; resumed, it finishes without doubling anyone", async () => {
    const e = env();
    const account = await createWhatsAppAccount(e, 'meta');
    const template = await approvedTemplate(e, account);
    const phones = await addContacts(e, account.listId, 30, 400_000);
    const ws = await openSocket(`${e.engine.wsUrl}/?token=${e.token}`);
    sockets.push(ws);
    const told = nextMessage<{ type: string; code: string; campaignId: string }>(ws, (m) => m.type === 'campaign.paused', 240_000);
    const before = e.fake.requests.length;
    const c = await campaign(e, account, template.id, [account.listId], { ratePerSecond: 10 });
    await action(e, c.id, 'start');
    await eventually(() => expect(sendsOf(e, 'meta', before).length).toBeGreaterThanOrEqual(5), 120_000, 50);
    e.fake.failNext('meta', 1, 'spam-restricted');
    const paused = await untilStatus(e, c.id, 'paused', 120_000);
    expect(paused.pause).toMatchObject({ code: 'SPAM_RESTRICTED', automatic: true });
    expect(await told).toMatchObject({ type: 'campaign.paused', code: 'SPAM_RESTRICTED', campaignId: c.id });

    await action(e, c.id, 'resume');
    await untilStatus(e, c.id, 'completed', 300_000);
    const sends = sendsOf(e, 'meta', before);
    expect(sends.map(metaTo).sort()).toEqual([...phones].sort());
  });

  it("retries a recipient Meta refused for the pair rate (131056) alone and later, and slows the whole campaign on 130429", async () => {
    const e = env();
    const account = await createWhatsAppAccount(e, 'meta');
    const template = await approvedTemplate(e, account);
    const phones = await addContacts(e, account.listId, 30, 450_000);
    const before = e.fake.requests.length;
    const attemptsTo = (phone: string) => e.fake.requests.slice(before).filter((r) => r.target === 'meta' && r.method === 'POST' && r.path.endsWith('/messages') && metaTo(r) === phone);
    const pairPhone = phones[3]!;
    const slowPhone = phones[25]!;
    e.fake.failNext('meta', 1, 'pair-rate', 1, (r) => r.path.endsWith('/messages') && metaTo(r) === pairPhone);
    const c = await campaign(e, account, template.id, [account.listId], { ratePerSecond: 10 });
    await action(e, c.id, 'start');
    await eventually(() => expect(attemptsTo(pairPhone)).toHaveLength(1), 60_000, 50);
    // The pair rate is that one user's: the campaign does not slow down for it.
    expect((await get(e, c.id)).slowedDownAt).toBeUndefined();
    e.fake.failNext('meta', 1, 'rate-limited', 2, (r) => r.path.endsWith('/messages') && metaTo(r) === slowPhone);
    const done = await untilStatus(e, c.id, 'completed', 240_000);
    expect(done.counts).toMatchObject({ total: 30, sent: 30, failed: 0 });
    // 130429 (HTTP 429): the campaign's pace halved, and that message went again after the provider's Retry-After.
    expect(done.slowedDownAt).toEqual(expect.any(String));
    const slow = attemptsTo(slowPhone);
    expect(slow.map((r) => r.answer?.status)).toEqual([429, 200]);
    expect(slow[1]!.at - slow[0]!.at).toBeGreaterThanOrEqual(1900);
    // 131056: retried for that recipient only, after Meta's pair-rate interval, while the others went on.
    const pair = attemptsTo(pairPhone);
    expect(pair.map((r) => r.answer?.status)).toEqual([400, 200]);
    expect(pair[1]!.at - pair[0]!.at).toBeGreaterThanOrEqual(5900);
    const between = sendsOf(e, 'meta', before).filter((r) => r.at > pair[0]!.at && r.at < pair[1]!.at && metaTo(r) !== pairPhone);
    expect(between.length).toBeGreaterThan(0);
    // Once each.
    expect(sendsOf(e, 'meta', before).map(metaTo).sort()).toEqual([...phones].sort());
  });

  it.each(['PAUSED', 'DISABLED'])('pauses when its template is %s by Meta, and cannot resume until the template is APPROVED again', async (status) => {
    const e = env();
    const account = await createWhatsAppAccount(e, 'meta');
    const template = await approvedTemplate(e, account);
    await addContacts(e, account.listId, 40, 500_000);
    const c = await campaign(e, account, template.id, [account.listId], { ratePerSecond: 5 });
    await action(e, c.id, 'start');
    const update = (event: string) =>
      postMetaWebhook(account, [{ field: 'message_template_status_update', value: { event, message_template_id: Number(template.providerTemplateId), message_template_name: template.name, message_template_language: 'it', reason: 'NONE' } }]);
    expect((await update(status)).status).toBe(200);
    const paused = await untilStatus(e, c.id, 'paused', 120_000);
    expect(paused.pause).toMatchObject({ code: `TEMPLATE_${status}`, automatic: true });
    expect((await action(e, c.id, 'resume')).status).toBe(409);
    expect((await update('APPROVED')).status).toBe(200);
    await eventually(async () => expect((await action(e, c.id, 'resume')).status).toBe(200), 60_000, 500);
    await action(e, c.id, 'cancel');
  });
  it("pauses when Meta's quality update drops its template to RED, and tells the admins", async () => {
    const e = env();
    const account = await createWhatsAppAccount(e, 'meta');
    const template = await approvedTemplate(e, account);
    await addContacts(e, account.listId, 40, 700_000);
    const ws = await openSocket(`${e.engine.wsUrl}/?token=${e.token}`);
    sockets.push(ws);
    const c = await campaign(e, account, template.id, [account.listId], { ratePerSecond: 5 });
    const told = nextMessage<{ type: string; code: string; campaignId: string }>(ws, (m) => m.type === 'campaign.paused' && m.campaignId === c.id, 120_000);
    await action(e, c.id, 'start');
    const quality = await postMetaWebhook(account, [
      { field: 'message_template_quality_update', value: { previous_quality_score: 'GREEN', new_quality_score: 'RED', message_template_id: Number(template.providerTemplateId), message_template_name: template.name, message_template_language: 'it' } },
    ]);
    expect(quality.status).toBe(200);
    const paused = await untilStatus(e, c.id, 'paused', 120_000);
    expect(paused.pause).toMatchObject({ code: 'TEMPLATE_QUALITY', automatic: true });
    expect(await told).toMatchObject({ type: 'campaign.paused', code: 'TEMPLATE_QUALITY', campaignId: c.id });
    await action(e, c.id, 'cancel');
  });
});

describe('recipients', () => {
  it('skips duplicates across lists, invalid numbers and opted-out contacts, and says why', async () => {
    const e = env();
    const account = await createWhatsAppAccount(e, 'meta');
    const template = await approvedTemplate(e, account);
    const other = (await e.call('POST', '/admin/lists', { token: e.token, body: { name: unique('list') } })).body.id as string;
    const phones = await addContacts(e, account.listId, 4, 600_000);
    await addContacts(e, other, 2, 600_000); // the first two again
    await addContacts(e, other, 1, 600_100);
    // The third contact opts out, in Italian, before the campaign.
    expect((await postInbound(account, phones[2]!, ' Annulla! ')).status).toBe(200);
    const c0 = await campaign(e, account, template.id, [account.listId]);
    await eventually(async () => {
      const c = await e.call('GET', '/admin/whatsapp/campaigns?status=draft', { token: e.token });
      expect(c.status).toBe(200);
    });
    await new Promise((r) => setTimeout(r, 500)); // the opt-out is processed off the queue
    await action(e, c0.id, 'cancel');
    const c = await campaign(e, account, template.id, [account.listId, other]);
    await action(e, c.id, 'start');
    const done = await untilStatus(e, c.id, 'completed', 120_000);
    expect(done.counts).toMatchObject({ total: 7, sent: 4, skipped: 3 });
    const skipped = await e.call('GET', `/admin/whatsapp/campaigns/${c.id}/recipients?status=skipped`, { token: e.token });
    expect(skipped.body.items.map((r: { phone: string; skipReason: string }) => [r.phone, r.skipReason]).sort()).toEqual(
      [
        [phones[2], 'opted-out'],
        [phones[0], 'duplicate'],
        [phones[1], 'duplicate'],
      ].sort(),
    );
  });

  it("opts out on the account's own configured keywords instead of the defaults", async () => {
    const e = env();
    const account = await createWhatsAppAccount(e, 'meta', { optOut: { enabled: true, keywords: ['BASTA'] } });
    const template = await approvedTemplate(e, account);
    const phones = await addContacts(e, account.listId, 3, 800_000);
    expect((await postInbound(account, phones[0]!, 'basta.')).status).toBe(200);
    // STOP is a default keyword, not one of this account's.
    expect((await postInbound(account, phones[1]!, 'STOP')).status).toBe(200);
    await e.engine.idle(30_000);
    const c = await campaign(e, account, template.id, [account.listId]);
    await action(e, c.id, 'start');
    const done = await untilStatus(e, c.id, 'completed', 120_000);
    expect(done.counts).toMatchObject({ total: 3, sent: 2, skipped: 1 });
    const skipped = await e.call('GET', `/admin/whatsapp/campaigns/${c.id}/recipients?status=skipped`, { token: e.token });
    expect(skipped.body.items.map((r: { phone: string; skipReason: string }) => [r.phone, r.skipReason])).toEqual([[phones[0], 'opted-out']]);
  });

  it('a delivered template opens the 24 h window; the reply routes the interaction and the agent sees the campaign', async () => {
    const e = env();
    const account = await createWhatsAppAccount(e, 'meta');
    const template = await approvedTemplate(e, account);
    const [phone] = await addContacts(e, account.listId, 1, 700_000);
    const agent = await createUser(e.call, e.token, 'agent');
    await e.call('PUT', `/admin/accounts/${account.id}/agents/${agent.id}`, { token: e.token });
    const before = e.fake.requests.length;
    const c = await campaign(e, account, template.id, [account.listId]);
    await action(e, c.id, 'start');
    await untilStatus(e, c.id, 'completed', 120_000);
    const [send] = sendsOf(e, 'meta', before);
    const wamid = (JSON.parse(send!.answer!.body) as { messages: { id: string }[] }).messages[0]!.id;
    const [recipient] = (await e.call('GET', `/admin/whatsapp/campaigns/${c.id}/recipients`, { token: e.token })).body.items;
    const interactionId = recipient.interactionId as string;

    const deliveredAt = Date.now();
    await postStatus(account, wamid, 'delivered', (send!.json as { biz_opaque_callback_data: string }).biz_opaque_callback_data);
    const view = await eventually(async () => {
      const res = await e.call('GET', `/agent/interactions/${interactionId}`, { token: e.token });
      expect(res.body.windowExpiresAt).toEqual(expect.any(String));
      return res.body;
    }, 60_000, 200);
    const window = Date.parse(view.windowExpiresAt) - deliveredAt;
    expect(Math.abs(window - 24 * 3600_000)).toBeLessThan(60_000);
    expect(view.campaign).toMatchObject({ id: c.id, templateId: template.id, templateName: template.name });

    const ws = await openSocket(`${e.engine.wsUrl}/?token=${agent.token}`);
    sockets.push(ws);
    await e.call('PUT', '/agent/presence', { token: agent.token, body: { status: 'online' } });
    // The account has no routing plan: the reply routes the interaction to wait, unassigned, for any of its agents.
    const routed = nextMessage<{ type: string; interactionId: string }>(ws, (m) => m.type === 'interaction.updated' && m.interactionId === interactionId, 120_000);
    await postInbound(account, phone!, 'Mi interessa, come funziona?');
    expect(await routed).toMatchObject({ interactionId });
    await eventually(async () => {
      const [r] = (await e.call('GET', `/admin/whatsapp/campaigns/${c.id}/recipients`, { token: e.token })).body.items;
      expect(r.status).toBe('replied');
    }, 60_000, 200);
    const seen = await e.call('GET', `/agent/interactions/${interactionId}`, { token: agent.token });
    expect(seen.body.campaign).toMatchObject({ id: c.id, templateName: template.name });
    const messages = await e.call('GET', `/agent/interactions/${interactionId}/messages`, { token: agent.token });
    const texts = (messages.body.items ?? messages.body).map((m: { text: string; direction: string }) => `${m.direction}:${m.text}`);
    expect(texts).toEqual(['out:Ciao Cliente700000, il tuo codice è XMAS24.', 'in:Mi interessa, come funziona?']);
  });
});

describe('other providers', () => {
  it('sends a Kaleyra campaign as v2 template messages and a Twilio one by its Content sid', async () => {
    const e = env();
    const kaleyra = await createWhatsAppAccount(e, 'kaleyra');
    const kTemplate = await approvedTemplate(e, kaleyra);
    await addContacts(e, kaleyra.listId, 3, 800_000);
    const twilio = await createWhatsAppAccount(e, 'twilio');
    const tTemplate = await approvedTemplate(e, twilio);
    await addContacts(e, twilio.listId, 3, 810_000);
    const before = e.fake.requests.length;
    const k = await campaign(e, kaleyra, kTemplate.id, [kaleyra.listId]);
    const t = await campaign(e, twilio, tTemplate.id, [twilio.listId]);
    await action(e, k.id, 'start');
    await action(e, t.id, 'start');
    await untilStatus(e, k.id, 'completed', 120_000);
    await untilStatus(e, t.id, 'completed', 120_000);
    const ks = sendsOf(e, 'kaleyra', before);
    expect(ks).toHaveLength(3);
    const toK = (r: RecordedRequest) => (r.json as { messaging_object: { to: string } }).messaging_object.to;
    expect(ks.find((r) => toK(r) === '+393400800000')!.json).toMatchObject({
      messaging_object: { type: 'template', template: { name: kTemplate.name, language: { code: 'it' }, components: [{ type: 'body', parameters: [{ type: 'text', text: 'Cliente800000' }, { type: 'text', text: 'XMAS24' }] }] } },
      extra_info: { ref: expect.any(String) },
    });
    const ts = sendsOf(e, 'twilio', before);
    expect(ts).toHaveLength(3);
    expect(ts.find((r) => r.form?.To === 'whatsapp:+393400810000')!.form).toMatchObject({ ContentSid: tTemplate.providerTemplateId, ContentVariables: JSON.stringify({ '1': 'Cliente810000', '2': 'XMAS24' }) });
  });
});
