/**
 * The inbound path's contact look-ups, reduced to one read: only the contact's id is needed to thread a message,
 * so the phone marker is read and the contact item is not.
 */
import { KeyTakenError } from '../errors';
import { createContact, findContactByPhone } from '../store/lists';

export { contactIdByPhone } from '../store/lists';

/**
 * The first message from a number, whose phone marker was just read and missing: the contact is created in the
 * account's list straight away (no second read); a concurrent creator's contact wins the race and is used.
 */
export async function createContactId(listId: string, phone: string): Promise<string> {
  try {
    return (await createContact({ listId, phone })).id;
  } catch (error) {
    if (!(error instanceof KeyTakenError)) throw error;
    const winner = await findContactByPhone(listId, phone);
    if (!winner) throw error;
    return winner.id;
  }
}
