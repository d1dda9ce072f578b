/**
 * JSON-lines logger. Every field whose name looks like a credential is replaced before the line is written, so a
 * credential cannot reach the logs even when a whole object is logged by mistake.
 */
import { config } from './config';

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const;
type Level = Exclude<keyof typeof LEVELS, 'silent'>;

const SECRET_KEY = /pass(word)?|secret|token|api[-_]?key|auth|credential|private|signature|cookie/i;

export function redact(value: unknown, depth = 0): unknown {
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) ? '[redacted]' : redact(v, depth + 1);
  return out;
}

let sink: (line: string) => void = (line) => process.stdout.write(line + '\n');

/** Tests capture every line through this to prove no credential value is ever logged. */
export function setLogSink(next: (line: string) => void): () => void {
  const previous = sink;
  sink = next;
  return () => {
    sink = previous;
  };
}

function write(level: Level, message: string, fields?: Record<string, unknown>): void {
  if (LEVELS[level] < LEVELS[config.LOG_LEVEL]) return;
  sink(JSON.stringify({ level, time: new Date().toISOString(), message, ...(redact(fields ?? {}) as object) }));
}

export const log = {
  debug: (message: string, fields?: Record<string, unknown>) => write('debug', message, fields),
  info: (message: string, fields?: Record<string, unknown>) => write('info', message, fields),
  warn: (message: string, fields?: Record<string, unknown>) => write('warn', message, fields),
  error: (message: string, fields?: Record<string, unknown>) => write('error', message, fields),
};
