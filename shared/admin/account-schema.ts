/**
 * What an admin may write on an account, with the product's defaults and ranges. Provider credentials are checked
 * afterwards by the provider's own schema (the type decides which fields exist), and cross-field rules
 * (the provider must serve the channel, WhatsApp keys are up to 5 alphanumerics, recontact templates only where
 * the provider has them) by `accountRules`.
 */
import Mustache from 'mustache';
import { DEFAULT_OPT_OUT_KEYWORDS } from '../domain/campaigns';
import { patternProblem } from '../domain/pattern';
import { isPossiblePhone } from '../domain/phone';
import { PROVIDER_TYPES } from '../providers/types';
import * as z from 'zod/mini';
import { assistantDefaults, toolsSchema, translationDefaults } from './tools-schema';

export { toolsOf, type ToolsSettings } from './tools-schema';

export const MAX_SECONDS = 2147483;
const seconds = z.int().check(z.gte(1), z.lte(MAX_SECONDS));
const text = (max: number) => z.string().check(z.minLength(1), z.maxLength(max));

export const DEFAULT_NOTIFICATION_TEMPLATE = 'Account: {{account.name}}\n{{#queue}}Queue: {{queue.name}}\n{{/queue}}From: {{contact.mobile}}';

const mustacheTemplate = z.string().check(
  z.maxLength(4000),
  z.refine((t) => {
    try {
      Mustache.parse(t);
      return true;
    } catch {
      return false;
    }
  }, 'not a valid mustache template'),
);

const timeOfDay = z.string().check(z.regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM'));
const timezone = z.string().check(
  z.refine((tz) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }, 'not an IANA time zone'),
);

export const conditionSchema = z.union([
  z.object({
    kind: z.literal('time'),
    timezone,
    intervals: z.array(z.object({ days: z.array(z.int().check(z.gte(0), z.lte(6))), from: timeOfDay, to: timeOfDay })).check(z.minLength(1)),
  }),
  z
    .object({
      kind: z.literal('value'),
      field: z.enum(['contact.phone', 'contact.firstName', 'contact.lastName', 'contact.email', 'contact.listId', 'message.text']),
      op: z.enum(['equals', 'notEquals', 'contains', 'startsWith', 'matches', 'empty', 'notEmpty']),
      value: z.optional(z.string().check(z.maxLength(500))),
    })
    .check(
      // A regex is checked when it is written (RE2 syntax, length cap), not discovered broken on a customer's message.
      z.superRefine((c, ctx) => {
        if (c.op !== 'matches') return;
        const problem = patternProblem(c.value ?? '');
        if (problem) ctx.addIssue({ code: 'custom', path: ['value'], message: problem, input: c.value });
      }),
    ),
]);

export const routingStepSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('queue'), queueId: text(64), timeoutSeconds: seconds }),
  z.object({ type: z.literal('agent'), agentId: text(64), timeoutSeconds: seconds }),
  z.object({ type: z.literal('gotoif'), condition: conditionSchema, then: z.int().check(z.gte(0)), else: z.optional(z.int().check(z.gte(0))) }),
  z.object({ type: z.literal('autoreply'), text: text(1600) }),
  z.object({ type: z.literal('close'), disposition: z.optional(text(100)) }),
]);

export const settingsSchema = z.object({
  waitForAgentSeconds: z._default(seconds, 10),
  waitForQueueSeconds: z._default(seconds, 10),
  /** 0 turns inactivity close off. */
  inactivityTimeoutMinutes: z._default(z.int().check(z.gte(0), z.lte(MAX_SECONDS)), 0),
  transfer: z._default(z.object({ enabled: z._default(z.boolean(), false), timeoutSeconds: z._default(seconds, 30) }), {
    enabled: false,
    timeoutSeconds: 30,
  }),
  notification: z._default(
    z.object({
      sound: z._default(z.boolean(), true),
      shake: z._default(z.boolean(), false),
      template: z._default(mustacheTemplate, DEFAULT_NOTIFICATION_TEMPLATE),
    }),
    { sound: true, shake: false, template: DEFAULT_NOTIFICATION_TEMPLATE },
  ),
  disposition: z._default(z.object({ mandatory: z._default(z.boolean(), false), pauseId: z.optional(text(64)) }), { mandatory: false }),
  /**
   * Meta and Kaleyra: the approved template agents send once the window has closed, one of the account's templates
   * (`/admin/whatsapp/templates`) by name, and language when it exists in several; `parameters`: default values.
   */
  recontactTemplate: z.optional(
    z.object({ name: text(512), language: z.optional(text(20)), parameters: z._default(z.array(z.string().check(z.maxLength(1024))).check(z.maxLength(50)), []) }),
  ),
  /** WhatsApp campaigns: an inbound message that is one of these words opts the contact out of this account's campaigns. */
  optOut: z._default(
    z.object({
      enabled: z._default(z.boolean(), true),
      keywords: z._default(z.array(text(50)).check(z.minLength(1), z.maxLength(50)), [...DEFAULT_OPT_OUT_KEYWORDS]),
    }),
    { enabled: true, keywords: [...DEFAULT_OPT_OUT_KEYWORDS] },
  ),
  whitelist: z._default(
    z.object({
      enabled: z._default(z.boolean(), false),
      listIds: z._default(z.array(text(64)).check(z.maxLength(20)), []),
      autoReply: z._default(z.string().check(z.maxLength(1600)), ''),
    }),
    { enabled: false, listIds: [], autoReply: '' },
  ),
  video: z._default(
    z.object({
      enabled: z._default(z.boolean(), false),
      /** Write-only: kept with the credentials, never returned. */
      apiKey: z.optional(text(512)),
      topic: z.optional(text(255)),
      note: z.optional(z.string().check(z.maxLength(2000))),
      metadata: z.optional(
        z.string().check(
          z.maxLength(10000),
          z.refine((s) => {
            try {
              const v: unknown = JSON.parse(s);
              return typeof v === 'object' && v !== null && !Array.isArray(v);
            } catch {
              return false;
            }
          }, 'must be a JSON object'),
        ),
      ),
    }),
    { enabled: false },
  ),
  routing: z._default(z.array(routingStepSchema).check(z.maxLength(50)), []),
  /** The agents' tools: translation and the answer assistant, each off until an admin turns it on. */
  tools: z._default(toolsSchema, { translation: translationDefaults, assistant: assistantDefaults }),
});

export type AccountSettings = z.infer<typeof settingsSchema>;

const e164 = z.string().check(
  z.refine(isPossiblePhone, 'not a phone number (E.164, e.g. +393331234567)'),
);

/** Longest credential value (a PEM key fits); the provider's own schema then checks which fields exist. */
export const MAX_CREDENTIAL_LENGTH = 8192;
const credentialsSchema = z.record(z.string().check(z.maxLength(64)), z.unknown()).check(
  z.superRefine((credentials, ctx) => {
    const keys = Object.keys(credentials);
    if (keys.length > 40) ctx.addIssue({ code: 'custom', path: [], message: 'at most 40 fields', input: credentials });
    for (const key of keys) {
      const value = credentials[key];
      if (typeof value === 'string' && value.length > MAX_CREDENTIAL_LENGTH) {
        ctx.addIssue({ code: 'custom', path: [key], message: `at most ${MAX_CREDENTIAL_LENGTH} characters`, input: value });
      } else if (value !== null && typeof value === 'object') {
        ctx.addIssue({ code: 'custom', path: [key], message: 'a credential is a string, number or boolean', input: value });
      }
    }
  }),
);

export const accountCreateSchema = z.object({
  channel: z.enum(['sms', 'whatsapp']),
  name: text(255),
  key: text(20),
  type: z.enum(PROVIDER_TYPES),
  phone: e164,
  listId: text(64),
  domain: z.optional(z.url({ protocol: /^https?$/ })),
  description: z.optional(z.string().check(z.maxLength(2000))),
  credentials: credentialsSchema,
  /**
   * The explicit opt-out for providers that sign nothing (Clickatell, ClickSend, Infobip, Skebby, ...): without it such
   * an account needs its webhook basic auth or shared secret in `credentials`.
   */
  allowUnauthenticatedWebhooks: z._default(z.boolean(), false),
  settings: z._default(settingsSchema, settingsSchema.parse({})),
});

export type AccountCreate = z.infer<typeof accountCreateSchema>;

/** PATCH: every field optional; settings merge one level deep; credentials merge field by field. */
export const accountPatchSchema = z.object({
  name: z.optional(text(255)),
  key: z.optional(text(20)),
  type: z.optional(z.enum(PROVIDER_TYPES)),
  phone: z.optional(e164),
  listId: z.optional(text(64)),
  domain: z.optional(z.nullable(z.url({ protocol: /^https?$/ }))),
  description: z.optional(z.nullable(z.string().check(z.maxLength(2000)))),
  credentials: z.optional(credentialsSchema),
  allowUnauthenticatedWebhooks: z.optional(z.boolean()),
  settings: z.optional(z.record(z.string(), z.unknown())),
});

export type AccountPatch = z.infer<typeof accountPatchSchema>;

/** PUT /admin/accounts/{id}/whitelist: the lists whose contacts may write to the account. */
export const whitelistSchema = z.object({ listIds: z.array(text(64)).check(z.maxLength(20)) });
