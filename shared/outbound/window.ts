/**
 * The WhatsApp customer-service window, as the outbound path applies it: free-form messages (text, media, canned
 * answers, video links) only while the window the customer's last message opened is still open; templates always.
 * Pure: the enqueue use cases and the sender feed it plain values, before anything is written or sent.
 */
import { AppError, type ErrorDetail } from '../errors';
import { WHATSAPP_WINDOW_MS } from '../domain/interaction';
import { RECONTACT_PROVIDERS } from '../providers';
import type { Channel, ProviderType } from '../providers/types';
import type { OutboundTemplate } from '../store/outbound';

export interface WindowFacts {
  channel: Channel;
  windowExpiresAt?: string;
  lastInboundAt?: string;
}

/** When the window closes (ms), or undefined when the channel has none (SMS). */
export function windowClosesAt(facts: WindowFacts): number | undefined {
  if (facts.channel !== 'whatsapp') return undefined;
  if (facts.windowExpiresAt) return Date.parse(facts.windowExpiresAt);
  if (facts.lastInboundAt) return Date.parse(facts.lastInboundAt) + WHATSAPP_WINDOW_MS;
  // A WhatsApp conversation the customer never wrote in has no window: only a template may open it.
  return Number.NEGATIVE_INFINITY;
}

/** Whether a message of this shape may not go out now: free text on WhatsApp after the window closed. */
export function windowRefuses(facts: WindowFacts, isTemplate: boolean, nowMs: number): boolean {
  if (isTemplate) return false;
  const closesAt = windowClosesAt(facts);
  return closesAt !== undefined && !(closesAt > nowMs);
}

/**
 * 409 WINDOW_CLOSED. `recontact.offer` is the account's recontact template where its provider has one (Meta,
 * Kaleyra), the admin chose it and it is APPROVED: the agent is offered to send that instead. It is repeated in the
 * details so the HTTP error body carries it. `recontact.unavailable` says why the chosen one cannot be offered now.
 */
export class WindowClosedError extends AppError {
  readonly recontactTemplate?: OutboundTemplate;
  constructor(
    readonly closedAt: string | undefined,
    recontact: Recontact = {},
  ) {
    const details: ErrorDetail[] = [
      { path: 'interaction.windowExpiresAt', message: `the WhatsApp customer-service window ${closedAt ? `closed at ${closedAt}` : 'was never opened'}` },
    ];
    if (recontact.offer) {
      const offer: ErrorDetail & { template: OutboundTemplate } = {
        path: 'recontactTemplate',
        message: `send the account's recontact template '${recontact.offer.name}' instead`,
        template: recontact.offer,
      };
      details.push(offer);
    } else if (recontact.unavailable) {
      details.push({ path: 'recontactTemplate', message: recontact.unavailable });
    }
    super(409, 'WINDOW_CLOSED', 'free text cannot be sent after the WhatsApp customer-service window closed; send a template', details);
    if (recontact.offer) this.recontactTemplate = recontact.offer;
  }
}

/** The account's recontact template as the WINDOW_CLOSED answer has it (see ./stored-template.ts). */
export interface Recontact {
  offer?: OutboundTemplate;
  unavailable?: string;
}

/** Whether the account's provider has recontact templates (Meta, Kaleyra). */
export function hasRecontact(type: ProviderType): boolean {
  return RECONTACT_PROVIDERS.includes(type);
}

export function windowClosedError(facts: WindowFacts, recontact: Recontact = {}): WindowClosedError {
  const closesAt = windowClosesAt(facts);
  const closedAt = closesAt !== undefined && Number.isFinite(closesAt) ? new Date(closesAt).toISOString() : undefined;
  return new WindowClosedError(closedAt, recontact);
}
