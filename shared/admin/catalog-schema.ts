/**
 * What an admin may write on dispositions (how an agent closes an interaction) and canned answers (mustache
 * templates an agent inserts into a reply), general or belonging to one account.
 */
import Mustache from 'mustache';
import * as z from 'zod/mini';

const text = (max: number) => z.string().check(z.minLength(1), z.maxLength(max));
const description = z.string().check(z.maxLength(2000));

/** Parsed once here so that a template that cannot render is refused when written, not when an agent uses it. */
const mustacheTemplate = z.string().check(
  z.minLength(1),
  z.maxLength(4000),
  z.refine((t) => {
    try {
      Mustache.parse(t);
      return true;
    } catch {
      return false;
    }
  }, 'not a valid mustache template (unclosed or mismatched tag)'),
);
const shortcut = z.string().check(z.regex(/^[A-Za-z0-9_-]{1,32}$/, 'letters, digits, - and _ only (1 to 32)'));

export const dispositionCreateSchema = z.object({ name: text(100), description: z.optional(description) });
export type DispositionCreate = z.infer<typeof dispositionCreateSchema>;

export const dispositionPatchSchema = z.object({ name: z.optional(text(100)), description: z.optional(z.nullable(description)) });
export type DispositionPatch = z.infer<typeof dispositionPatchSchema>;

export const cannedAnswerCreateSchema = z.object({ name: text(255), text: mustacheTemplate, shortcut: z.optional(shortcut) });
export type CannedAnswerCreate = z.infer<typeof cannedAnswerCreateSchema>;

export const cannedAnswerPatchSchema = z.object({
  name: z.optional(text(255)),
  text: z.optional(mustacheTemplate),
  shortcut: z.optional(z.nullable(shortcut)),
});
export type CannedAnswerPatch = z.infer<typeof cannedAnswerPatchSchema>;

export const catalogListQuery = z.object({
  q: z.optional(z.string().check(z.maxLength(200))),
  sort: z.optional(z.enum(['name', 'createdAt', 'updatedAt'])),
  order: z.optional(z.enum(['asc', 'desc'])),
  limit: z._default(
    z.pipe(z.string(), z.transform(Number)).check(z.refine((n) => Number.isInteger(n) && n >= 1 && n <= 200, 'an integer from 1 to 200')),
    50,
  ),
  cursor: z.optional(z.string()),
});

/** Longest knowledge document, in characters (a DynamoDB item holds 400 KB). */
export const MAX_KNOWLEDGE_CHARS = 100_000;

/** POST /admin/accounts/{id}/knowledge: a plain text or Markdown document the assistant draws on. */
export const knowledgeCreateSchema = z.object({
  name: z.string().check(z.minLength(1), z.maxLength(255)),
  format: z._default(z.enum(['text', 'markdown']), 'markdown'),
  text: z.string().check(z.minLength(1), z.maxLength(MAX_KNOWLEDGE_CHARS)),
});
