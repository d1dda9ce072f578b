/**
 * The agent API's bodies and query parameters (functions/agent-api.ts), kept apart from the handler so the OpenAPI
 * document can describe them without loading the store or the send path.
 */
import { ULID } from '../http/params';
import * as z from 'zod/mini';

const ulidSchema = z.string().check(z.regex(ULID, 'an id (26-character ULID)'));

export const presenceSchema = z.object({
  status: z.enum(['online', 'paused', 'offline']),
  /** Why the agent paused (only kept with `paused`). */
  reason: z.optional(z.string().check(z.minLength(1), z.maxLength(100))),
});

export const agentInteractionsQuery = z.object({
  status: z.optional(z.enum(['open', 'closed'])),
  /** One account; without it, every account the caller may see (all of them for supervisors and admins). */
  accountId: z.optional(ulidSchema),
  scope: z._default(z.enum(['all', 'mine', 'offered', 'unassigned']), 'all'),
  limit: z._default(z.pipe(z.string(), z.transform(Number)).check(z.refine((n) => Number.isInteger(n) && n >= 1 && n <= 500, 'an integer from 1 to 500')), 100),
  /** `nextCursor` of the previous page. */
  cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(2048))),
});
export type AgentInteractionsQuery = z.infer<typeof agentInteractionsQuery>;

export const closeSchema = z.object({ disposition: z.optional(z.string().check(z.minLength(1), z.maxLength(100))) });
export const transferSchema = z.object({ queueId: z.optional(ulidSchema), agentId: z.optional(ulidSchema) });
export const tagsSchema = z.object({ tags: z.array(z.string().check(z.minLength(1), z.maxLength(50))).check(z.maxLength(20)) });
export const agentNoteSchema = z.object({ text: z.string().check(z.minLength(1), z.maxLength(4000)) });
export const cannedSchema = z.object({ cannedAnswerId: ulidSchema });
export const cannedQuery = z.object({ accountId: z.optional(ulidSchema) });

/** POST /agent/interactions/{id}/assist: how many suggestions, and retrieval or the account's generative mode. */
export const assistSchema = z.object({
  limit: z._default(z.int().check(z.gte(1), z.lte(10)), 3),
  mode: z.optional(z.enum(['retrieval', 'generative'])),
});
