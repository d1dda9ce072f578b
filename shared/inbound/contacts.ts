/**
 * The inbound path's contact look-ups, reduced to one read: only the contact's id is needed to thread a message,
 * so the phone marker (`LIST#{listId}` / `PHONE#{phone}`, written by shared/store/lists.ts in the contact's own
 * transaction) is read and the contact item is not.
 */
import { findOrCreateContact } from '../store/lists';
import { getItem } from '../store/util';

/** The id of the contact with this phone in the list, with one GetItem; undefined when there is none. */
export async function contactIdByPhone(listId: string, phone: string): Promise<string | undefined> {
  const marker = await getItem<{ contactId?: string }>({ pk: `LIST#${listId}`, sk: `PHONE#${phone}` });
  return marker?.contactId;
}

/** The first message from a number: the contact is created in the account's list (safe under races). */
export async function findOrCreateContactId(listId: string, phone: string): Promise<string> {
  return (await findOrCreateContact(listId, phone)).contact.id;
}
