/**
 * What an admin may write on contact lists and their contacts. A contact's phone must be a possible number and is
 * stored in E.164 (`normaliseE164`), so the inbound path finds the contact whatever format the admin typed.
 */
import * as z from 'zod/mini';
import { isPossiblePhone } from '../domain/phone';

const text = (max: number) => z.string().check(z.minLength(1), z.maxLength(max));
const description = z.string().check(z.maxLength(2000));
const limit = z._default(
  z.pipe(z.string(), z.transform(Number)).check(z.refine((n) => Number.isInteger(n) && n >= 1 && n <= 200, 'an integer from 1 to 200')),
  50,
);

export const MAX_CONTACT_FIELDS = 50;

export const listCreateSchema = z.object({ name: text(255), description: z.optional(description) });
export type ListCreate = z.infer<typeof listCreateSchema>;

export const listPatchSchema = z.object({ name: z.optional(text(255)), description: z.optional(z.nullable(description)) });
export type ListPatch = z.infer<typeof listPatchSchema>;

export const listListQuery = z.object({
  q: z.optional(z.string().check(z.maxLength(200))),
  sort: z.optional(z.enum(['name', 'createdAt', 'updatedAt'])),
  order: z.optional(z.enum(['asc', 'desc'])),
  limit,
  cursor: z.optional(z.string()),
});

const e164 = z.string().check(
  z.maxLength(32),
  z.refine(isPossiblePhone, 'not a phone number (E.164, e.g. +393331234567)'),
);

const customFields = z.record(z.string().check(z.minLength(1), z.maxLength(64)), z.string().check(z.maxLength(1000))).check(
  z.refine((r) => Object.keys(r).length <= MAX_CONTACT_FIELDS, `at most ${MAX_CONTACT_FIELDS} fields`),
);

export const contactCreateSchema = z.object({
  phone: e164,
  firstName: z.optional(text(255)),
  lastName: z.optional(text(255)),
  email: z.optional(z.email()),
  fields: z.optional(customFields),
});
export type ContactCreate = z.infer<typeof contactCreateSchema>;

/** PATCH: every field optional; null clears an optional one; `fields` replaces the whole set. */
export const contactPatchSchema = z.object({
  phone: z.optional(e164),
  firstName: z.optional(z.nullable(text(255))),
  lastName: z.optional(z.nullable(text(255))),
  email: z.optional(z.nullable(z.email())),
  fields: z.optional(z.nullable(customFields)),
});
export type ContactPatch = z.infer<typeof contactPatchSchema>;

export const contactListQuery = z.object({
  q: z.optional(z.string().check(z.maxLength(200))),
  sort: z.optional(z.enum(['phone', 'firstName', 'lastName', 'email', 'createdAt', 'updatedAt'])),
  order: z.optional(z.enum(['asc', 'desc'])),
  limit,
  cursor: z.optional(z.string()),
});
