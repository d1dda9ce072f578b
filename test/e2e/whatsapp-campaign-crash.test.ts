/**
 * kill -9 mid-campaign, then restart: no recipient is messaged twice and none is skipped. The engine runs as
 * `npm start` runs it (test/support/engine-process.ts: `node --import tsx bin/local.ts`, its own store on a
 * persistent data directory, in a process group of its own). When the 15th template send reaches the fake Meta, the
 * fake kills the whole group with SIGKILL before it answers: Meta accepted a message whose answer the engine never
 * read. The restart on the same data directory must finish the campaign.
 *
 * What carries the campaign over the crash: the recipients, their claims and the message items are in the store;
 * the tick is a timer kept in the store; the send jobs are in the queue journal. The message the provider accepted
 * is never sent again because Meta echoes our correlation id (`biz_opaque_callback_data`): its status webhook names
 * the message. A recipient claimed whose job was not yet queued is found by the dispatcher's sweep; a message left
 * `unconfirmed` with no status is sent again. Those clocks are shortened here (CAMPAIGN_STUCK_SECONDS,
 * SEND_UNCONFIRMED_GRACE_SECONDS, CAMPAIGN_RESEND_UNCONFIRMED_SECONDS) so the test takes seconds, not minutes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADMIN_PASSWORD, accountKey, caller, login, unique, type Caller } from '../support/admin';
import { killHard, startEngineProcess, waitFor, type EngineProcess } from '../support/engine-process';
import { FakeProviders, fakeCredentials, type RecordedRequest } from '../support/fake-providers';
import { postStatus, type TestAccount } from '../support/whatsapp';

jest.setTimeout(240_000);

const RECIPIENTS = 40;
const KILL_AT = 15;
/** Providers sign and post to the public URL; it stays the same across restarts while the engine's port changes. */
const BASE_URL = 'http://switchboard.test';

let fake: FakeProviders;
let engine: EngineProcess | undefined;
const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-campaign-crash-'));

function start(): Promise<EngineProcess> {
  return startEngineProcess({
    dataDir,
    args: ['--base-url', BASE_URL, '--visibility-timeout', '2', '--grace-period', '2'],
    env: {
      ...fake.env(),
      SWITCHBOARD_ADMIN_PASSWORD: ADMIN_PASSWORD,
      LOG_LEVEL: 'error',
      CAMPAIGN_STUCK_SECONDS: '5',
      SEND_UNCONFIRMED_GRACE_SECONDS: '5',
      CAMPAIGN_RESEND_UNCONFIRMED_SECONDS: '15',
    },
    timeoutMs: 90_000,
  });
}

beforeAll(async () => {
  fake = await FakeProviders.start();
}, 60_000);
afterAll(async () => {
  fake.beforeAnswer = undefined;
  if (engine) await killHard(engine);
  await fake?.stop();
  rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

const isTemplateSend = (r: RecordedRequest) => r.target === 'meta' && r.method === 'POST' && r.path.endsWith('/messages') && (r.json as { type?: string }).type === 'template';
const templateSends = (): RecordedRequest[] => fake.requests.filter(isTemplateSend);

it('kill -9 mid-campaign, then restart: nobody messaged twice, nobody skipped', async () => {
  engine = await start();
  const call: Caller = caller(() => engine!.httpUrl);
  const token = await login(call, 'admin', ADMIN_PASSWORD);

  const list = (await call('POST', '/admin/lists', { token, body: { name: unique('list') } })).body.id as string;
  const credentials = fakeCredentials('meta', fake);
  const created = await call('POST', '/admin/accounts', {
    token,
    body: { channel: 'whatsapp', name: 'crash', key: accountKey(), type: 'meta', phone: '+393331234567', listId: list, credentials },
  });
  expect(created.status).toBe(201);
  const path = new URL(created.body.receiveUrl as string).pathname;
  // Webhooks go to whichever engine runs now, at the path of the public receive URL.
  const account = (): TestAccount => ({ id: created.body.id, type: 'meta', phone: '+393331234567', receiveUrl: `${engine!.httpUrl}${path}`, credentials, listId: list });
  const template = await call('POST', '/admin/whatsapp/templates', {
    token,
    body: { accountId: account().id, name: unique('crash_').toLowerCase(), category: 'MARKETING', language: 'it', components: [{ type: 'BODY', text: 'Ciao {{1}}', examples: ['Maria'] }] },
  });
  expect(template.status).toBe(201);
  fake.setTemplateStatus(template.body.providerTemplateId, 'APPROVED');
  expect((await call('POST', `/admin/whatsapp/templates/${template.body.id}/sync`, { token })).body.status).toBe('APPROVED');
  const phones = Array.from({ length: RECIPIENTS }, (_, i) => `+39341${String(i).padStart(7, '0')}`);
  for (const phone of phones) {
    const res = await call('POST', `/admin/lists/${list}/contacts`, { token, body: { phone, firstName: `C${phone.slice(-3)}` } });
    expect(res.status).toBe(201);
  }
  const campaign = await call('POST', '/admin/whatsapp/campaigns', {
    token,
    body: { accountId: account().id, name: 'crash', templateId: template.body.id, listIds: [list], parameters: { '1': { field: 'firstName' } }, ratePerSecond: 5 },
  });
  expect(campaign.status).toBe(201);

  // The KILL_AT-th send arrives: the engine dies before the fake answers it (the fake still accepts it, as Meta would).
  const dying = engine;
  let killed!: () => void;
  const dead = new Promise<void>((resolve) => (killed = resolve));
  fake.beforeAnswer = async (req) => {
    if (!isTemplateSend(req) || templateSends().length !== KILL_AT) return;
    fake.beforeAnswer = undefined;
    await killHard(dying);
    killed();
  };
  expect((await call('POST', `/admin/whatsapp/campaigns/${campaign.body.id}/start`, { token })).body.status).toBe('running');
  await dead;
  const beforeRestart = templateSends().length;
  expect(beforeRestart).toBeGreaterThanOrEqual(KILL_AT);
  expect(beforeRestart).toBeLessThan(RECIPIENTS);

  const restartedAt = Date.now();
  engine = await start();
  const token2 = await login(call, 'admin', ADMIN_PASSWORD);
  // Meta reports every message it accepted, naming our correlation id: that settles the one whose answer was lost.
  const reported = new Set<RecordedRequest>();
  const report = async () => {
    for (const r of templateSends()) {
      if (reported.has(r) || !r.answer || r.answer.status >= 300) continue;
      const wamid = (JSON.parse(r.answer.body) as { messages: { id: string }[] }).messages[0]!.id;
      const res = await postStatus(account(), wamid, 'delivered', (r.json as { biz_opaque_callback_data: string }).biz_opaque_callback_data);
      if (res.status === 200) reported.add(r);
    }
  };
  const done = await waitFor(
    async () => {
      await report();
      const c = (await call('GET', `/admin/whatsapp/campaigns/${campaign.body.id}`, { token: token2 })).body;
      if (c.status !== 'completed' || c.counts.delivered !== RECIPIENTS) throw new Error(`campaign ${c.status}: ${JSON.stringify(c.counts)}`);
      return c;
    },
    180_000,
    500,
  );
  process.stderr.write(`campaign crash: ${beforeRestart} sends before the kill; finished ${Math.round((Date.now() - restartedAt) / 1000)} s after the restart began\n`);
  expect(done.counts).toMatchObject({ total: RECIPIENTS, delivered: RECIPIENTS, pending: 0, failed: 0, skipped: 0 });
  const sent = templateSends().map((r) => (r.json as { to: string }).to);
  const twice = sent.filter((p, i) => sent.indexOf(p) !== i);
  expect(twice).toEqual([]);
  expect(new Set(sent)).toEqual(new Set(phones));
  expect(sent).toHaveLength(RECIPIENTS);
});
