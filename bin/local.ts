/**
 * `npm start`: runs Switchboard on this machine. Flags win over environment variables, which win over defaults.
 *   --host 127.0.0.1 --port 3000 --ws-port 3001 --base-url http://127.0.0.1:3000 --data-dir .switchboard --in-memory
 *   --grace-period 10 (seconds a stop lets requests and consumer batches finish)
 *   --visibility-timeout N (seconds; overrides every queue's, for tests and demos)
 *   --demo (`npm run demo`): in memory, with the built-in fake provider for Twilio and Meta, and a demo tenant seeded
 *   through the API with customer messages waiting for an agent; prints the console URL and the logins
 * Environment: SWITCHBOARD_HOST, SWITCHBOARD_PORT, SWITCHBOARD_WS_PORT, SWITCHBOARD_BASE_URL, SWITCHBOARD_DATA_DIR,
 * SWITCHBOARD_IN_MEMORY=1, SWITCHBOARD_GRACE_SECONDS, SWITCHBOARD_VISIBILITY_TIMEOUT, SWITCHBOARD_ADMIN_PASSWORD (the
 * first admin's password), SWITCHBOARD_HEAP_GROWING_PERCENT (lib/local/heap.ts; default 100, 0 for V8's own),
 * PROVIDER_BASE_URL_<TYPE>. SIGTERM or SIGINT stops gracefully; a second one stops at once.
 */
import { parseArgs } from 'node:util';

// Node 20 locally, Node 22 on Lambda: the SDK's notice that it will require Node 22 from 2027 is known (README).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
import { startEngine } from '../lib/local/engine';
import { startDemoProvider, type DemoProvider } from '../lib/local/demo-provider';
import { demoPassword, describeDemo, seedDemo } from '../lib/local/demo';
import { tuneHeapGrowth } from '../lib/local/heap';

const { values } = parseArgs({
  options: {
    host: { type: 'string' },
    port: { type: 'string' },
    'ws-port': { type: 'string' },
    'base-url': { type: 'string' },
    'data-dir': { type: 'string' },
    'in-memory': { type: 'boolean' },
    'grace-period': { type: 'string' },
    'visibility-timeout': { type: 'string' },
    demo: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
});

if (values.help) {
  console.log(
    'usage: npm start -- [--host H] [--port N] [--ws-port N] [--base-url URL] [--data-dir DIR] [--in-memory] [--grace-period S] [--visibility-timeout S] [--demo]',
  );
  process.exit(0);
}

const env = process.env;
function port(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    console.error(`${name} must be a port number (0 to 65535), got '${value}'`);
    process.exit(2);
  }
  return n;
}

function seconds(value: string | undefined, name: string, min: number, max: number): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max) {
    console.error(`${name} must be a number of seconds from ${min} to ${max}, got '${value}'`);
    process.exit(2);
  }
  return n;
}

async function main(): Promise<void> {
  try {
    tuneHeapGrowth();
  } catch (error) {
    console.error((error as Error).message);
    process.exit(2);
  }
  const grace = seconds(values['grace-period'] ?? env.SWITCHBOARD_GRACE_SECONDS, '--grace-period', 0, 3600);
  const visibility = seconds(values['visibility-timeout'] ?? env.SWITCHBOARD_VISIBILITY_TIMEOUT, '--visibility-timeout', 0, 43_200);
  const started = Date.now();
  // A demo aims this engine's Twilio and Meta sends at the fake provider, so it never runs on real data: in memory.
  const demo: DemoProvider | undefined = values.demo ? await startDemoProvider() : undefined;
  if (demo) console.log(`demo mode: in memory; Twilio and Meta sends go to the built-in fake provider at ${demo.url}`);
  const engine = await startEngine({
    host: values.host ?? env.SWITCHBOARD_HOST ?? '127.0.0.1',
    httpPort: port(values.port ?? env.SWITCHBOARD_PORT, 3000, '--port'),
    wsPort: port(values['ws-port'] ?? env.SWITCHBOARD_WS_PORT, 3001, '--ws-port'),
    baseUrl: values['base-url'] ?? env.SWITCHBOARD_BASE_URL,
    dataDir: values['data-dir'] ?? env.SWITCHBOARD_DATA_DIR,
    inMemory: demo ? true : (values['in-memory'] ?? env.SWITCHBOARD_IN_MEMORY === '1'),
    ...(demo ? { env: demo.env } : {}),
    consumerThreads: true,
    ...(grace !== undefined ? { gracePeriodMs: grace * 1000 } : {}),
    ...(visibility !== undefined ? { visibilityTimeoutSeconds: visibility } : {}),
    log: (line) => console.log(line),
  });
  const adminPassword = demo ? env.SWITCHBOARD_ADMIN_PASSWORD || demoPassword() : undefined;
  await engine.bootstrap(adminPassword);
  console.log(`ready in ${Date.now() - started} ms`);
  if (demo && adminPassword) {
    try {
      const tenant = await seedDemo({ httpUrl: engine.httpUrl, baseUrl: engine.baseUrl, adminPassword, log: (line) => console.log(line) });
      console.log(describeDemo(tenant, demo.url));
    } catch (error) {
      console.error(`the demo could not be seeded: ${(error as Error).message}`);
      await engine.stop();
      await demo.stop();
      process.exit(1);
    }
  }

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) {
      console.log(`${signal} again: stopping at once (what did not finish runs after the next start)`);
      process.exit(130);
    }
    stopping = true;
    const since = Date.now();
    console.log(`${signal}: stopping (grace period ${grace ?? 10} s)`);
    engine
      .stop()
      .then(() => demo?.stop())
      .then(() => {
        console.log(`stopped in ${Date.now() - since} ms`);
        process.exit(0);
      })
      .catch((error: Error) => {
        console.error(error);
        process.exit(1);
      });
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((error: Error) => {
  console.error(`could not start: ${error.message}`);
  process.exit(1);
});
