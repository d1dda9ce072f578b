/**
 * What travels on the outbound queue. `send` names a message item the agent path already wrote; `auto-reply` is
 * the whitelist auto-reply the inbound path enqueues before any message item exists (the sender writes it, with the
 * correlation id as its id, so a repeated auto-reply is one message). Retries are the same `send` with attempt + 1.
 */
import * as z from 'zod/mini';

const id = z.string().check(z.minLength(1), z.maxLength(128));

export const sendJobSchema = z.object({
  kind: z.literal('send'),
  accountId: id,
  interactionId: id,
  messageId: id,
  attempt: z.int().check(z.gte(0), z.lte(100)),
});

export const autoReplyJobSchema = z.object({
  kind: z.literal('auto-reply'),
  accountId: id,
  interactionId: id,
  to: z.string().check(z.minLength(1), z.maxLength(64)),
  text: z.string().check(z.minLength(1), z.maxLength(4096)),
  correlationId: id,
});

export const outboundJobSchema = z.discriminatedUnion('kind', [sendJobSchema, autoReplyJobSchema]);

export type SendJob = z.infer<typeof sendJobSchema>;
export type AutoReplyJob = z.infer<typeof autoReplyJobSchema>;
export type OutboundJob = z.infer<typeof outboundJobSchema>;

/** What the outbound DLQ receives for a message that failed for good. */
export interface DeadLetterRecord {
  message: Record<string, unknown>;
  code: string;
  detail: string;
  attempts: number;
}
