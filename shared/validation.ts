/**
 * zod at the edges: every body, query, queue message and timer payload goes through `parseInput`, which turns
 * zod issues into a ValidationError naming each offending field. zod/mini keeps handler bundles small as long as each
 * module imports it as its own namespace (`import * as z from 'zod/mini'`): a namespace passed on through another
 * module can no longer be tree-shaken, and the whole of zod (every locale, the JSON Schema code) lands in every
 * bundle. For the same reason the English messages are the one locale imported by name.
 */
import * as z from 'zod/mini';
import { en } from 'zod/locales';
import { ValidationError, type ErrorDetail } from './errors';

z.config(en());

export function issuesToDetails(issues: readonly z.core.$ZodIssue[], prefix = ''): ErrorDetail[] {
  return issues.map((issue) => {
    const path = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
    return { path: path || prefix || '(root)', message: issue.message };
  });
}

/** Parses `input` or throws a 400 naming every bad field, prefixed with where it came from (body, query...). */
export function parseInput<S extends z.ZodMiniType>(schema: S, input: unknown, where = 'body'): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data as z.infer<S>;
  const details = issuesToDetails(result.error.issues, where);
  throw new ValidationError(`invalid ${where}: ${details.map((d) => d.path).join(', ')}`, details);
}
