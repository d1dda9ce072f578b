/**
 * Serves the console at /console/ on the engine's HTTP port: the esbuild output (built once, on the first request),
 * config.json naming this engine's WebSocket URL, content types, caching (hashed files for good, the page and its
 * config never), and the console's security headers. Everything else falls through to the API.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { buildConsole, consoleSecurityHeaders, type ConsoleBuild } from '../console-build';

export function consoleServer(wsUrl: string) {
  let build: ConsoleBuild | undefined;
  const security = consoleSecurityHeaders([wsUrl]);
  const config = Buffer.from(JSON.stringify({ apiUrl: '', wsUrl }));

  /** Answers a console request and returns true, or returns false for anything else. */
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    const path = new URL(req.url ?? '/', 'http://local').pathname;
    if (path !== '/console' && !path.startsWith('/console/')) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'METHOD_NOT_ALLOWED', message: 'the console is read-only' } }));
      return true;
    }
    if (path === '/console') {
      res.writeHead(301, { location: '/console/' });
      res.end();
      return true;
    }
    const name = path.slice('/console/'.length) || 'index.html';
    if (name === 'config.json') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store', ...security });
      res.end(req.method === 'HEAD' ? undefined : config);
      return true;
    }
    build ??= buildConsole();
    const file = build.get(name);
    if (!file) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', ...security });
      res.end('Not Found');
      return true;
    }
    res.writeHead(200, {
      'content-type': file.contentType,
      'content-length': String(file.body.length),
      'cache-control': file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      ...security,
    });
    res.end(req.method === 'HEAD' ? undefined : file.body);
    return true;
  };
}
