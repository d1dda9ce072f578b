/**
 * The console's figures: its JS and CSS together, gzipped (target at most 120 KB), and the time from a signed
 * webhook to the offer drawn in a real browser, p50 and p99 over 50 offers (target p99 at most 300 ms locally).
 * The browser is the Chromium inside @sparticuz/chromium, driven by playwright-core; a MutationObserver in the page
 * stamps the moment each offer's region appears, on the same machine clock the sender stamps the webhook with.
 *
 *   npm run bench:console      (also the last phase of a full npm run bench)
 */
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildConsole } from '../lib/console-build';
import { startEngine } from '../lib/local/engine';
import { launchBrowser } from '../test/support/browser';

const ROOT = resolve(__dirname, '..');

function load<T>(path: string): T {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(resolve(ROOT, path)) as T;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}

export async function consoleBench(offers = 50): Promise<void> {
  console.log('\n== console: bundle size and webhook to offer drawn in the browser');
  let gzipped = 0;
  for (const [name, file] of buildConsole())
    if (!name.endsWith('.html')) gzipped += gzipSync(file.body, { level: 9 }).length;
  console.log(
    `  JS + CSS gzipped: ${(gzipped / 1024).toFixed(1)} KB (target <= 120 KB) ${gzipped <= 120 * 1024 ? 'MET' : 'MISSED'}`,
  );

  const engine = await startEngine({
    httpPort: 0,
    wsPort: 0,
    inMemory: true,
    log: () => undefined,
    env: { LOG_LEVEL: 'error' },
  });
  const browser = await launchBrowser();
  try {
    await engine.bootstrap('Bench-Admin1');
    const { createList } = load<typeof import('../shared/store/lists')>('shared/store/lists.ts');
    const { createQueue } = load<typeof import('../shared/store/queues')>('shared/store/queues.ts');
    const { addMember } = load<typeof import('../shared/store/memberships')>('shared/store/memberships.ts');
    const { createAccount, receiveUrl } = load<typeof import('../shared/admin/accounts')>('shared/admin/accounts.ts');
    const { accountCreateSchema } = load<typeof import('../shared/admin/account-schema')>(
      'shared/admin/account-schema.ts',
    );
    const { twilioProvider } = load<typeof import('../shared/providers/twilio')>('shared/providers/twilio.ts');
    const call = async (method: string, path: string, body?: unknown, token?: string) => {
      const res = await fetch(`${engine.httpUrl}${path}`, {
        method,
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return (await res.json().catch(() => ({}))) as Record<string, unknown>;
    };
    const admin = String((await call('POST', '/auth/login', { username: 'admin', password: 'Bench-Admin1' })).token);
    const agent = await call(
      'POST',
      '/admin/agents',
      { fullName: 'Bench Agent', username: 'benchagent', role: 'agent', password: 'Bench-Agent1!' },
      admin,
    );
    const list = await createList({ name: 'Bench console' });
    const queue = await createQueue({ name: 'Bench console', strategy: 'ring-all' });
    const credentials = { accountSid: 'AC0123456789abcdef0123456789abcdef', authToken: 'bench-console' };
    const account = await createAccount(
      accountCreateSchema.parse({
        channel: 'sms',
        name: 'Bench',
        key: 'BEN',
        type: 'twilio',
        phone: '+14155550111',
        listId: list.id,
        credentials,
        settings: {
          routing: [{ type: 'queue', queueId: queue.id, timeoutSeconds: 600 }],
          notification: { sound: false },
        },
      }),
    );
    await addMember('ACCOUNT', account.id, String(agent.id));
    await addMember('QUEUE', queue.id, String(agent.id));

    const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    await page.goto(`${engine.httpUrl}/console/`);
    await page.getByLabel('Username').fill('benchagent');
    await page.getByLabel('Password').fill('Bench-Agent1!');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('status', { name: 'Connection' }).filter({ hasText: 'Connected' }).waitFor();
    await page.getByLabel('Presence').selectOption('online');
    // In the page (as source: this file is compiled without the DOM library).
    await page.evaluate(`(() => {
      const seen = (window.offersDrawn = {});
      new MutationObserver(() => {
        for (const el of document.querySelectorAll('[aria-label^="Offer from "]')) {
          const phone = el.getAttribute('aria-label').slice('Offer from '.length);
          seen[phone] ??= Date.now();
        }
      }).observe(document.body, { childList: true, subtree: true });
    })()`);
    await new Promise((r) => setTimeout(r, 500));

    const latencies: number[] = [];
    for (let i = 0; i < offers; i++) {
      const from = `+39333${String(2000000 + i).padStart(7, '0')}`;
      const request = twilioProvider.simulateInbound(
        {
          url: receiveUrl(account),
          providerMessageId: `SM${String(i).padStart(32, '0')}`,
          from,
          to: account.phone,
          text: `offer ${i}`,
          timestampMs: Date.now(),
        },
        credentials,
        { id: account.id, channel: account.channel, phone: account.phone, proxyToken: account.proxyToken },
      );
      const sentAt = Date.now();
      const res = await fetch(`${engine.httpUrl}${new URL(request.url).pathname}`, {
        method: request.method,
        headers: request.headers,
        body: request.body,
      });
      await res.text();
      const drawnAt = await page.waitForFunction(
        (phone) => (globalThis as unknown as { offersDrawn: Record<string, number> }).offersDrawn[phone],
        from,
        {
          timeout: 15_000,
        },
      );
      latencies.push(Number(await drawnAt.jsonValue()) - sentAt);
      // Take the offer off the screen before the next one, as an agent would.
      await page
        .getByRole('region', { name: `Offer from ${from}` })
        .getByRole('button', { name: 'Reject' })
        .click();
      await page.getByRole('region', { name: `Offer from ${from}` }).waitFor({ state: 'detached' });
    }
    const p50 = percentile(latencies, 50);
    const p99 = percentile(latencies, 99);
    console.log(
      `  webhook to offer drawn, ${offers} offers: p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms (target p99 <= 300 ms) ${p99 <= 300 ? 'MET' : 'MISSED'}`,
    );
  } finally {
    await browser.close();
    await engine.stop();
  }
}

if (require.main === module) {
  consoleBench().catch((error: unknown) => {
    console.error('the console bench could not run:', error);
  });
}
