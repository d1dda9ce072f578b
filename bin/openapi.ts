/**
 * Writes functions/openapi.json: the OpenAPI 3.1 document of every wired route (shared/admin/openapi.ts builds it
 * from the route table and the zod schemas). GET /openapi.json serves this file, so no function bundle carries the
 * generator, every schema of the API and `z.toJSONSchema` to build the document at its first request. The CDK app
 * rewrites it before every synth; test/unit/openapi-complete.test.ts fails while the file is stale. By hand:
 * `npx tsx bin/openapi.ts`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { httpRoutes } from '../lib/wiring';
import { openApiDocument } from '../shared/admin/openapi';

export const OPENAPI_FILE = join(__dirname, '..', 'functions', 'openapi.json');

/** The file's text: the document without `servers` (the deployment's base URL is added when it is served). */
export function openApiText(): string {
  return `${JSON.stringify(openApiDocument(httpRoutes))}\n`;
}

/** Writes the file when its text changed; true when it did. */
export function writeOpenApi(): boolean {
  const text = openApiText();
  let current: string | undefined;
  try {
    current = readFileSync(OPENAPI_FILE, 'utf8');
  } catch {
    current = undefined;
  }
  if (current === text) return false;
  writeFileSync(OPENAPI_FILE, text);
  return true;
}

if (require.main === module) {
  console.log(writeOpenApi() ? `wrote ${OPENAPI_FILE}` : `${OPENAPI_FILE} is current`);
}
