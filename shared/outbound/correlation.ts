/**
 * Which providers carry our correlation id through to their status callbacks, and in which form. This decides what
 * the sender does when it finds a message it had started to send but never recorded (a crash between the provider
 * call and the write): where the provider echoes the reference, the status callback can reconcile the message, so
 * the sender must not send again; where it does not, the only way to be sure the customer gets the reply is to send
 * again (at least once).
 *
 * Read from each module's buildSend: Bandwidth `tag`, ClickSend `custom_string`, Clickatell `clientMessageId`,
 * Infobip `messageId` (our id is its message id) and `callbackData`, IntelePeer `guid`, Skebby `user_reference`
 * (at most 20 characters, so a ULID travels hashed), Meta `biz_opaque_callback_data`, Kaleyra `extra_info.ref`,
 * Sinch `correlation_id`. Twilio, Telnyx and Plivo take no client reference on a send. Connectel and CSC Telecom
 * send `reference` and an Idempotency-Key, but their status callbacks (our own contract) name only their id.
 */
import { userReference } from '../providers/skebby';
import type { ProviderType } from '../providers/types';

export const ECHOES_CORRELATION: Readonly<Record<ProviderType, boolean>> = {
  bandwidth: true,
  clicksend: true,
  clickatell: true,
  infobip: true,
  intelepeer: true,
  skebby: true,
  meta: true,
  kaleyra: true,
  sinch: true,
  twilio: false,
  telnyx: false,
  plivo: false,
  connectel: false,
  csctelecom: false,
};

/** The reference as the provider will echo it back for a message with this correlation id. */
export function correlationRef(type: ProviderType, correlationId: string): string {
  return type === 'skebby' ? userReference(correlationId) : correlationId;
}
