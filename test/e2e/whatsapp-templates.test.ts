/**
 * WhatsApp templates end to end on the local engine with fake Meta, Kaleyra and Twilio servers: local validation
 * (each error a 400 naming the field, nothing submitted), the submission shapes each provider's template API takes,
 * status kept in step (Meta's `message_template_status_update` webhook, the sync endpoint, the periodic sync), list
 * with a status filter, delete at the provider, and who may do what; the account's recontact template chosen from
 * its APPROVED templates, sent as stored, and refused while it is not APPROVED.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { db, TABLE } from '../../shared/store/client';
import { getOpenPointer } from '../../shared/store/interactions';
import { keys } from '../../shared/store/keys';
import { createUser, unique } from '../support/admin';
import { closeSocket, eventually, nextMessage, openSocket } from '../support/engine';
import { approvedTemplate, createTemplate, createWhatsAppAccount, postInbound, postMetaWebhook, TEMPLATE_BODY, useWhatsApp } from '../support/whatsapp';

jest.setTimeout(60_000);

// The periodic sync runs every second here, so a status the provider changed without a webhook shows up by itself.
const env = useWhatsApp({ scheduleEveryMs: 1000 });

describe('creating a template', () => {
  it('submits a Meta template to POST /{version}/{WABA_ID}/message_templates with its components and examples', async () => {
    const { fake, call, token } = env();
    const account = await createWhatsAppAccount(env(), 'meta');
    const before = fake.requests.length;
    const name = unique('promo_').toLowerCase();
    const res = await call('POST', '/admin/whatsapp/templates', { token, body: { accountId: account.id, name, ...TEMPLATE_BODY } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ accountId: account.id, provider: 'meta', name, language: 'it', category: 'MARKETING', status: 'PENDING', parameters: { header: [], body: ['1', '2'] } });
    const submitted = fake.requests.slice(before).filter((r) => r.target === 'meta');
    expect(submitted).toHaveLength(1);
    expect(submitted[0]).toMatchObject({ method: 'POST', path: `/v25.0/${String(account.credentials.wabaId)}/message_templates` });
    expect(submitted[0]!.headers.authorization).toBe(`Bearer ${String(account.credentials.accessToken)}`);
    expect(submitted[0]!.json).toEqual({
      name,
      language: 'it',
      category: 'MARKETING',
      parameter_format: 'POSITIONAL',
      components: [
        { type: 'HEADER', format: 'TEXT', text: 'Offerta di dicembre' },
        { type: 'BODY', text: 'Ciao {{1}}, il tuo codice è {{2}}.', example: { body_text: [['Maria', 'XMAS24']] } },
        { type: 'FOOTER', text: 'Rispondi STOP per non ricevere più messaggi' },
        { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'Mi interessa' }] },
      ],
    });
    expect(res.body.providerTemplateId).toBe(JSON.parse(submitted[0]!.answer!.body).id);
  });

  it('sends named parameters with body_text_named_params', async () => {
    const { fake } = env();
    const account = await createWhatsAppAccount(env(), 'meta');
    const template = await createTemplate(env(), account, {
      parameterFormat: 'NAMED',
      components: [{ type: 'BODY', text: 'Ciao {{first_name}}, ordine {{order_id}} spedito', examples: { first_name: 'Maria', order_id: 'A-1' } }],
    });
    const sent = fake.templates.get(template.providerTemplateId)!.body as { parameter_format: string; components: unknown[] };
    expect(sent.parameter_format).toBe('NAMED');
    expect(sent.components[0]).toEqual({
      type: 'BODY',
      text: 'Ciao {{first_name}}, ordine {{order_id}} spedito',
      example: { body_text_named_params: [{ param_name: 'first_name', example: 'Maria' }, { param_name: 'order_id', example: 'A-1' }] },
    });
  });

  it("submits a Kaleyra template to v2's /v2/{SID}/whatsapp/{WABA_ID}/message_templates with the api-key header", async () => {
    const { fake } = env();
    const account = await createWhatsAppAccount(env(), 'kaleyra');
    const before = fake.requests.length;
    const template = await createTemplate(env(), account);
    const [submitted] = fake.requests.slice(before).filter((r) => r.target === 'kaleyra');
    expect(submitted).toMatchObject({ method: 'POST', path: `/v2/${String(account.credentials.accountSid)}/whatsapp/${String(account.credentials.wabaId)}/message_templates` });
    expect(submitted!.headers['api-key']).toBe(account.credentials.apiKey);
    expect(submitted!.json).toMatchObject({ name: template.name, language: 'it', category: 'MARKETING', components: expect.any(Array) });
    expect(template).toMatchObject({ provider: 'kaleyra', status: 'PENDING', providerTemplateId: expect.any(String) });
  });

  it("creates a Twilio Content resource, then asks WhatsApp's approval for it", async () => {
    const { fake } = env();
    const account = await createWhatsAppAccount(env(), 'twilio');
    const before = fake.requests.length;
    const template = await createTemplate(env(), account);
    const calls = fake.requests.slice(before).filter((r) => r.target === 'twiliocontent');
    expect(calls.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /v1/Content', `POST /v1/Content/${template.providerTemplateId}/ApprovalRequests/whatsapp`]);
    expect(template.providerTemplateId).toMatch(/^HX[0-9a-f]{32}$/);
    expect(calls[0]!.json).toEqual({
      friendly_name: template.name,
      language: 'it',
      variables: { '1': 'Maria', '2': 'XMAS24' },
      types: { 'twilio/quick-reply': { body: 'Ciao {{1}}, il tuo codice è {{2}}.', actions: [{ title: 'Mi interessa', id: '0' }] } },
    });
    expect(calls[1]!.json).toEqual({ name: template.name, category: 'MARKETING' });
    const basic = Buffer.from(`${String(account.credentials.accountSid)}:${String(account.credentials.authToken)}`).toString('base64');
    expect(calls[0]!.headers.authorization).toBe(`Basic ${basic}`);
  });

  it.each([
    ['name', { name: 'Promo Dicembre!' }],
    ['language', { language: 'italiano' }],
    ['components.0.text', { components: [{ type: 'BODY', text: 'Ciao {{1}} e {{3}}', examples: ['a', 'b'] }] }],
    ['components.0.examples', { components: [{ type: 'BODY', text: 'Ciao {{1}} e {{2}}', examples: ['a'] }] }],
    ['components.0.text', { components: [{ type: 'BODY', text: 'x'.repeat(1025) }] }],
    ['components', { components: [{ type: 'FOOTER', text: 'no body' }] }],
    ['components.1.text', { components: [{ type: 'BODY', text: 'ok' }, { type: 'FOOTER', text: 'f'.repeat(61) }] }],
    ['category', { category: 'PROMO' }],
  ])('refuses a bad %s with a 400 naming it, and submits nothing', async (field, overrides) => {
    const { fake, call, token } = env();
    const account = await createWhatsAppAccount(env(), 'meta');
    const before = fake.requests.length;
    const res = await call('POST', '/admin/whatsapp/templates', { token, body: { accountId: account.id, name: 'promo_ok', ...TEMPLATE_BODY, ...overrides } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(`body.${field}`);
    // (the periodic sync reads other templates meanwhile: only a submission would be a POST)
    expect(fake.requests.slice(before).filter((r) => r.method === 'POST')).toHaveLength(0);
    const list = await call('GET', `/admin/whatsapp/templates?accountId=${account.id}`, { token });
    expect(list.body.items).toHaveLength(0);
  });

  it('refuses a second template of the same name and language with 409, and a provider refusal with 422', async () => {
    const { call, token, fake } = env();
    const account = await createWhatsAppAccount(env(), 'meta');
    const template = await createTemplate(env(), account);
    const again = await call('POST', '/admin/whatsapp/templates', { token, body: { accountId: account.id, name: template.name, ...TEMPLATE_BODY } });
    expect(again.status).toBe(409);
    fake.failNext('meta', 1, 'bad-request', 1, (req) => req.method === 'POST' && req.path.endsWith('/message_templates'));
    const refused = await call('POST', '/admin/whatsapp/templates', { token, body: { accountId: account.id, name: unique('other_').toLowerCase(), ...TEMPLATE_BODY } });
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('PROVIDER_REJECTED');
  });

  it('refuses templates on an account whose provider has none (Sinch)', async () => {
    const { call, token } = env();
    const account = await createWhatsAppAccount(env(), 'sinch');
    const res = await call('POST', '/admin/whatsapp/templates', { token, body: { accountId: account.id, name: 'promo_x', ...TEMPLATE_BODY } });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].path).toBe('body.accountId');
  });
});

describe('template status', () => {
  it("follows Meta's message_template_status_update webhook: APPROVED, then REJECTED with its reason", async () => {
    const { call, token, fake } = env();
    const account = await createWhatsAppAccount(env(), 'meta');
    const template = await createTemplate(env(), account);
    // Meta's API answers what its webhook said (this file's engine also syncs every second).
    const update = (event: string, reason = 'NONE') => {
      fake.setTemplateStatus(template.providerTemplateId, event, { reason });
      return postMetaWebhook(account, [
        {
          field: 'message_template_status_update',
          value: { event, message_template_id: Number(template.providerTemplateId), message_template_name: template.name, message_template_language: 'it', reason },
        },
      ]);
    };
    expect((await update('APPROVED')).status).toBe(200);
    await eventually(async () => expect((await call('GET', `/admin/whatsapp/templates/${template.id}`, { token })).body).toMatchObject({ status: 'APPROVED' }), 10_000);
    expect((await update('REJECTED', 'INVALID_FORMAT')).status).toBe(200);
    await eventually(async () => expect((await call('GET', `/admin/whatsapp/templates/${template.id}`, { token })).body).toMatchObject({ status: 'REJECTED', reason: 'INVALID_FORMAT' }), 10_000);
  });

  it('refuses a template webhook with a bad signature and changes nothing', async () => {
    const { call, token } = env();
    const account = await createWhatsAppAccount(env(), 'meta');
    const template = await createTemplate(env(), account);
    const res = await postMetaWebhook({ ...account, credentials: { ...account.credentials, appSecret: 'wrong' } }, [
      { field: 'message_template_status_update', value: { event: 'APPROVED', message_template_id: Number(template.providerTemplateId), message_template_name: template.name, message_template_language: 'it' } },
    ]);
    expect(res.status).toBe(403);
    expect((await call('GET', `/admin/whatsapp/templates/${template.id}`, { token })).body.status).toBe('PENDING');
  });

  it.each(['meta', 'kaleyra', 'twilio'] as const)('syncs a %s template on request and by the periodic sync', async (type) => {
    const { call, token, fake } = env();
    const account = await createWhatsAppAccount(env(), type);
    const template = await createTemplate(env(), account);
    fake.setTemplateStatus(template.providerTemplateId, type === 'twilio' ? 'approved' : 'APPROVED');
    const synced = await call('POST', `/admin/whatsapp/templates/${template.id}/sync`, { token });
    expect(synced.status).toBe(200);
    expect(synced.body).toMatchObject({ status: 'APPROVED', syncedAt: expect.any(String) });
    // The provider rejects it later, and no webhook comes: the periodic sync finds out.
    fake.setTemplateStatus(template.providerTemplateId, type === 'twilio' ? 'rejected' : 'REJECTED', { reason: 'TAG_CONTENT_MISMATCH' });
    await eventually(async () => expect((await call('GET', `/admin/whatsapp/templates/${template.id}`, { token })).body).toMatchObject({ status: 'REJECTED', reason: 'TAG_CONTENT_MISMATCH' }), 15_000, 200);
  });
});

describe('listing and deleting templates', () => {
  it('lists templates with a status filter, and deletes one at the provider too', async () => {
    const { call, token, fake } = env();
    const account = await createWhatsAppAccount(env(), 'meta');
    const approved = await approvedTemplate(env(), account);
    const pending = await createTemplate(env(), account);
    const all = await call('GET', `/admin/whatsapp/templates?accountId=${account.id}`, { token });
    expect(all.body.items.map((t: { id: string }) => t.id).sort()).toEqual([approved.id, pending.id].sort());
    const onlyApproved = await call('GET', `/admin/whatsapp/templates?accountId=${account.id}&status=APPROVED`, { token });
    expect(onlyApproved.body.items.map((t: { id: string }) => t.id)).toEqual([approved.id]);
    const bad = await call('GET', '/admin/whatsapp/templates?status=MAYBE', { token });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('query.status');

    const before = fake.requests.length;
    expect((await call('DELETE', `/admin/whatsapp/templates/${pending.id}`, { token })).status).toBe(204);
    const [deleted] = fake.requests.slice(before).filter((r) => r.method === 'DELETE');
    expect(deleted).toMatchObject({ method: 'DELETE', path: `/v25.0/${String(account.credentials.wabaId)}/message_templates` });
    expect(new URLSearchParams(deleted!.query).get('name')).toBe(pending.name);
    expect(new URLSearchParams(deleted!.query).get('hsm_id')).toBe(pending.providerTemplateId);
    expect(fake.templates.has(pending.providerTemplateId)).toBe(false);
    expect((await call('GET', `/admin/whatsapp/templates/${pending.id}`, { token })).status).toBe(404);
  });

  it('lets supervisors read templates but not create or delete them; agents neither', async () => {
    const { call, token } = env();
    const account = await createWhatsAppAccount(env(), 'meta');
    const template = await createTemplate(env(), account);
    const supervisor = await createUser(call, token, 'supervisor');
    const agent = await createUser(call, token, 'agent');
    expect((await call('GET', `/admin/whatsapp/templates/${template.id}`, { token: supervisor.token })).status).toBe(200);
    expect((await call('POST', '/admin/whatsapp/templates', { token: supervisor.token, body: { accountId: account.id, name: 'x', ...TEMPLATE_BODY } })).status).toBe(403);
    expect((await call('DELETE', `/admin/whatsapp/templates/${template.id}`, { token: supervisor.token })).status).toBe(403);
    expect((await call('GET', '/admin/whatsapp/templates', { token: agent.token })).status).toBe(403);
  });
});

describe("the account's recontact template", () => {
  it('is chosen from the APPROVED templates of the account, and sends as the stored template says', async () => {
    const e = env();
    const { fake, call, token } = e;
    const account = await createWhatsAppAccount(e, 'meta');

    // A new account holds no templates yet: a recontact template on create names nothing.
    const list = (await call('POST', '/admin/lists', { token, body: { name: unique('list') } })).body.id as string;
    const early = await call('POST', '/admin/accounts', {
      token,
      body: { channel: 'whatsapp', name: unique('wa'), key: 'RCT', type: 'meta', phone: '+393331234599', listId: list, credentials: account.credentials, settings: { recontactTemplate: { name: 'nope', parameters: [] } } },
    });
    expect(early.status).toBe(400);
    expect(early.body.error.details.map((d: { path: string }) => d.path)).toEqual(['body.settings.recontactTemplate.name']);

    const patch = (recontactTemplate: unknown) => call('PATCH', `/admin/accounts/${account.id}`, { token, body: { settings: { recontactTemplate } } });
    const template = await createTemplate(e, account);
    const pending = await patch({ name: template.name });
    expect(pending.status).toBe(400);
    expect(pending.body.error.details).toEqual([{ path: 'body.settings.recontactTemplate.name', message: expect.stringContaining('PENDING') }]);
    fake.setTemplateStatus(template.providerTemplateId, 'APPROVED');
    expect((await call('POST', `/admin/whatsapp/templates/${template.id}/sync`, { token })).body.status).toBe('APPROVED');
    const wrongLanguage = await patch({ name: template.name, language: 'en_US' });
    expect(wrongLanguage.body.error.details.map((d: { path: string }) => d.path)).toEqual(['body.settings.recontactTemplate.name']);
    const wrongCount = await patch({ name: template.name, parameters: ['Maria'] });
    expect(wrongCount.status).toBe(400);
    expect(wrongCount.body.error.details.map((d: { path: string }) => d.path)).toEqual(['body.settings.recontactTemplate.parameters']);
    const chosen = await patch({ name: template.name, parameters: ['Maria', 'XMAS24'] });
    expect(chosen.status).toBe(200);
    // The language is the stored template's.
    expect(chosen.body.settings.recontactTemplate).toEqual({ name: template.name, language: 'it', parameters: ['Maria', 'XMAS24'] });

    // A customer writes; the window then closes: free text is refused, offering the recontact template.
    const phone = '+393409990001';
    expect((await postInbound(account, phone, 'ciao')).status).toBe(200);
    const pointer = await eventually(async () => {
      const p = await getOpenPointer(account.id, phone);
      if (!p) throw new Error('no interaction yet');
      return p;
    }, 30_000, 100);
    await db.send(
      new UpdateCommand({
        TableName: TABLE,
        Key: keys.interaction(pointer.interactionId),
        UpdateExpression: 'SET windowExpiresAt = :past, version = version + :one',
        ExpressionAttributeValues: { ':past': new Date(Date.now() - 1000).toISOString(), ':one': 1 },
      }),
    );
    const late = await call('POST', `/agent/interactions/${pointer.interactionId}/reply`, { token, body: { text: 'ci sei?' } });
    expect(late.status).toBe(409);
    expect(late.body.error.details).toContainEqual(expect.objectContaining({ path: 'recontactTemplate', template: { name: template.name, language: 'it', parameters: ['Maria', 'XMAS24'] } }));

    // Sent by name alone: the stored template's language, its default parameters, its body as the agent sees it.
    const before = fake.requests.length;
    const sent = await call('POST', `/agent/interactions/${pointer.interactionId}/template`, { token, body: { name: template.name } });
    expect(sent.status).toBe(202);
    expect(sent.body.text).toBe('Ciao Maria, il tuo codice è XMAS24.');
    const send = await eventually(() => {
      const r = fake.requests.slice(before).find((q) => q.target === 'meta' && q.path.endsWith('/messages') && (q.json as { type?: string }).type === 'template');
      if (!r) throw new Error('no template send yet');
      return r;
    }, 30_000, 100);
    expect(send.json).toMatchObject({ to: phone, template: { name: template.name, language: { code: 'it' }, components: [{ type: 'body', parameters: [{ type: 'text', text: 'Maria' }, { type: 'text', text: 'XMAS24' }] }] } });
    const badCount = await call('POST', `/agent/interactions/${pointer.interactionId}/template`, { token, body: { name: template.name, parameters: ['only one'] } });
    expect(badCount.status).toBe(400);
    expect(badCount.body.error.details.map((d: { path: string }) => d.path)).toEqual(['body.template.parameters']);

    // Meta pauses it: the admins are told it is the recontact template, agents cannot send it, nothing is offered.
    const ws = await openSocket(`${e.engine.wsUrl}/?token=${token}`);
    try {
      const told = nextMessage<{ type: string; status: string; recontact?: boolean }>(ws, (m) => m.type === 'template.status' && (m as { templateId?: string }).templateId === template.id, 30_000);
      const update = (event: string) =>
        postMetaWebhook(account, [{ field: 'message_template_status_update', value: { event, message_template_id: Number(template.providerTemplateId), message_template_name: template.name, message_template_language: 'it', reason: 'NONE' } }]);
      // Meta's API says so too: this file's engine syncs every second, and a sync asking a fake that still answered
      // APPROVED would rightly take the template back to APPROVED before the agent tries it.
      fake.setTemplateStatus(template.providerTemplateId, 'PAUSED');
      expect((await update('PAUSED')).status).toBe(200);
      expect(await told).toMatchObject({ status: 'PAUSED', recontact: true });
      const refused = await call('POST', `/agent/interactions/${pointer.interactionId}/template`, { token, body: { name: template.name } });
      expect(refused.status).toBe(409);
      expect(refused.body.error).toMatchObject({ code: 'TEMPLATE_NOT_APPROVED', details: [{ path: 'template.name', message: 'PAUSED' }] });
      const noOffer = await call('POST', `/agent/interactions/${pointer.interactionId}/reply`, { token, body: { text: 'ci sei?' } });
      expect(noOffer.status).toBe(409);
      expect(noOffer.body.error.details).toContainEqual({ path: 'recontactTemplate', message: expect.stringContaining('PAUSED') });
      // Deleting it is refused while the account names it; the choice can be taken away.
      const del = await call('DELETE', `/admin/whatsapp/templates/${template.id}`, { token });
      expect(del.status).toBe(409);
      expect(del.body.error.code).toBe('IN_USE');
      // Approved again, it works again with nothing to change. Meta's API says so too, as above: a sync asking a
      // fake still answering PAUSED would rightly take the template back to PAUSED for good.
      fake.setTemplateStatus(template.providerTemplateId, 'APPROVED');
      expect((await update('APPROVED')).status).toBe(200);
      await eventually(async () => expect((await call('POST', `/agent/interactions/${pointer.interactionId}/template`, { token, body: { name: template.name } })).status).toBe(202), 30_000, 200);
      const cleared = await patch(null);
      expect(cleared.status).toBe(200);
      expect(cleared.body.settings.recontactTemplate).toBeUndefined();
      expect((await call('DELETE', `/admin/whatsapp/templates/${template.id}`, { token })).status).toBe(204);
    } finally {
      await closeSocket(ws);
    }
  });
});
