/**
 * `<dataDir>/engine.json`: where a running local engine can be reached. The engine writes it once it is ready and
 * removes it when it stops; `npm run simulate` (and any other local tool) reads it to find the engine and its store.
 * The file holds no secrets, but it names the store endpoint, so it is written owner-only (0600) all the same.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface EngineInfo {
  httpUrl: string;
  wsUrl: string;
  baseUrl: string;
  storeEndpoint: string;
  tableName: string;
  pid: number;
}

export const ENGINE_INFO_FILE = 'engine.json';

export function engineInfoPath(dataDir: string): string {
  return join(dataDir, ENGINE_INFO_FILE);
}

/** True when a process with this pid exists (EPERM: it exists but belongs to someone else). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isEngineInfo(value: unknown): value is EngineInfo {
  if (!value || typeof value !== 'object') return false;
  const v = value as Record<string, unknown>;
  return (
    ['httpUrl', 'wsUrl', 'baseUrl', 'storeEndpoint', 'tableName'].every((k) => typeof v[k] === 'string') &&
    typeof v.pid === 'number'
  );
}

/** The engine file in dataDir; undefined when there is none. Throws when it exists but is not an engine file. */
export function readEngineInfo(dataDir: string): EngineInfo | undefined {
  const file = engineInfoPath(dataDir);
  if (!existsSync(file)) return undefined;
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (!isEngineInfo(parsed)) throw new Error(`${file} is not a Switchboard engine file`);
  return parsed;
}

/**
 * Writes the engine file (0600), creating dataDir when needed. It does not overwrite the file of another engine
 * that is still alive (an in-memory test engine must not hide a running `npm start`); returns whether it wrote.
 */
export function writeEngineInfo(dataDir: string, info: EngineInfo): boolean {
  mkdirSync(dataDir, { recursive: true });
  const file = engineInfoPath(dataDir);
  try {
    const current = readEngineInfo(dataDir);
    if (current && current.pid !== info.pid && processAlive(current.pid)) return false;
  } catch {
    // An unreadable file is overwritten.
  }
  writeFileSync(file, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return true;
}

/** Removes the engine file, only when it still describes this engine (same pid and HTTP address). */
export function removeEngineInfo(dataDir: string, info: Pick<EngineInfo, 'pid' | 'httpUrl'>): void {
  try {
    const current = readEngineInfo(dataDir);
    if (current && current.pid === info.pid && current.httpUrl === info.httpUrl) unlinkSync(engineInfoPath(dataDir));
  } catch {
    // Already gone or not ours to remove.
  }
}
