/**
 * The documented shape of every path parameter, checked at the edge before anything reads the store: a 5,000
 * character id is a 400 naming the parameter, never a DynamoDB key-size error (a 500). Ids are ULIDs (26 Crockford
 * base-32 characters, as `ulid()` makes them); the proxy token is base64url; a media index is a small number.
 */
import { ValidationError, type ErrorDetail } from '../errors';

export const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

const FORMATS: Record<string, { pattern: RegExp; message: string }> = {
  id: { pattern: ULID, message: 'an id (26-character ULID)' },
  accountId: { pattern: ULID, message: 'an account id (26-character ULID)' },
  agentId: { pattern: ULID, message: 'an agent id (26-character ULID)' },
  contactId: { pattern: ULID, message: 'a contact id (26-character ULID)' },
  dispositionId: { pattern: ULID, message: 'a disposition id (26-character ULID)' },
  cannedAnswerId: { pattern: ULID, message: 'a canned answer id (26-character ULID)' },
  messageId: { pattern: ULID, message: 'a message id (26-character ULID)' },
  documentId: { pattern: ULID, message: 'a knowledge document id (26-character ULID)' },
  index: { pattern: /^\d{1,3}$/, message: 'a media index (0 to 999)' },
  token: { pattern: /^[A-Za-z0-9_-]{1,128}$/, message: 'a proxy token (base64url, at most 128 characters)' },
};

/** The parameter names every route of the wiring may use (the role × route matrix test checks them all). */
export const PARAM_NAMES = Object.keys(FORMATS);

/** The parameter's shape for the OpenAPI document. */
export function paramSchema(name: string): { pattern?: string; description?: string } {
  const format = FORMATS[name];
  return format ? { pattern: format.pattern.source, description: format.message } : {};
}

/** Longest query-string value accepted on any route (an export's `ids=` of 100 ULIDs fits). */
export const MAX_QUERY_VALUE = 4096;

export function checkParams(params: Record<string, string>, query: Record<string, string> = {}): void {
  const details: ErrorDetail[] = [];
  for (const [name, value] of Object.entries(params)) {
    const format = FORMATS[name];
    if (!format) details.push({ path: `path.${name}`, message: 'unknown parameter' });
    else if (!format.pattern.test(value)) details.push({ path: `path.${name}`, message: `must be ${format.message}` });
  }
  for (const [name, value] of Object.entries(query)) {
    if (name.length > 64) details.push({ path: `query.${name.slice(0, 64)}`, message: 'parameter name too long' });
    else if (value.length > MAX_QUERY_VALUE) details.push({ path: `query.${name}`, message: `at most ${MAX_QUERY_VALUE} characters` });
  }
  if (details.length) throw new ValidationError(`invalid request: ${details.map((d) => d.path).join(', ')}`, details);
}
