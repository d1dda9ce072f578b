/** The body of every `POST .../search`: conditions, any/all, and for interactions sort and paging. */
import * as z from 'zod/mini';
import { OPERATORS } from '../domain/search';

const condition = z.object({
  field: z.string().check(z.minLength(1), z.maxLength(100)),
  operator: z.string().check(z.minLength(1), z.maxLength(50)),
  value: z.optional(z.unknown()),
  disabled: z.optional(z.boolean()),
});

export const searchSchema = z.object({
  match: z._default(z.enum(['all', 'any']), 'all'),
  conditions: z.array(condition).check(z.maxLength(50)),
  sort: z.optional(z.string().check(z.maxLength(50))),
  order: z.optional(z.enum(['asc', 'desc'])),
  limit: z._default(z.number().check(z.int(), z.minimum(1), z.maximum(500)), 50),
  cursor: z.optional(z.string()),
});
export type SearchBody = z.infer<typeof searchSchema>;

/** What a search document names as operators (the catalog says which apply to which type). */
export const operatorNames = OPERATORS;
