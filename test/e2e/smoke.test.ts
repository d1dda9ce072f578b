/**
 * `npm run smoke` against a fresh local engine, as a deployer runs it against a stage: the real command in a child
 * process, over HTTP and WebSocket only. It passes with every step reported and leaves nothing behind; a wrong
 * password fails at the login with exit 1 before anything is created; a failure part-way still removes what was
 * created; a usage mistake exits 2.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { parseOptions, smoke, UsageError } from '../../bin/smoke';
import { ADMIN_PASSWORD, caller, login } from '../support/admin';
import { useEngine } from '../support/engine';

jest.setTimeout(120_000);

const ROOT = join(__dirname, '..', '..');
const engine = useEngine();
const call = caller(() => engine().httpUrl);
let admin = '';

beforeAll(async () => {
  await engine().bootstrap(ADMIN_PASSWORD);
  admin = await login(call, 'admin', ADMIN_PASSWORD);
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function runSmoke(args: string[], env: Record<string, string | undefined> = { SWITCHBOARD_ADMIN_PASSWORD: ADMIN_PASSWORD }): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      join(ROOT, 'node_modules', '.bin', 'tsx'),
      [join(ROOT, 'bin', 'smoke.ts'), ...args],
      { cwd: ROOT, env: { ...process.env, SWITCHBOARD_ADMIN_PASSWORD: undefined, ...env }, timeout: 100_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const endpoints = () => ['--url', engine().httpUrl, '--ws', engine().wsUrl];
const runName = (stdout: string) => /run (smoke[0-9a-f]+)/.exec(stdout)?.[1] ?? '';
const stepLines = (stdout: string) => stdout.split('\n').filter((l) => /^\s+(ok|FAIL)\s/.test(l));

/** What is left in the engine that the run named `run` created. */
async function leftovers(run: string): Promise<string[]> {
  const left: string[] = [];
  const lists = (await call('GET', '/admin/lists?limit=100', { token: admin })).body.items as { name: string }[];
  const accounts = (await call('GET', '/admin/accounts?limit=100', { token: admin })).body.items as { name: string }[];
  const agents = (await call('GET', '/admin/agents?limit=100', { token: admin })).body.items as { username: string }[];
  left.push(...lists.filter((l) => l.name.includes(run)).map((l) => `list ${l.name}`));
  left.push(...accounts.filter((a) => a.name.includes(run)).map((a) => `account ${a.name}`));
  left.push(...agents.filter((a) => a.username === run).map((a) => `agent ${a.username}`));
  return left;
}

it('passes against a fresh engine, printing each step with its time, and removes everything it created', async () => {
  const { code, stdout, stderr } = await runSmoke(endpoints());

  expect({ code, stdout }).toEqual({ code: 0, stdout: expect.stringContaining('smoke: passed') });
  expect(stderr).not.toMatch(/FAIL/);
  expect(stepLines(stdout).slice(0, 11).map((l) => l.replace(/\s+\d+ ms.*$/, '').trim())).toEqual([
    'ok    health',
    'ok    admin login',
    'ok    create a throwaway list',
    'ok    create a throwaway agent',
    'ok    create a throwaway Twilio account',
    'ok    make the agent a member of the account',
    'ok    agent login',
    'ok    agent WebSocket connects',
    'ok    agent goes online',
    'ok    signed inbound Twilio webhook',
    'ok    agent receives the event',
  ]);
  for (const line of stepLines(stdout)) expect(line).toMatch(/^\s+ok\s+.+\s\d+ ms/);
  expect(stdout).toMatch(/agent receives the event\s+\d+ ms\s+interaction\.\w+ for interaction \w+/);
  expect(stdout).toContain('clean-up:');
  expect(stdout).toMatch(/smoke: passed, 11 steps in [\d.]+ s/);
  expect(await leftovers(runName(stdout))).toEqual([]);
});

it('fails at the admin login with exit 1 when the password is wrong, having created nothing', async () => {
  // In-process, the same run the command makes: one child process per case would cost a tsx start-up each.
  const lines: string[] = [];
  const code = await smoke({ url: engine().httpUrl, ws: engine().wsUrl, username: 'admin', password: 'Not-the-pass1', timeoutMs: 30_000 }, (l) => lines.push(l));
  const stdout = lines.join('\n');

  expect(code).toBe(1);
  expect(stepLines(stdout).map((l) => l.trim().split(/\s{2,}/).slice(0, 2).join(' '))).toEqual(['ok health', 'FAIL admin login']);
  expect(stdout).toMatch(/admin login\s+\d+ ms\s+POST \/auth\/login answered 401/);
  expect(stdout).not.toContain('clean-up:');
  expect(stdout).toMatch(/smoke: FAILED after 1 step\(s\) passed/);
});

it('removes what it created when a later step fails (here the WebSocket URL answers nothing)', async () => {
  const { code, stdout } = await runSmoke(['--url', engine().httpUrl, '--ws', 'ws://127.0.0.1:9', '--timeout', '10']);

  expect(code).toBe(1);
  expect(stdout).toMatch(/FAIL\s+agent WebSocket connects/);
  expect(stdout).not.toMatch(/signed inbound Twilio webhook/);
  expect(stdout).toMatch(/clean-up:\n(\s+ok\s+delete (account|agent|list) \w+\s+\d+ ms\n){3}/);
  expect(await leftovers(runName(stdout))).toEqual([]);
});

it('exits 2 naming the password variable when it is not set', async () => {
  const { code, stderr } = await runSmoke(endpoints(), {});

  expect(code).toBe(2);
  expect(stderr).toContain('set SWITCHBOARD_ADMIN_PASSWORD');
});

it('refuses a missing or malformed endpoint and a bad timeout, naming the option', () => {
  const env = process.env.SWITCHBOARD_ADMIN_PASSWORD;
  process.env.SWITCHBOARD_ADMIN_PASSWORD = 'x';
  try {
    expect(() => parseOptions(['--url', 'http://127.0.0.1:1'])).toThrow(new UsageError('--ws is required'));
    expect(() => parseOptions(['--ws', 'ws://127.0.0.1:1'])).toThrow(new UsageError('--url is required'));
    expect(() => parseOptions(['--url', 'ftp://x', '--ws', 'ws://x'])).toThrow(/--url must be a http: or https: URL/);
    expect(() => parseOptions(['--url', 'http://x', '--ws', 'http://x'])).toThrow(/--ws must be a ws: or wss: URL/);
    expect(() => parseOptions(['--url', 'http://x', '--ws', 'ws://x', '--timeout', '0'])).toThrow(/--timeout/);
    expect(parseOptions(['--url', 'https://api.example.com/', '--ws', 'wss://ws.example.com/live'])).toEqual({
      url: 'https://api.example.com',
      ws: 'wss://ws.example.com/live',
      username: 'admin',
      password: 'x',
      timeoutMs: 30_000,
    });
  } finally {
    if (env === undefined) delete process.env.SWITCHBOARD_ADMIN_PASSWORD;
    else process.env.SWITCHBOARD_ADMIN_PASSWORD = env;
  }
});
