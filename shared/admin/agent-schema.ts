/** What an admin may write on an agent: the product's fields, the password policy, typology-specific settings. */
import { passwordProblems } from '../domain/password';
import { DEFAULT_CAPACITY, MAX_CAPACITY } from '../domain/queueing';
import { ROLES } from '../http/auth';
import * as z from 'zod/mini';

const text = (max: number) => z.string().check(z.minLength(1), z.maxLength(max));

export const passwordSchema = z.string().check(
  z.superRefine((value, ctx) => {
    const problems = passwordProblems(value);
    if (problems.length) ctx.addIssue({ code: 'custom', message: `the password needs ${problems.join(', ')}`, input: value });
  }),
);

export const usernameSchema = z.string().check(z.regex(/^[A-Za-z0-9._]{1,64}$/, 'letters, digits, . and _ only (1 to 64)'));
const extensionSchema = z.string().check(z.regex(/^\d{2,10}$/, '2 to 10 digits'));
const typology = z.enum(['phonebar', 'external', 'webrtc', 'mobile']);
/** A push gateway is called with the agent's notifications: https only, never javascript: or data: URLs. */
const httpsUrl = z.url({ protocol: /^https$/, hostname: z.regexes.domain }).check(z.maxLength(2048));
/** Interactions an agent may hold at once on a channel: 0 takes no work on it. */
const slots = z.int().check(z.gte(0), z.lte(MAX_CAPACITY));
const capacitySchema = z.object({ sms: z._default(slots, DEFAULT_CAPACITY), whatsapp: z._default(slots, DEFAULT_CAPACITY) });

const agentFields = {
  fullName: text(255),
  username: usernameSchema,
  alias: z.optional(text(255)),
  typology: z._default(typology, 'webrtc'),
  email: z.optional(z.email()),
  extension: z.optional(extensionSchema),
  description: z.optional(z.string().check(z.maxLength(2000))),
  voicemail: z._default(z.boolean(), false),
  remoteControl: z._default(z.boolean(), false),
  remoteControlPort: z.optional(z.int().check(z.gte(1), z.lte(65535))),
  pushGateway: z.optional(httpsUrl),
  role: z._default(z.enum(ROLES), 'agent'),
  disabled: z._default(z.boolean(), false),
  capacity: z._default(capacitySchema, { sms: DEFAULT_CAPACITY, whatsapp: DEFAULT_CAPACITY }),
};

export const agentCreateSchema = z.object({ ...agentFields, password: z.optional(passwordSchema) });

export const agentPatchSchema = z.object({
  fullName: z.optional(text(255)),
  username: z.optional(usernameSchema),
  alias: z.optional(z.nullable(text(255))),
  typology: z.optional(typology),
  email: z.optional(z.nullable(z.email())),
  extension: z.optional(extensionSchema),
  description: z.optional(z.nullable(z.string().check(z.maxLength(2000)))),
  voicemail: z.optional(z.boolean()),
  remoteControl: z.optional(z.boolean()),
  remoteControlPort: z.optional(z.nullable(z.int().check(z.gte(1), z.lte(65535)))),
  pushGateway: z.optional(z.nullable(httpsUrl)),
  role: z.optional(z.enum(ROLES)),
  disabled: z.optional(z.boolean()),
  /** Either channel alone may be given; the other keeps its value. */
  capacity: z.optional(z.object({ sms: z.optional(slots), whatsapp: z.optional(slots) })),
  /** An admin's explicit lock (the agents page's Locked state): true locks and ends the user's sessions, false unlocks. */
  locked: z.optional(z.boolean()),
  password: z.optional(passwordSchema),
});

export const agentListQuery = z.object({
  q: z.optional(z.string().check(z.maxLength(200))),
  typology: z.optional(typology),
  role: z.optional(z.enum(ROLES)),
  disabled: z.optional(z.enum(['true', 'false'])),
  locked: z.optional(z.enum(['true', 'false'])),
  sort: z.optional(z.enum(['fullName', 'username', 'extension', 'createdAt', 'updatedAt'])),
  order: z.optional(z.enum(['asc', 'desc'])),
  limit: z._default(z.pipe(z.string(), z.transform(Number)).check(z.refine((n) => Number.isInteger(n) && n >= 1 && n <= 200, 'an integer from 1 to 200')), 50),
  cursor: z.optional(z.string()),
});

export const loginSchema = z.object({ username: z.string().check(z.minLength(1), z.maxLength(64)), password: z.string().check(z.minLength(1), z.maxLength(256)) });
export const invitationSchema = z.object({ token: z.string().check(z.minLength(1), z.maxLength(4096)), password: passwordSchema });
export const idsSchema = z.object({ ids: z.array(z.string().check(z.minLength(1), z.maxLength(64))).check(z.minLength(1), z.maxLength(100)) });
