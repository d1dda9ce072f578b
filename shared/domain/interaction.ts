/**
 * The interaction's pure rules: when one counts as open, the WhatsApp session (an interaction closes itself 24 h
 * after it opened) and customer-service window (24 h after the customer's last message), and the whitelist rule.
 * No I/O: the inbound processor and the store feed these plain values.
 */
import type { Channel, MediaRef } from '../providers/types';
import type { ContentPart } from './content';
import { isPossiblePhone } from './phone';
import type { DeliveryStatus } from '../providers/types';

export const WHATSAPP_SESSION_MS = 24 * 60 * 60 * 1000;
export const WHATSAPP_WINDOW_MS = 24 * 60 * 60 * 1000;

export type InteractionStatus = 'open' | 'closed';
export type CloseReason = 'whitelist' | 'session-expired' | 'agent' | 'inactivity' | 'routing' | (string & {});

export interface Interaction {
  id: string;
  accountId: string;
  channel: Channel;
  contactId: string;
  contactPhone: string;
  listId: string;
  status: InteractionStatus;
  createdAt: string;
  updatedAt: string;
  lastInboundAt: string;
  /** WhatsApp: the customer-service window, last inbound + 24 h; free-form replies only before it. */
  windowExpiresAt?: string;
  /** WhatsApp: createdAt + 24 h; past it the interaction counts as closed. */
  sessionExpiresAt?: string;
  messageCount: number;
  unread: number;
  version: number;
  agentId?: string;
  queueId?: string;
  closedAt?: string;
  closeReason?: CloseReason;
  disposition?: string;
  /**
   * The sender is not a phone number (`notaphone`, `+3933`, an alphanumeric id): the message is kept, but no list
   * contact exists for it and nothing is sent to it automatically.
   */
  senderUnverifiable?: true;
}

/** Whether an inbound sender is a possible E.164 number, the only kind a list contact is made from. */
export function isVerifiablePhone(from: string): boolean {
  return /^\+\d{6,15}$/.test(from) && isPossiblePhone(from);
}

export type MessageStatus = 'received' | DeliveryStatus;

export interface Message {
  interactionId: string;
  /** The ULID in the message's sort key: messages of one interaction sort by it. */
  id: string;
  direction: 'in' | 'out';
  /** A readable rendering of `parts`. */
  text: string;
  media: MediaRef[];
  /** The typed content (shared/domain/content.ts); a message stored before parts existed reads as text and media. */
  parts: ContentPart[];
  /** The message this one quotes: the provider's id, and ours when we have that message. */
  replyTo?: { providerMessageId: string; messageId?: string };
  providerMessageId?: string;
  providerTimestamp?: string;
  receivedAt?: string;
  sentAt?: string;
  status: MessageStatus;
  statusAt?: string;
  errorCode?: string;
  errorMessage?: string;
  agentId?: string;
  /** An incoming message's translation into the agent's language, kept beside the original text. */
  translation?: MessageTranslation;
  /** An outgoing message the agent wrote in its own language: what it wrote; `text` is what the customer received. */
  original?: { text: string; language: string };
}

export interface MessageTranslation {
  text: string;
  /** What the provider detected the original is in. */
  sourceLanguage: string;
  targetLanguage: string;
  provider: 'aws' | 'google';
  at: string;
  /** The agent who asked; absent for the account's automatic translation. */
  agentId?: string;
}

const plus = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();

export function sessionExpiresAt(channel: Channel, createdAt: string): string | undefined {
  return channel === 'whatsapp' ? plus(createdAt, WHATSAPP_SESSION_MS) : undefined;
}

export function windowExpiresAt(channel: Channel, lastInboundAt: string): string | undefined {
  return channel === 'whatsapp' ? plus(lastInboundAt, WHATSAPP_WINDOW_MS) : undefined;
}

/** Past its session a WhatsApp interaction is closed whatever its stored status says. */
export function sessionExpired(interaction: Pick<Interaction, 'sessionExpiresAt'>, nowMs: number): boolean {
  return interaction.sessionExpiresAt !== undefined && Date.parse(interaction.sessionExpiresAt) <= nowMs;
}

export function isOpen(interaction: Pick<Interaction, 'status' | 'sessionExpiresAt'>, nowMs: number): boolean {
  return interaction.status === 'open' && !sessionExpired(interaction, nowMs);
}

/** The whitelist refuses a contact only while it is on and the contact is in none of its lists. */
export function whitelistRefuses(whitelist: { enabled: boolean; listIds: string[] }, memberOfAny: boolean): boolean {
  return whitelist.enabled && !memberOfAny;
}

/**
 * The time a message sorts by: the provider's timestamp (when the customer sent it), never later than when we
 * received it, so a provider clock running ahead cannot push a message after later ones.
 */
export function messageTime(providerTimestamp: string | undefined, receivedAtMs: number): number {
  const t = providerTimestamp === undefined ? NaN : Date.parse(providerTimestamp);
  return Number.isFinite(t) && t > 0 ? Math.min(t, receivedAtMs) : receivedAtMs;
}
