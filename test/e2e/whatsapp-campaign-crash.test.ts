/**
 * kill -9 mid-campaign, then restart: no recipient is messaged twice and none is skipped. The engine runs as
 * `npm start` does (`bin/local.ts`, its own dynoxide on a persistent data directory) in a child process; the fake
 * Meta's side kills it (SIGKILL, the engine and its store child both) within milliseconds of the 15th template send
 * arriving: a send the provider accepted whose answer the engine may never have recorded. The restart
 * on the same data directory must finish the campaign.
 *
 * What carries the campaign over the crash: the recipients, their claims and the message items are in the store;
 * the tick is a timer kept in the store; the engine's queues are in memory today, so a send job lost with the
 * process is found again by the dispatcher's sweep (a recipient `queued` for a minute is driven again), and the
 * message the provider accepted is never sent again because Meta echoes our correlation id
 * (`biz_opaque_callback_data`): its status webhook names the message.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADMIN_PASSWORD, accountKey, caller, login, unique, type Caller } from '../support/admin';
import { eventually } from '../support/engine';
import { FakeProviders, fakeCredentials, type RecordedRequest } from '../support/fake-providers';
import { postStatus, type TestAccount } from '../support/whatsapp';

jest.setTimeout(420_000);

const ROOT = join(__dirname, '..', '..');
let fake: FakeProviders;
let child: ChildProcess | undefined;
const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-campaign-crash-'));
const port = 20_000 + Math.floor(Math.random() * 20_000);

function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .filter((e) => {
      try {
        return Number(readFileSync(`/proc/${e}/stat`, 'utf8').split(') ')[1]?.split(' ')[1]) === pid;
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** Every process under `pid` (the tsx loader, node, dynoxide), deepest first. */
function tree(pid: number): number[] {
  return childrenOf(pid).flatMap((c) => [...tree(c), c]);
}

function start(): Promise<ChildProcess> {
  const proc = spawn(join(ROOT, 'node_modules', '.bin', 'tsx'), ['bin/local.ts', '--port', String(port), '--ws-port', String(port + 1), '--data-dir', dataDir], {
    cwd: ROOT,
    env: { ...process.env, ...fake.env(), SWITCHBOARD_ADMIN_PASSWORD: ADMIN_PASSWORD, LOG_LEVEL: 'error', DDB_ENDPOINT: '', TABLE_NAME: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('ready in')) resolve(proc);
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.once('exit', (code) => reject(new Error(`the engine exited (${code}) before it was ready: ${output.slice(-2000)}`)));
  });
}

/** SIGKILL the engine and everything it started, as a power cut would. */
function killHard(proc: ChildProcess): void {
  const pids = [...tree(proc.pid!), proc.pid!];
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

beforeAll(async () => {
  fake = await FakeProviders.start();
}, 60_000);
afterAll(async () => {
  if (child?.pid) killHard(child);
  await fake?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const templateSends = (): RecordedRequest[] =>
  fake.requests.filter((r) => r.target === 'meta' && r.method === 'POST' && r.path.endsWith('/messages') && (r.json as { type?: string }).type === 'template');

// Over five minutes (the sweep and the unconfirmed grace run on their production clocks): run with
// SWITCHBOARD_CAMPAIGN_E2E=full. Not verified on this session's loaded machine.
const heavy = process.env.SWITCHBOARD_CAMPAIGN_E2E === 'full' ? it : it.skip;

heavy('kill -9 mid-campaign, then restart: nobody messaged twice, nobody skipped', async () => {
  child = await start();
  const base = `http://127.0.0.1:${port}`;
  const call: Caller = caller(() => base);
  const token = await login(call, 'admin', ADMIN_PASSWORD);

  const list = (await call('POST', '/admin/lists', { token, body: { name: unique('list') } })).body.id as string;
  const credentials = fakeCredentials('meta', fake);
  const created = await call('POST', '/admin/accounts', {
    token,
    body: { channel: 'whatsapp', name: 'crash', key: accountKey(), type: 'meta', phone: '+393331234567', listId: list, credentials },
  });
  const account: TestAccount = { id: created.body.id, type: 'meta', phone: '+393331234567', receiveUrl: created.body.receiveUrl, credentials, listId: list };
  const template = await call('POST', '/admin/whatsapp/templates', {
    token,
    body: { accountId: account.id, name: unique('crash_').toLowerCase(), category: 'MARKETING', language: 'it', components: [{ type: 'BODY', text: 'Ciao {{1}}', examples: ['Maria'] }] },
  });
  fake.setTemplateStatus(template.body.providerTemplateId, 'APPROVED');
  expect((await call('POST', `/admin/whatsapp/templates/${template.body.id}/sync`, { token })).body.status).toBe('APPROVED');
  const phones = Array.from({ length: 40 }, (_, i) => `+39341${String(i).padStart(7, '0')}`);
  for (const phone of phones) {
    const res = await call('POST', `/admin/lists/${list}/contacts`, { token, body: { phone, firstName: `C${phone.slice(-3)}` } });
    expect(res.status).toBe(201);
  }
  const campaign = await call('POST', '/admin/whatsapp/campaigns', {
    token,
    body: { accountId: account.id, name: 'crash', templateId: template.body.id, listIds: [list], parameters: { '1': { field: 'firstName' } }, ratePerSecond: 5 },
  });

  // The 15th send arrives: the engine dies before the fake answers it.
  const killed = new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      if (templateSends().length >= 15 && child) {
        killHard(child);
        clearInterval(timer);
        resolve();
      }
    }, 5);
  });
  expect((await call('POST', `/admin/whatsapp/campaigns/${campaign.body.id}/start`, { token })).body.status).toBe('running');
  await killed;
  await new Promise((r) => setTimeout(r, 500));
  const beforeRestart = templateSends().length;
  expect(beforeRestart).toBeLessThan(phones.length);

  child = await start();
  const token2 = await login(call, 'admin', ADMIN_PASSWORD);
  // Meta reports every accepted message: its `sent` status names our correlation id, which settles the message
  // whose answer the crash lost.
  const reported = new Set<RecordedRequest>();
  const report = async () => {
    for (const r of templateSends()) {
      if (reported.has(r) || !r.answer || r.answer.status >= 300) continue;
      reported.add(r);
      const wamid = (JSON.parse(r.answer.body) as { messages: { id: string }[] }).messages[0]!.id;
      await postStatus(account, wamid, 'delivered', (r.json as { biz_opaque_callback_data: string }).biz_opaque_callback_data);
    }
  };
  const done = await eventually(
    async () => {
      await report();
      const c = (await call('GET', `/admin/whatsapp/campaigns/${campaign.body.id}`, { token: token2 })).body;
      if (c.status !== 'completed' || c.counts.delivered !== phones.length) throw new Error(`campaign ${c.status}: ${JSON.stringify(c.counts)}`);
      return c;
    },
    360_000,
    1000,
  );
  expect(done.counts).toMatchObject({ total: 40, delivered: 40, pending: 0, failed: 0, skipped: 0 });
  const sent = templateSends().map((r) => (r.json as { to: string }).to);
  const twice = sent.filter((p, i) => sent.indexOf(p) !== i);
  expect(twice).toEqual([]);
  expect(new Set(sent)).toEqual(new Set(phones));
});
