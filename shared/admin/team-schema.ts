/** What an admin may write on a team: a name and a description; members are added one by one. */
import * as z from 'zod/mini';
import { limitParam } from './audit-schema';

const name = z.string().check(z.minLength(1), z.maxLength(255));
const description = z.string().check(z.maxLength(2000));

export const teamCreateSchema = z.object({ name, description: z.optional(description) });
export type TeamCreate = z.infer<typeof teamCreateSchema>;

/** PATCH: every field optional; `description: null` clears it. */
export const teamPatchSchema = z.object({ name: z.optional(name), description: z.optional(z.nullable(description)) });

export const teamListQuery = z.object({
  q: z.optional(z.string().check(z.maxLength(200))),
  sort: z.optional(z.enum(['name', 'createdAt', 'updatedAt'])),
  order: z.optional(z.enum(['asc', 'desc'])),
  limit: limitParam(200, 50),
  cursor: z.optional(z.string()),
});
