/**
 * The message content model every provider maps onto, inbound and outbound: a message is a list of typed parts
 * (text, media, location, contacts, interactive replies, reactions, orders, templates, system notices, and the
 * provider's own unsupported types kept with their raw payload), and its `text` is a readable rendering of them for
 * notifications, search and transcripts. Pure: the provider modules build parts, the store keeps them, the agent
 * API and the WebSocket events carry them. Types come from the schemas, which the inbound queue envelope and the
 * agent API both check.
 */
import type { MediaRef } from '../providers/types';
import * as z from 'zod/mini';

const short = z.string().check(z.maxLength(1024));
const long = z.string().check(z.maxLength(100_000));
const latitude = z.number().check(z.gte(-90), z.lte(90));
const longitude = z.number().check(z.gte(-180), z.lte(180));

export const MEDIA_KINDS = ['image', 'video', 'audio', 'document', 'sticker'] as const;

export const textPartSchema = z.object({ type: z.literal('text'), text: long });

/** A media item: at the provider (url, or the provider's media id where it addresses media by id). */
export const mediaPartSchema = z.object({
  type: z.literal('media'),
  url: z.optional(long),
  id: z.optional(short),
  kind: z.optional(z.enum(MEDIA_KINDS)),
  contentType: z.optional(short),
  caption: z.optional(long),
  filename: z.optional(short),
});

export const locationPartSchema = z.object({
  type: z.literal('location'),
  latitude,
  longitude,
  name: z.optional(short),
  address: z.optional(short),
  url: z.optional(short),
});

const labelled = z.object({ value: short, type: z.optional(short) });
/** vCard-like: Meta's `contacts[]` fields, the subset every provider can fill. */
export const contactCardSchema = z.object({
  name: z.optional(short),
  firstName: z.optional(short),
  lastName: z.optional(short),
  organization: z.optional(short),
  phones: z.optional(
    z.array(z.object({ value: short, type: z.optional(short), waId: z.optional(short) })).check(z.maxLength(50)),
  ),
  emails: z.optional(z.array(labelled).check(z.maxLength(50))),
  urls: z.optional(z.array(labelled).check(z.maxLength(50))),
  addresses: z.optional(z.array(labelled).check(z.maxLength(50))),
  birthday: z.optional(short),
});
export const contactsPartSchema = z.object({
  type: z.literal('contacts'),
  contacts: z.array(contactCardSchema).check(z.maxLength(50)),
});

/** A reply to our buttons or list (id and title), or a WhatsApp Flow's answer (name, body, response JSON). */
export const interactiveReplyPartSchema = z.object({
  type: z.literal('interactive_reply'),
  kind: z.enum(['button', 'list', 'flow']),
  id: z.optional(short),
  title: z.optional(short),
  description: z.optional(short),
  name: z.optional(short),
  body: z.optional(long),
  responseJson: z.optional(long),
});

/** A reaction to a message (`messageId`: the provider's id of the message reacted to); no emoji = removed. */
export const reactionPartSchema = z.object({
  type: z.literal('reaction'),
  emoji: z.optional(short),
  removed: z.boolean(),
  messageId: z.optional(short),
});

export const orderPartSchema = z.object({
  type: z.literal('order'),
  catalogId: z.optional(short),
  text: z.optional(long),
  items: z
    .array(
      z.object({ productId: short, quantity: z.number(), price: z.optional(z.number()), currency: z.optional(short) }),
    )
    .check(z.maxLength(500)),
});

export const templatePartSchema = z.object({
  type: z.literal('template'),
  name: short,
  language: z.optional(short),
  parameters: z.array(z.string().check(z.maxLength(4096))).check(z.maxLength(50)),
});

/** A notice from the platform rather than the customer: a changed number, an identity change, ... */
export const systemPartSchema = z.object({
  type: z.literal('system'),
  kind: short,
  text: long,
  newId: z.optional(short),
});

/** A type this model has no part for: the provider's type word and its raw payload, so nothing is dropped. */
export const unsupportedPartSchema = z.object({
  type: z.literal('unsupported'),
  providerType: short,
  raw: z.string().check(z.maxLength(64_000)),
  reason: z.optional(short),
});

const title = z.string().check(z.minLength(1), z.maxLength(24));
/** WhatsApp reply buttons (up to 3) or a list (a button opening up to 10 rows in sections). */
export const interactivePartSchema = z
  .object({
    type: z.literal('interactive'),
    body: z.string().check(z.minLength(1), z.maxLength(1024)),
    header: z.optional(z.string().check(z.minLength(1), z.maxLength(60))),
    footer: z.optional(z.string().check(z.minLength(1), z.maxLength(60))),
    buttons: z.optional(
      z
        .array(
          z.object({
            id: z.string().check(z.minLength(1), z.maxLength(256)),
            title: z.string().check(z.minLength(1), z.maxLength(20)),
          }),
        )
        .check(z.minLength(1), z.maxLength(3)),
    ),
    list: z.optional(
      z.object({
        button: z.string().check(z.minLength(1), z.maxLength(20)),
        sections: z
          .array(
            z.object({
              title: z.optional(title),
              rows: z
                .array(
                  z.object({
                    id: z.string().check(z.minLength(1), z.maxLength(200)),
                    title,
                    description: z.optional(z.string().check(z.maxLength(72))),
                  }),
                )
                .check(z.minLength(1), z.maxLength(10)),
            }),
          )
          .check(z.minLength(1), z.maxLength(10)),
      }),
    ),
  })
  .check(
    z.refine((p) => (p.buttons === undefined) !== (p.list === undefined), {
      message: 'exactly one of buttons or list',
      path: ['buttons'],
    }),
  );

export const contentPartSchema = z.discriminatedUnion('type', [
  textPartSchema,
  mediaPartSchema,
  locationPartSchema,
  contactsPartSchema,
  interactiveReplyPartSchema,
  reactionPartSchema,
  orderPartSchema,
  templatePartSchema,
  systemPartSchema,
  unsupportedPartSchema,
  // What an agent sent: reply buttons or a list (the customer's answer comes back as an interactive_reply).
  interactivePartSchema,
]);

export type ContentPart = z.infer<typeof contentPartSchema>;
export type ContentPartType = ContentPart['type'];
export type TextPart = z.infer<typeof textPartSchema>;
export type MediaPart = z.infer<typeof mediaPartSchema>;
export type LocationPart = z.infer<typeof locationPartSchema>;
export type ContactCard = z.infer<typeof contactCardSchema>;
export type ContactsPart = z.infer<typeof contactsPartSchema>;
export type InteractiveReplyPart = z.infer<typeof interactiveReplyPartSchema>;
export type ReactionPart = z.infer<typeof reactionPartSchema>;
export type OrderPart = z.infer<typeof orderPartSchema>;
export type SystemPart = z.infer<typeof systemPartSchema>;
export type UnsupportedPart = z.infer<typeof unsupportedPartSchema>;

export const CONTENT_PART_TYPES: readonly ContentPartType[] = [
  'text',
  'media',
  'location',
  'contacts',
  'interactive_reply',
  'reaction',
  'order',
  'template',
  'system',
  'unsupported',
  'interactive',
];

// ---------------------------------------------------------------------------------------------------------------
// Outbound: what an agent may send

export const outboundPartSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), text: z.string().check(z.minLength(1), z.maxLength(4096)) }),
  z.object({
    type: z.literal('media'),
    url: z.url({ protocol: /^https?$/ }),
    contentType: z.optional(z.string().check(z.minLength(1), z.maxLength(255))),
    caption: z.optional(z.string().check(z.maxLength(1024))),
    filename: z.optional(z.string().check(z.minLength(1), z.maxLength(255))),
  }),
  z.object({
    type: z.literal('location'),
    latitude,
    longitude,
    name: z.optional(z.string().check(z.minLength(1), z.maxLength(1000))),
    address: z.optional(z.string().check(z.minLength(1), z.maxLength(1000))),
  }),
  interactivePartSchema,
]);

export type OutboundPart = z.infer<typeof outboundPartSchema>;
export type OutboundPartType = OutboundPart['type'];
export type InteractivePart = z.infer<typeof interactivePartSchema>;
export type OutboundLocation = Extract<OutboundPart, { type: 'location' }>;

// ---------------------------------------------------------------------------------------------------------------
// Rendering

const coordinates = (lat: number, lng: number) => `(${lat}, ${lng})`;

/** One part as a line a person reads ("📍 Twilio HQ, 375 Beale St (37.7749, -122.4194)"). */
export function renderPart(part: ContentPart): string {
  switch (part.type) {
    case 'text':
      return part.text;
    case 'media': {
      const label = part.filename ?? part.kind ?? part.contentType?.split('/')[0] ?? 'media';
      return part.caption ? `📎 ${label}: ${part.caption}` : `📎 ${label}`;
    }
    case 'location': {
      const label = [part.name, part.address].filter(Boolean).join(', ');
      return `📍 ${label ? `${label} ` : ''}${coordinates(part.latitude, part.longitude)}`;
    }
    case 'contacts':
      return part.contacts
        .map(
          (c) =>
            `👤 ${[c.name ?? [c.firstName, c.lastName].filter(Boolean).join(' '), ...(c.phones ?? []).map((p) => p.value)].filter(Boolean).join(' ')}`,
        )
        .join('\n');
    case 'interactive_reply':
      if (part.kind === 'flow')
        return `📝 ${part.body ?? part.name ?? 'form'}${part.responseJson ? `: ${part.responseJson}` : ''}`;
      return part.title ?? part.id ?? '';
    case 'reaction':
      return part.removed ? 'Removed a reaction' : `Reacted ${part.emoji ?? ''}`.trimEnd();
    case 'order': {
      const items = part.items.map(
        (i) =>
          `${i.quantity} × ${i.productId}${i.price !== undefined ? ` @ ${i.price}${i.currency ? ` ${i.currency}` : ''}` : ''}`,
      );
      return [
        `🛒 Order${part.catalogId ? ` (catalog ${part.catalogId})` : ''}: ${items.join(', ') || 'no items'}`,
        part.text,
      ]
        .filter(Boolean)
        .join('\n');
    }
    case 'template':
      return `[template ${part.name}] ${part.parameters.join(' | ')}`.trimEnd();
    case 'system':
      return `ℹ️ ${part.text}`;
    case 'unsupported':
      return `[unsupported ${part.providerType} message]`;
    case 'interactive':
      return [
        part.header,
        part.body,
        ...(part.buttons ?? []).map((b) => `[${b.title}]`),
        ...(part.list ? [`[${part.list.button}]`] : []),
        part.footer,
      ]
        .filter(Boolean)
        .join('\n');
  }
}

/**
 * A message's readable text: its parts' renderings, one per line. A media item shows as its caption; uncaptioned
 * media show as their kind only when nothing else would, so a photo sent with a text reads as that text.
 */
export function renderParts(parts: readonly ContentPart[]): string {
  const lines = parts
    .map((p) => (p.type === 'media' ? (p.caption ?? '') : renderPart(p)))
    .filter((line) => line !== '');
  if (lines.length > 0) return lines.join('\n');
  return parts
    .filter((p) => p.type === 'media')
    .map(renderPart)
    .join('\n');
}

/** The media references of a message's media parts, in order: the n-th is `/media/{n}` of the agent API. */
export function mediaRefsOf(parts: readonly ContentPart[]): MediaRef[] {
  return parts.flatMap((p): MediaRef[] =>
    p.type === 'media' && (p.url || p.id)
      ? [{ url: p.url ?? '', ...(p.contentType ? { contentType: p.contentType } : {}), ...(p.id ? { id: p.id } : {}) }]
      : [],
  );
}

/** Parts of a message stored before messages had parts: its text, then its media. */
export function partsOf(message: { text?: string; media?: MediaRef[]; parts?: ContentPart[] }): ContentPart[] {
  if (message.parts && message.parts.length > 0) return message.parts;
  return [
    ...(message.text ? [{ type: 'text' as const, text: message.text }] : []),
    ...(message.media ?? []).map((m): MediaPart => ({
      type: 'media',
      url: m.url,
      ...(m.contentType ? { contentType: m.contentType } : {}),
      ...(m.id ? { id: m.id } : {}),
    })),
  ];
}

/** Text and media as parts (the providers whose messages are only that). */
export function textAndMedia(text: string, media: MediaRef[] = []): ContentPart[] {
  return partsOf({ text, media });
}

/** The raw payload of an unsupported part, bounded so it always fits a message item. */
export function rawOf(value: unknown): string {
  const raw = typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
  return raw.length > 64_000 ? raw.slice(0, 64_000) : raw;
}
