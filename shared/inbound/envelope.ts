/**
 * What the webhook writes to the inbound FIFO queue and the processor reads back: one normalised provider event
 * with the account it came to and when we received it. The group and deduplication ids are derived here so the
 * webhook and any other producer (the simulator, a replay tool) spell them the same way.
 */
import { createHash } from 'node:crypto';
import type { QueueMessage } from '../ports/queue';
import type { QueuedEvent } from '../providers/types';
import { contentPartSchema } from '../domain/content';
import { PayloadError } from '../errors';
import * as z from 'zod/mini';
import { issuesToDetails } from '../validation';

const text = z.string().check(z.maxLength(100_000));
const id = z.string().check(z.minLength(1), z.maxLength(1024));

const mediaSchema = z.object({ url: text, contentType: z.optional(text), id: z.optional(text) });

export const messageEventSchema = z.object({
  type: z.literal('message'),
  providerMessageId: id,
  from: id,
  to: z.string().check(z.maxLength(1024)),
  text,
  media: z.array(mediaSchema).check(z.maxLength(100)),
  /** Optional so that events queued before messages had parts still process (they read as text and media). */
  parts: z.optional(z.array(contentPartSchema).check(z.maxLength(100))),
  replyTo: z.optional(id),
  providerTimestamp: z.optional(z.string()),
  profileName: z.optional(text),
});

export const statusEventSchema = z.object({
  type: z.literal('status'),
  providerMessageId: id,
  status: z.enum(['queued', 'sent', 'delivered', 'read', 'failed']),
  providerStatus: text,
  errorCode: z.optional(text),
  errorMessage: z.optional(text),
  providerTimestamp: z.optional(z.string()),
  correlationId: z.optional(text),
});

export const templateEventSchema = z.object({
  type: z.literal('template'),
  providerTemplateId: id,
  name: z.optional(z.string().check(z.maxLength(1024))),
  language: z.optional(z.string().check(z.maxLength(64))),
  event: z.optional(z.string().check(z.maxLength(64))),
  reason: z.optional(text),
  quality: z.optional(z.string().check(z.maxLength(64))),
});

/**
 * Checks events as the processor will read them, before the webhook acknowledges anything: an event the processor
 * would drop as malformed (a message with an empty sender, say) is the provider's payload error, answered 400 now.
 */
export function requireWellFormed(events: QueuedEvent[]): void {
  events.forEach((event, i) => {
    const result = (event.type === 'message' ? messageEventSchema : event.type === 'status' ? statusEventSchema : templateEventSchema).safeParse(event);
    if (!result.success) {
      const details = issuesToDetails(result.error.issues, `events.${i}`);
      throw new PayloadError(
        `the payload has an unusable ${event.type}: ${details.map((d) => d.path).join(', ')}`,
        details,
      );
    }
  });
}

export const inboundEnvelopeSchema = z.object({
  v: z.literal(1),
  accountId: z.string().check(z.minLength(1), z.maxLength(64)),
  /** ISO 8601: when the webhook accepted the event. */
  receivedAt: z.iso.datetime(),
  event: z.discriminatedUnion('type', [messageEventSchema, statusEventSchema, templateEventSchema]),
});

export type InboundEnvelope = z.infer<typeof inboundEnvelopeSchema>;
export type MessageEnvelope = InboundEnvelope & { event: z.infer<typeof messageEventSchema> };
export type StatusEnvelope = InboundEnvelope & { event: z.infer<typeof statusEventSchema> };
export type TemplateEnvelope = InboundEnvelope & { event: z.infer<typeof templateEventSchema> };

/** SQS group and deduplication ids: at most 128 printable ASCII characters; anything else travels as its SHA-256. */
export function sqsId(value: string): string {
  return value.length <= 128 && /^[\x21-\x7e]+$/.test(value) ? value : createHash('sha256').update(value).digest('hex');
}

/**
 * One conversation is one message group, so its messages are processed in order; statuses are grouped per message
 * so a slow status never holds up a conversation, and the statuses of one message stay in order.
 */
export function toQueueMessage(accountId: string, event: QueuedEvent, receivedAt: string): QueueMessage {
  const envelope: InboundEnvelope = { v: 1, accountId, receivedAt, event };
  if (event.type === 'template') {
    // One template's reports in order; a repeat of the same report is deduplicated.
    const dedup = `t#${accountId}#${event.providerTemplateId}#${event.event ?? ''}#${event.quality ?? ''}#${event.reason ?? ''}`;
    return { body: JSON.stringify(envelope), groupId: sqsId(`${accountId}#template#${event.providerTemplateId}`), deduplicationId: sqsId(dedup) };
  }
  const group = event.type === 'message' ? `${accountId}#${event.from}` : `${accountId}#status#${event.providerMessageId}`;
  // Deduplication is queue-wide in SQS, so the account is part of the id: two providers may reuse an id.
  const dedup =
    event.type === 'message'
      ? `m#${accountId}#${event.providerMessageId}`
      : `s#${accountId}#${event.providerMessageId}#${event.status}`;
  return { body: JSON.stringify(envelope), groupId: sqsId(group), deduplicationId: sqsId(dedup) };
}
