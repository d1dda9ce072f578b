/**
 * The sender's listener lists, apart from the sender (./send.ts) so that modules registering listeners (campaigns,
 * wired into the inbound and timers functions too) do not carry the send path, its providers and the cipher port.
 */
import type { SendOutcome } from '../providers/types';
import type { OutboundMessageItem } from '../store/outbound';

/** What became of one provider call (or of a message that failed before one): for listeners such as campaigns. */
export interface SendReport {
  message: OutboundMessageItem;
  outcome: SendOutcome;
  /** A retry is scheduled (the outcome was retryable). */
  retrying: boolean;
}

/**
 * Listeners on send outcomes, wired where the sender is composed (functions/sender.ts). A listener's error fails the
 * queue record, whose redelivery finds the message settled and does not call listeners again: listeners must have
 * their own way to catch up (campaigns re-read the message).
 */
export const afterSend: ((report: SendReport) => Promise<void>)[] = [];

/** Gates asked before a claim: false holds the message back (it stays pending, the job is dropped). */
export const beforeSend: ((message: OutboundMessageItem) => Promise<boolean>)[] = [];
