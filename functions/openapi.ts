/**
 * GET /openapi.json: the OpenAPI 3.1 document of every route in the wiring. Public. The document is generated at
 * build time (bin/openapi.ts writes ./openapi.json, which the cloud ships beside this bundle: the wiring's `files`),
 * so this bundle carries neither the generator nor the API's schemas; it is read at the first request, when the
 * deployment's base URL is added as its server.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { receiveBase } from '../shared/admin/urls';
import { anonymousHttpApi } from '../shared/http/edge';

let body: string | undefined;

function documentText(): string {
  const document = JSON.parse(readFileSync(join(__dirname, 'openapi.json'), 'utf8')) as { openapi: string; info: unknown };
  const { openapi, info, ...rest } = document;
  return JSON.stringify({ openapi, info, servers: [{ url: receiveBase() }], ...rest });
}

export const handler = anonymousHttpApi({
  'GET /openapi.json': async () => {
    body ??= documentText();
    return { statusCode: 200, headers: { 'content-type': 'application/json', 'cache-control': 'public, max-age=300' }, body };
  },
});
