/** The agent API's reply body, kept apart so the OpenAPI document can describe it without loading the send path. */
import { outboundPartSchema } from '../domain/content';
import * as z from 'zod/mini';

const mediaSchema = z.object({
  url: z.url({ protocol: /^https?$/ }),
  contentType: z.optional(z.string().check(z.minLength(1), z.maxLength(255))),
  caption: z.optional(z.string().check(z.maxLength(1024))),
  filename: z.optional(z.string().check(z.minLength(1), z.maxLength(255))),
});
/** The agent API's reply body: text and media as before, or typed parts (text, media by URL, location, buttons/list). */
export const replyBodySchema = z.object({
  text: z.optional(z.string().check(z.maxLength(4096))),
  media: z.optional(z.array(mediaSchema).check(z.maxLength(10))),
  parts: z.optional(z.array(outboundPartSchema).check(z.maxLength(10))),
  /** Translate `text` into the customer's language before sending (the account's translation must be on). */
  translate: z.optional(z.boolean()),
  /** The customer's language for `translate`; by default the one detected on their latest translated message. */
  language: z.optional(z.string().check(z.regex(/^[a-z]{2,3}(-[A-Za-z]{2,4})?$/, 'a language code such as en, it, pt-PT'))),
});

/** POST /agent/interactions/{id}/reply/preview: the reply's translation, shown to the agent, nothing sent. */
export const replyPreviewSchema = z.object({
  text: z.string().check(z.minLength(1), z.maxLength(4096)),
  language: z.optional(z.string().check(z.regex(/^[a-z]{2,3}(-[A-Za-z]{2,4})?$/, 'a language code such as en, it, pt-PT'))),
});

/**
 * A WhatsApp template sent by name: its language (optional for a template the account holds in one language, and for
 * the account's recontact template) and its parameter values in order (header first).
 */
export const templateSchema = z.object({
  name: z.string().check(z.minLength(1), z.maxLength(512)),
  language: z.optional(z.string().check(z.minLength(1), z.maxLength(20))),
  parameters: z._default(z.array(z.string().check(z.maxLength(1024))).check(z.maxLength(50)), []),
});
