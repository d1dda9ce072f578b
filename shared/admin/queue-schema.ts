/** What an admin may write on a queue: a name, how it offers interactions to its members, a description. */
import * as z from 'zod/mini';
import { ULID } from '../http/params';

export const QUEUE_STRATEGIES = ['ring-all', 'round-robin', 'least-recent', 'fewest-handled'] as const;

const name = z.string().check(z.minLength(1), z.maxLength(255));
const description = z.string().check(z.maxLength(2000));
const strategy = z.enum(QUEUE_STRATEGIES);

/** How long one offer rings an agent in a one-at-a-time queue before the next agent is tried. */
const offerTimeoutSeconds = z.int().check(z.gte(1), z.lte(3600));

export const DEFAULT_OFFER_TIMEOUT_SECONDS = 30;

export const queueCreateSchema = z.object({
  name,
  strategy: z._default(strategy, 'ring-all'),
  description: z.optional(description),
  offerTimeoutSeconds: z._default(offerTimeoutSeconds, DEFAULT_OFFER_TIMEOUT_SECONDS),
  /** Offer an interaction again to an agent who rejected it or let it time out during the same wait. */
  reofferDeclined: z._default(z.boolean(), false),
});
export type QueueCreate = z.infer<typeof queueCreateSchema>;

/** PATCH: every field optional; `description: null` clears it. */
export const queuePatchSchema = z.object({
  name: z.optional(name),
  strategy: z.optional(strategy),
  description: z.optional(z.nullable(description)),
  offerTimeoutSeconds: z.optional(offerTimeoutSeconds),
  reofferDeclined: z.optional(z.boolean()),
});
export type QueuePatch = z.infer<typeof queuePatchSchema>;

export const queueListQuery = z.object({
  q: z.optional(z.string().check(z.maxLength(200))),
  strategy: z.optional(strategy),
  sort: z.optional(z.enum(['name', 'strategy', 'createdAt', 'updatedAt'])),
  order: z.optional(z.enum(['asc', 'desc'])),
  limit: z._default(z.pipe(z.string(), z.transform(Number)).check(z.refine((n) => Number.isInteger(n) && n >= 1 && n <= 200, 'an integer from 1 to 200')), 50),
  cursor: z.optional(z.string()),
});

/** GET /agent/queues/{id}/waiting */
export const waitingLineQuery = z.object({
  limit: z._default(z.pipe(z.string(), z.transform(Number)).check(z.refine((n) => Number.isInteger(n) && n >= 1 && n <= 1000, 'an integer from 1 to 1000')), 100),
});

/** GET /supervisor/board: one account's figures only (queues and agents are always all shown). */
export const boardQuery = z.object({
  accountId: z.optional(z.string().check(z.regex(ULID, 'an account id (ULID)'))),
  /** Narrows the board to a team: its agents, and the queues and accounts any of them serves. */
  teamId: z.optional(z.string().check(z.regex(ULID, 'a team id (ULID)'))),
});
