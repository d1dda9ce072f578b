/**
 * `npm run simulate`: plays a provider. It sends a correctly signed webhook, in the account's own provider format,
 * to a running local engine, so anyone can watch a message flow through Switchboard with no provider account.
 *
 *   npm run simulate -- --account <id> --from +393331234567 --text "hello"
 *   npm run simulate -- --account <id> --status delivered --message-id SMxxxxxxxx
 *
 * It finds the engine through `<dataDir>/engine.json` (written by the engine once it is ready), reads the account
 * straight from the engine's store, decrypts its credentials with the local data key (`<dataDir>/secrets.json`,
 * or LOCAL_DATA_KEY), signs with the provider module's simulateInbound / simulateStatus, posts, prints the answer,
 * and then waits briefly for the message to be stored and prints its interaction.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { processAlive, readEngineInfo, type EngineInfo } from '../lib/local/engine-info';

const ROOT = resolve(__dirname, '..');
// The SDK's notice that its 2027 releases will need Node 22 would be the first thing this tool prints; it is not
// about what the tool does (npm start still shows it).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const STATUSES = ['queued', 'sent', 'delivered', 'read', 'failed'] as const;
type Status = (typeof STATUSES)[number];

const USAGE = `usage:
  npm run simulate -- --account <id> --from <E.164> --text <text> [options]     an inbound message
  npm run simulate -- --account <id> --status <status> --message-id <id> [options]  a delivery status

Sends a correctly signed webhook, in the account's provider format, to the running local engine.

  --account ID          the account (its id, as the admin API shows it)
  --from PHONE          the customer's number, E.164 (+393331234567)
  --text TEXT           the message text
  --to PHONE            our number (default: the account's phone)
  --media-url URL       attach a media reference (repeatable); --media-type sets their content type
  --message-id ID       the provider's message id (default: a fresh one per run)
  --status STATUS       send a delivery status instead: ${STATUSES.join(', ')}
  --error-code CODE     the provider error code of a failed status
  --private-key-pem F   Telnyx only: the Ed25519 private key (PKCS#8 PEM) matching the account's public key
  --data-dir DIR        where the engine keeps engine.json and secrets.json (default .switchboard,
                        or SWITCHBOARD_DATA_DIR)
  --wait SECONDS        how long to wait for the message to be stored (default 5; 0: do not wait)
  -h, --help            this help`;

class UsageError extends Error {}

function fail(message: string, code = 1): never {
  console.error(`simulate: ${message}`);
  process.exit(code);
}

/**
 * `require`, not `import`: the shared modules read their configuration (store endpoint, table, data key) when they
 * load, so they are loaded only after this script has set the environment, as lib/local/engine.ts does.
 */
function load<T>(path: string): T {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(resolve(ROOT, path)) as T;
}

function e164(value: string, flag: string): string {
  const parsed = parsePhoneNumberFromString(value);
  if (!value.startsWith('+') || !parsed?.isValid()) {
    throw new UsageError(`${flag} '${value}' is not a valid phone number in E.164 form (for example +393331234567)`);
  }
  return parsed.number;
}

/** A fresh message id shaped like the provider's own ones (the parsers only require it to be non-empty). */
function freshMessageId(type: string): string {
  switch (type) {
    case 'twilio':
      return `SM${randomBytes(16).toString('hex')}`;
    case 'meta':
      return `wamid.${randomBytes(30).toString('base64url')}`;
    case 'sinch':
      return randomBytes(13).toString('hex').toUpperCase();
    case 'infobip':
    case 'clickatell':
    case 'clicksend':
      return randomBytes(16).toString('hex');
    default:
      return randomUUID();
  }
}

async function engineAnswers(info: EngineInfo): Promise<boolean> {
  try {
    const res = await fetch(`${info.httpUrl}/health`, { signal: AbortSignal.timeout(3000) });
    await res.arrayBuffer();
    return true;
  } catch {
    return false;
  }
}

function dataKey(dataDir: string): string | undefined {
  if (process.env.LOCAL_DATA_KEY) return process.env.LOCAL_DATA_KEY;
  const file = resolve(dataDir, 'secrets.json');
  if (!existsSync(file)) return undefined;
  return (JSON.parse(readFileSync(file, 'utf8')) as { dataKey?: string }).dataKey;
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        account: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        text: { type: 'string' },
        'media-url': { type: 'string', multiple: true },
        'media-type': { type: 'string' },
        'message-id': { type: 'string' },
        status: { type: 'string' },
        'error-code': { type: 'string' },
        'private-key-pem': { type: 'string' },
        'data-dir': { type: 'string' },
        wait: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const args = parsed.values;
  if (args.help) {
    console.log(USAGE);
    return;
  }

  // Arguments first: a mistake is reported before anything touches the engine.
  if (!args.account) throw new UsageError('--account is required');
  const status = args.status as Status | undefined;
  if (status !== undefined && !STATUSES.includes(status)) throw new UsageError(`--status must be one of ${STATUSES.join(', ')}`);
  if (status !== undefined && !args['message-id']) throw new UsageError('--status needs --message-id: the provider id of the message we sent');
  if (status === undefined) {
    if (!args.from) throw new UsageError('--from is required (the customer number, E.164)');
    if (args.text === undefined && !args['media-url']?.length) throw new UsageError('--text is required (or --media-url)');
  }
  const from = args.from !== undefined ? e164(args.from, '--from') : undefined;
  const to = args.to !== undefined ? e164(args.to, '--to') : undefined;
  const waitSeconds = args.wait === undefined ? 5 : Number(args.wait);
  if (!Number.isFinite(waitSeconds) || waitSeconds < 0) throw new UsageError('--wait must be a number of seconds');
  const signing: Record<string, string> = {};
  if (args['private-key-pem']) {
    const file = resolve(args['private-key-pem']);
    if (!existsSync(file)) throw new UsageError(`--private-key-pem: no file ${file}`);
    signing.privateKeyPem = readFileSync(file, 'utf8');
  }

  // The engine.
  const dataDir = resolve(args['data-dir'] ?? process.env.SWITCHBOARD_DATA_DIR ?? resolve(ROOT, '.switchboard'));
  let info: EngineInfo | undefined;
  try {
    info = readEngineInfo(dataDir);
  } catch (error) {
    fail((error as Error).message);
  }
  if (!info) fail(`no engine running: ${resolve(dataDir, 'engine.json')} does not exist. Start one with \`npm start\` (or pass --data-dir).`);
  if (!processAlive(info.pid) || !(await engineAnswers(info))) {
    fail(`no engine running: engine.json names ${info.httpUrl} (pid ${info.pid}), which does not answer. Start one with \`npm start\`.`);
  }
  const key = dataKey(dataDir);
  if (!key) {
    fail(
      `cannot decrypt the account's credentials: ${resolve(dataDir, 'secrets.json')} does not exist and LOCAL_DATA_KEY is not set ` +
        '(an engine started with --in-memory keeps its data key in memory only; set LOCAL_DATA_KEY for both).',
    );
  }

  Object.assign(process.env, {
    DDB_ENDPOINT: info.storeEndpoint,
    TABLE_NAME: info.tableName,
    LOCAL_DATA_KEY: key,
    PUBLIC_BASE_URL: info.baseUrl,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
  });
  const { getAccount } = load<typeof import('../shared/store/accounts')>('shared/store/accounts');
  const { accountCredentials, receiveUrl } = load<typeof import('../shared/admin/accounts')>('shared/admin/accounts');
  const { providerFor } = load<typeof import('../shared/providers')>('shared/providers');
  const { findByProviderId } = load<typeof import('../shared/store/interactions')>('shared/store/interactions');

  const account = await getAccount(args.account);
  if (!account) fail(`unknown account '${args.account}': no such account in ${info.storeEndpoint} (table ${info.tableName})`);
  let credentials: Record<string, unknown>;
  try {
    credentials = await accountCredentials(account);
  } catch (error) {
    fail(`cannot decrypt the credentials of account ${account.id} (${(error as Error).message}): is this the engine's data directory?`);
  }
  const provider = providerFor(account.type);
  const context = { id: account.id, channel: account.channel, phone: account.phone, proxyToken: account.proxyToken };
  const publicUrl = receiveUrl(account);
  const providerMessageId = args['message-id'] ?? freshMessageId(account.type);
  const timestampMs = Date.now();

  let request;
  try {
    request =
      status !== undefined
        ? provider.simulateStatus(
            { url: `${publicUrl}/status`, providerMessageId, status, timestampMs, ...(args['error-code'] ? { errorCode: args['error-code'] } : {}) },
            credentials,
            context,
            signing,
          )
        : provider.simulateInbound(
            {
              url: publicUrl,
              providerMessageId,
              from: from ?? '',
              to: to ?? account.phone,
              text: args.text ?? '',
              timestampMs,
              ...(args['media-url']?.length
                ? { media: args['media-url'].map((url) => ({ url, ...(args['media-type'] ? { contentType: args['media-type'] } : {}) })) }
                : {}),
            },
            credentials,
            context,
            signing,
          );
  } catch (error) {
    fail(`cannot build a ${account.type} webhook: ${(error as Error).message}${account.type === 'telnyx' && !signing.privateKeyPem ? ' (pass --private-key-pem FILE)' : ''}`);
  }

  // The signature covers the public URL (the account's domain, or the engine's base URL); the request goes to the
  // engine itself, on the same path.
  const signedUrl = new URL(request.url);
  const target = `${info.httpUrl}${signedUrl.pathname}${signedUrl.search}`;
  console.log(`${account.type} ${account.channel} account ${account.id} (${account.name}, ${account.phone})`);
  console.log(
    status !== undefined
      ? `→ status '${status}' for message ${providerMessageId}`
      : `→ message ${providerMessageId} from ${from} to ${to ?? account.phone}: ${JSON.stringify(args.text ?? '')}`,
  );
  console.log(`POST ${target}${target !== request.url ? `  (signed for ${request.url})` : ''}`);

  const started = performance.now();
  let res: Response;
  try {
    res = await fetch(target, {
      method: request.method,
      headers: request.headers,
      ...(request.body !== undefined ? { body: request.body } : {}),
      signal: AbortSignal.timeout(15_000),
    });
  } catch (error) {
    fail(`the engine at ${info.httpUrl} did not answer: ${(error as Error).message}`);
  }
  const body = await res.text();
  const ms = (performance.now() - started).toFixed(1);
  console.log(`← ${res.status} ${res.statusText} in ${ms} ms${res.headers.get('content-type') ? ` (${res.headers.get('content-type')})` : ''}`);
  if (body) console.log(body.length > 2000 ? `${body.slice(0, 2000)}…` : body);
  if (res.status >= 300) process.exit(1);
  if (status !== undefined || waitSeconds === 0) return;

  const deadline = Date.now() + waitSeconds * 1000;
  for (;;) {
    // The provider-id index is written in the same transaction as the message: once it exists, the message does.
    const stored = await findByProviderId(account.id, providerMessageId);
    if (stored) {
      console.log(`stored: interaction ${stored.interactionId}, message ${stored.messageSk.replace(/^MSG#/, '')}`);
      return;
    }
    if (Date.now() > deadline) {
      console.log(`not stored within ${waitSeconds} s (the engine acknowledged it: look at the engine's log and its inbound DLQ)`);
      process.exit(1);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

main().catch((error: Error) => {
  if (error instanceof UsageError) {
    console.error(`simulate: ${error.message}\n\n${USAGE}`);
    process.exit(2);
  }
  fail(error.stack ?? error.message);
});
