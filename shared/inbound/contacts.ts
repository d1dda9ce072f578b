/**
 * The inbound path's contact look-ups, reduced to one read: only the contact's id is needed to thread a message,
 * so the phone marker is read and the contact item is not.
 */
import { findOrCreateContact } from '../store/lists';

export { contactIdByPhone } from '../store/lists';

/** The first message from a number: the contact is created in the account's list (safe under races). */
export async function findOrCreateContactId(listId: string, phone: string): Promise<string> {
  return (await findOrCreateContact(listId, phone)).contact.id;
}
