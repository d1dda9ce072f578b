/**
 * The agents' tools settings (`settings.tools` of an account), apart from the rest of the account schema so that
 * the inbound path and the agent API read them without the account's validators (phone metadata, templates).
 */
import * as z from 'zod/mini';

const text = (max: number) => z.string().check(z.minLength(1), z.maxLength(max));

/** A language code as Amazon Translate and Google take it (ISO 639-1, optionally with a region or script: `pt-PT`, `zh-TW`). */
export const languageCode = z.string().check(z.regex(/^[a-z]{2,3}(-[A-Za-z]{2,4})?$/, 'a language code such as en, it, pt-PT'));

export const TRANSLATION_PROVIDERS = ['aws', 'google'] as const;
export type TranslationProvider = (typeof TRANSLATION_PROVIDERS)[number];

export const translationDefaults = { enabled: false, provider: 'aws' as const, language: 'en', agentLanguages: {}, auto: false };
export const assistantDefaults = { enabled: false, knowledge: { accountCanned: true, generalCanned: true, documents: true }, generative: false };

export const translationSettingsSchema = z.object({
  enabled: z._default(z.boolean(), false),
  /** `aws`: Amazon Translate; `google`: Google Cloud Translation v3 (needs `google.projectId` and its write-only `google.apiKey`). */
  provider: z._default(z.enum(TRANSLATION_PROVIDERS), 'aws'),
  /** The agents' working language: what customers' messages are translated into. */
  language: z._default(languageCode, 'en'),
  /** Per-agent override of the working language: agent id → language. */
  agentLanguages: z._default(z.record(z.string().check(z.minLength(1), z.maxLength(64)), languageCode).check(z.refine((r) => Object.keys(r).length <= 500, 'at most 500 agents')), {}),
  /** Translate every incoming message as it arrives (never holding its delivery back). */
  auto: z._default(z.boolean(), false),
  google: z.optional(
    z.object({
      projectId: z.string().check(z.regex(/^[a-z][a-z0-9-]{4,61}[a-z0-9]$/, 'a Google Cloud project id')),
      /** Write-only: kept with the credentials, never returned. */
      apiKey: z.optional(text(512)),
    }),
  ),
});

export const assistantSettingsSchema = z.object({
  enabled: z._default(z.boolean(), false),
  /** What the assistant draws on: the account's canned answers, the general ones, the documents admins uploaded. */
  knowledge: z._default(
    z.object({
      accountCanned: z._default(z.boolean(), true),
      generalCanned: z._default(z.boolean(), true),
      documents: z._default(z.boolean(), true),
    }),
    { accountCanned: true, generalCanned: true, documents: true },
  ),
  /** Generative suggestions through Amazon Bedrock (the model named by BEDROCK_MODEL_ID); retrieval only when off. */
  generative: z._default(z.boolean(), false),
});

export const toolsSchema = z.object({
  translation: z._default(translationSettingsSchema, translationDefaults),
  assistant: z._default(assistantSettingsSchema, assistantDefaults),
});

export type ToolsSettings = z.infer<typeof toolsSchema>;

/** An account's tools with their defaults: accounts stored before tools existed read as everything off. */
export function toolsOf(settings: { tools?: unknown }): ToolsSettings {
  const parsed = toolsSchema.safeParse(settings.tools ?? {});
  return parsed.success ? parsed.data : toolsSchema.parse({});
}
