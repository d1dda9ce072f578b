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
 * 409 WINDOW_CLOSED. `recontactTemplate` is the account's recontact template where its provider has one (Meta,
 * Kaleyra) and the admin set it: the agent is offered to send that instead. It is repeated in the details so the
 * HTTP error body carries it.
 */
export class WindowClosedError extends AppError {
  constructor(
    readonly closedAt: string | undefined,
    readonly recontactTemplate?: OutboundTemplate,
  ) {
    const details: ErrorDetail[] = [
      { path: 'interaction.windowExpiresAt', message: `the WhatsApp customer-service window ${closedAt ? `closed at ${closedAt}` : 'was never opened'}` },
    ];
    if (recontactTemplate) {
      const offer: ErrorDetail & { template: OutboundTemplate } = {
        path: 'recontactTemplate',
        message: `send the account's recontact template '${recontactTemplate.name}' instead`,
        template: recontactTemplate,
      };
      details.push(offer);
    }
    super(409, 'WINDOW_CLOSED', 'free text cannot be sent after the WhatsApp customer-service window closed; send a template', details);
  }
}

/** The recontact template an account offers, when its provider has them. */
export function recontactOffer(account: { type: ProviderType; settings: { recontactTemplate?: OutboundTemplate } }): OutboundTemplate | undefined {
  return RECONTACT_PROVIDERS.includes(account.type) ? account.settings.recontactTemplate : undefined;
}

export function windowClosedError(facts: WindowFacts, account: { type: ProviderType; settings: { recontactTemplate?: OutboundTemplate } }): WindowClosedError {
  const closesAt = windowClosesAt(facts);
  const closedAt = closesAt !== undefined && Number.isFinite(closesAt) ? new Date(closesAt).toISOString() : undefined;
  return new WindowClosedError(closedAt, recontactOffer(account));
}
