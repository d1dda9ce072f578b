/** Supervisors' interaction routes: the list view's filters, exports, transcripts and bulk actions. */
import * as z from 'zod/mini';
import { instant, limitParam } from './audit-schema';
import { searchSchema } from './search-schema';

const id = z.string().check(z.minLength(1), z.maxLength(100));

/** GET /admin/interactions and /admin/accounts/{id}/interactions. */
export const interactionListQuery = z.object({
  accountId: z.optional(id),
  /** Start date range (inclusive); a bare date means that whole UTC day at `to`. */
  from: z.optional(instant),
  to: z.optional(instant),
  read: z.optional(z.enum(['true', 'false'])),
  status: z.optional(z.enum(['open', 'closed'])),
  agentId: z.optional(id),
  teamId: z.optional(id),
  queueId: z.optional(id),
  /** Comma-separated: an interaction with any of these tags. */
  tags: z.optional(z.string().check(z.minLength(1), z.maxLength(1000))),
  disposition: z.optional(z.string().check(z.minLength(1), z.maxLength(100))),
  channel: z.optional(z.enum(['sms', 'whatsapp'])),
  contactPhone: z.optional(z.string().check(z.minLength(1), z.maxLength(32))),
  sort: z._default(z.enum(['startedAt', 'lastMessageAt']), 'startedAt'),
  order: z._default(z.enum(['asc', 'desc']), 'desc'),
  limit: limitParam(200, 50),
  cursor: z.optional(z.string()),
});
export type InteractionListQuery = z.infer<typeof interactionListQuery>;

/** Query names people type for the same filters. */
export const LIST_ALIASES: Record<string, string> = {
  agent: 'agentId',
  team: 'teamId',
  queue: 'queueId',
  tag: 'tags',
  phone: 'contactPhone',
  contact: 'contactPhone',
  account: 'accountId',
  startFrom: 'from',
  startTo: 'to',
};

const search = z.object({ match: searchSchema.shape.match, conditions: searchSchema.shape.conditions });

export const idsBody = z.object({ ids: z.array(id).check(z.minLength(1), z.maxLength(1000)) });

/** What an export covers: chosen ids, or every interaction a search matches (in one account or all). */
export const exportSource = z.object({
  ids: z.optional(z.array(id).check(z.minLength(1), z.maxLength(100000))),
  search: z.optional(search),
  accountId: z.optional(id),
});
export type ExportSource = z.infer<typeof exportSource>;

export const exportJobBody = z.object({
  kind: z._default(z.enum(['interactions-csv', 'transcripts']), 'interactions-csv'),
  ids: z.optional(z.array(id).check(z.minLength(1), z.maxLength(100000))),
  search: z.optional(search),
  accountId: z.optional(id),
  attachments: z._default(z.boolean(), false),
});
export type ExportJobBody = z.infer<typeof exportJobBody>;

export const transcriptQuery = z.object({ attachments: z._default(z.enum(['true', 'false']), 'false') });
export const transcriptsBody = z.object({ ids: z.array(id).check(z.minLength(1), z.maxLength(1000)), attachments: z._default(z.boolean(), false) });

export const noteBody = z.object({ text: z.string().check(z.minLength(1), z.maxLength(4000)) });
