/**
 * Builds the console (console/: Preact + signals, TypeScript) into static files with esbuild: a content-hashed
 * script and stylesheet, and an index.html that names them. The local engine serves the result from memory at
 * /console/; the cloud stack writes it to a directory that is deployed to the console bucket. config.json is not
 * part of the build: each host writes its own, naming its HTTP API and WebSocket URLs.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildSync } from 'esbuild';

const ROOT = resolve(__dirname, '..');
const SOURCE = join(ROOT, 'console');

export interface ConsoleFile {
  body: Buffer;
  contentType: string;
  /** Content-hashed files never change under their name: they may be cached for good. */
  immutable: boolean;
}

export type ConsoleBuild = Map<string, ConsoleFile>;

const hashed = (name: string, ext: string, body: Buffer) =>
  `${name}-${createHash('sha256').update(body).digest('hex').slice(0, 12)}.${ext}`;

export function buildConsole(): ConsoleBuild {
  const result = buildSync({
    entryPoints: [join(SOURCE, 'src', 'main.tsx'), join(SOURCE, 'styles.css')],
    bundle: true,
    minify: true,
    format: 'esm',
    target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    tsconfig: join(SOURCE, 'tsconfig.json'),
    outdir: 'out',
    write: false,
    legalComments: 'none',
    logLevel: 'silent',
  });
  const js = Buffer.from(result.outputFiles.find((f) => f.path.endsWith('.js'))!.contents);
  const css = Buffer.from(result.outputFiles.find((f) => f.path.endsWith('.css'))!.contents);
  const jsName = hashed('app', 'js', js);
  const cssName = hashed('app', 'css', css);
  const html = readFileSync(join(SOURCE, 'index.html'), 'utf8').replace('%JS%', jsName).replace('%CSS%', cssName);
  return new Map<string, ConsoleFile>([
    ['index.html', { body: Buffer.from(html), contentType: 'text/html; charset=utf-8', immutable: false }],
    [jsName, { body: js, contentType: 'text/javascript; charset=utf-8', immutable: true }],
    [cssName, { body: css, contentType: 'text/css; charset=utf-8', immutable: true }],
  ]);
}

/** Writes the build to a directory (the cloud's deployment source) and returns it. */
export function writeConsole(outdir: string): string {
  mkdirSync(outdir, { recursive: true });
  for (const [name, file] of buildConsole()) writeFileSync(join(outdir, name), file.body);
  return outdir;
}

export interface ConsoleEndpoints {
  /** The HTTP API's base URL as the browser reaches it ('' = the console's own origin). */
  apiUrl: string;
  wsUrl: string;
}

/**
 * The security headers both hosts send with the console: a CSP that allows only the console's own files and the
 * two API endpoints, no framing, no MIME sniffing, no referrer.
 */
export function consoleSecurityHeaders(connectSources: string[]): Record<string, string> {
  const csp = [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' blob: data:",
    "media-src 'self' blob:",
    `connect-src 'self' ${connectSources.join(' ')}`.trim(),
    "font-src 'self'",
    "manifest-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  return {
    'content-security-policy': csp,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
  };
}
