/**
 * What an admin may write on WhatsApp templates and campaigns (`/admin/whatsapp/templates`,
 * `/admin/whatsapp/campaigns`). The shapes are checked here; the rules that need more than one field (parameter
 * numbering, examples per parameter, a mapping for every template parameter) live in `shared/domain/`.
 */
import { TEMPLATE_CATEGORIES, TEMPLATE_STATUSES } from '../domain/templates';
import { CAMPAIGN_STATUSES, RECIPIENT_STATUSES } from '../domain/campaigns';
import * as z from 'zod/mini';

const text = (max: number) => z.string().check(z.minLength(1), z.maxLength(max));
const id = text(64);

const header = z.object({
  type: z.literal('HEADER'),
  format: z._default(z.enum(['TEXT', 'IMAGE', 'VIDEO', 'DOCUMENT']), 'TEXT'),
  text: z.optional(z.string().check(z.maxLength(1000))),
  example: z.optional(text(2000)),
});
const body = z.object({
  type: z.literal('BODY'),
  text: z.string().check(z.maxLength(5000)),
  examples: z.optional(z.union([z.array(z.string().check(z.maxLength(1000))).check(z.maxLength(100)), z.record(z.string(), z.string().check(z.maxLength(1000)))])),
});
const footer = z.object({ type: z.literal('FOOTER'), text: z.string().check(z.maxLength(1000)) });
const button = z.discriminatedUnion('type', [
  z.object({ type: z.literal('QUICK_REPLY'), text: text(200) }),
  z.object({ type: z.literal('URL'), text: text(200), url: z.url({ protocol: /^https?$/ }), example: z.optional(text(2000)) }),
  z.object({ type: z.literal('PHONE_NUMBER'), text: text(200), phoneNumber: z.string().check(z.regex(/^\+[1-9]\d{6,14}$/, 'E.164, such as +393331234567')) }),
]);
const buttons = z.object({ type: z.literal('BUTTONS'), buttons: z.array(button).check(z.maxLength(20)) });

export const templateCreateSchema = z.object({
  accountId: id,
  name: z.string().check(z.maxLength(1000)),
  language: z.string().check(z.maxLength(20)),
  category: z.enum(TEMPLATE_CATEGORIES),
  parameterFormat: z._default(z.enum(['POSITIONAL', 'NAMED']), 'POSITIONAL'),
  components: z.array(z.discriminatedUnion('type', [header, body, footer, buttons])).check(z.minLength(1), z.maxLength(10)),
});
export type TemplateCreate = z.infer<typeof templateCreateSchema>;

export const templateListQuery = z.object({
  accountId: z.optional(id),
  status: z.optional(z.enum(TEMPLATE_STATUSES)),
  q: z.optional(z.string().check(z.maxLength(200))),
  sort: z.optional(z.enum(['name', 'createdAt', 'updatedAt', 'status'])),
  order: z.optional(z.enum(['asc', 'desc'])),
  limit: z._default(
    z.pipe(z.string(), z.transform(Number)).check(z.refine((n) => Number.isInteger(n) && n >= 1 && n <= 200, 'an integer from 1 to 200')),
    50,
  ),
  cursor: z.optional(z.string()),
});

const hhmm = z.string().check(z.regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM, 24-hour'));
const timeZone = z.string().check(
  z.refine((tz) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }, 'an IANA time zone such as Europe/Rome'),
);

export const parameterSourceSchema = z.union([
  z.object({ field: text(100) }),
  z.object({ value: z.string().check(z.maxLength(1024)) }),
]);

export const scheduleSchema = z.object({
  /** When sending may start (ISO 8601); absent: as soon as the campaign is started. */
  startAt: z.optional(z.iso.datetime({ offset: true })),
  /** The daily sending window, in its time zone; absent: any time of day. */
  window: z.optional(
    z.object({
      from: hhmm,
      to: hhmm,
      timeZone,
      /** ISO weekdays, 1 = Monday ... 7 = Sunday; absent: every day. */
      days: z.optional(z.array(z.int().check(z.gte(1), z.lte(7))).check(z.minLength(1), z.maxLength(7))),
    }),
  ),
});

const campaignFields = {
  name: text(200),
  templateId: id,
  listIds: z.array(id).check(z.minLength(1), z.maxLength(20)),
  /** Each template parameter (by its name: "1", "2", ... or the named parameter) from a contact field or a constant. */
  parameters: z._default(z.record(z.string().check(z.maxLength(100)), parameterSourceSchema), {}),
  schedule: z._default(scheduleSchema, {}),
  /** Messages per second; default: the provider's documented throughput share (see README). */
  ratePerSecond: z.optional(z.number().check(z.gt(0), z.lte(1000))),
};

export const campaignCreateSchema = z.object({ accountId: id, ...campaignFields });

/** Body names people type for the same campaign fields (the "rate limit"); the stored name wins when both are given. */
export const CAMPAIGN_ALIASES: Record<string, string> = { rateLimit: 'ratePerSecond' };

/** A campaign body with its aliases renamed, so that `{ "rateLimit": 5 }` is not silently dropped. */
export function campaignBody(raw: unknown): unknown {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return raw;
  const body: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    const name = CAMPAIGN_ALIASES[k] ?? k;
    if (!(name in body) || name === k) body[name] = v;
  }
  return body;
}
export type CampaignCreate = z.infer<typeof campaignCreateSchema>;

export const campaignPatchSchema = z.object({
  name: z.optional(campaignFields.name),
  templateId: z.optional(id),
  listIds: z.optional(campaignFields.listIds),
  parameters: z.optional(z.record(z.string().check(z.maxLength(100)), parameterSourceSchema)),
  schedule: z.optional(scheduleSchema),
  ratePerSecond: z.optional(z.nullable(z.number().check(z.gt(0), z.lte(1000)))),
});
export type CampaignPatch = z.infer<typeof campaignPatchSchema>;

const limit = (max: number, dflt: number) =>
  z._default(
    z.pipe(z.string(), z.transform(Number)).check(z.refine((n) => Number.isInteger(n) && n >= 1 && n <= max, `an integer from 1 to ${max}`)),
    dflt,
  );

export const campaignListQuery = z.object({
  accountId: z.optional(id),
  status: z.optional(z.enum(CAMPAIGN_STATUSES)),
  q: z.optional(z.string().check(z.maxLength(200))),
  sort: z.optional(z.enum(['name', 'createdAt', 'updatedAt', 'status'])),
  order: z.optional(z.enum(['asc', 'desc'])),
  limit: limit(200, 50),
  cursor: z.optional(z.string()),
});

export const recipientListQuery = z.object({
  status: z.optional(z.enum(RECIPIENT_STATUSES)),
  phone: z.optional(z.string().check(z.maxLength(32))),
  limit: limit(1000, 100),
  cursor: z.optional(z.string().check(z.maxLength(200))),
});

export const recipientExportQuery = z.object({ status: z.optional(z.enum(RECIPIENT_STATUSES)) });
