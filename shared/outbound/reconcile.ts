/**
 * Reconciliation of a send whose answer was lost: the provider accepted the message, but a crash came before we
 * recorded its id, so the message stayed `sending` (or became `unconfirmed`). Providers that echo our reference in
 * their statuses let the first status name the message: it takes the provider's id, and the status applies.
 */
import { nowIso } from '../ports/clock';
import { recordProviderMessageId } from '../store/interactions';
import { findOutboundByRef, markSent, messageSk } from '../store/outbound';

/** True when a message of ours carries this reference (it now has the provider id and the parked status). */
export async function reconcileByReference(accountId: string, providerMessageId: string, reference: string): Promise<boolean> {
  const message = await findOutboundByRef(accountId, reference);
  if (!message) return false;
  // Conditional on the message still being open (pending, sending, unconfirmed): a recorded send is left alone.
  await markSent(message, providerMessageId, nowIso());
  await recordProviderMessageId(accountId, providerMessageId, message.interactionId, messageSk(message.id));
  return true;
}
