/** GET /admin/audit: the filters of the audit log listing. */
import * as z from 'zod/mini';

/** An ISO 8601 instant, normalised to UTC with milliseconds so it compares with stored times as a string. */
export const instant = z.pipe(
  z.string().check(z.refine((s) => /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2})?)?$/.test(s) && !Number.isNaN(Date.parse(s)), 'an ISO 8601 date or date-time')),
  z.transform((s) => new Date(s).toISOString()),
);

export const limitParam = (max: number, fallback: number) =>
  z._default(
    z.pipe(z.string(), z.transform(Number)).check(z.refine((n) => Number.isInteger(n) && n >= 1 && n <= max, `an integer from 1 to ${max}`)),
    fallback,
  );

export const auditListQuery = z.object({
  from: z.optional(instant),
  to: z.optional(instant),
  actorId: z.optional(z.string().check(z.minLength(1), z.maxLength(100))),
  action: z.optional(z.string().check(z.minLength(1), z.maxLength(200))),
  targetId: z.optional(z.string().check(z.minLength(1), z.maxLength(100))),
  targetType: z.optional(z.string().check(z.minLength(1), z.maxLength(50))),
  outcome: z.optional(z.enum(['ok', 'denied', 'failed'])),
  limit: limitParam(200, 50),
  cursor: z.optional(z.string()),
});
export type AuditListQuery = z.infer<typeof auditListQuery>;
