/**
 * Reads back what the inbound processor stored, for the benchmark: through the store's own
 * repository (shared/store/interactions), by known keys and Queries only, never a Scan. Load it only after the
 * environment names the store (DDB_ENDPOINT, TABLE_NAME): the store client is created when the module loads.
 */
import { listInteractionsOf, listMessages } from '../shared/store/interactions';

export interface StoredTally {
  /** Distinct sent provider ids found stored. */
  stored: number;
  /** Acknowledged (HTTP 200) but not stored. */
  lost: number;
  /** Extra copies: stored messages beyond the first for the same provider id. */
  doubled: number;
  /** Sent ids not acknowledged and not stored (refused or failed requests). */
  notAcknowledged: number;
  /** Messages out of send order within one contact's interaction. */
  outOfOrder: number;
  method: string;
}

/**
 * Counts the messages of `records` stored under the account: the account's interactions (one gsi1 Query on its
 * partition), then, for those of the given contacts, every message (one Query per interaction, in ULID order).
 */
export async function countStored(
  accountId: string,
  contacts: string[],
  records: { providerMessageId: string; contact: string; status: number }[],
): Promise<StoredTally> {
  const wanted = new Set(contacts);
  const sent = new Set(records.map((r) => r.providerMessageId));
  const sendOrder = new Map(records.map((r, i) => [r.providerMessageId, i]));
  const copies = new Map<string, number>();
  let outOfOrder = 0;
  const interactions = (await listInteractionsOf(accountId)).filter((i) => wanted.has(i.contactPhone));
  for (let i = 0; i < interactions.length; i += 16) {
    const lists = await Promise.all(interactions.slice(i, i + 16).map((interaction) => listMessages(interaction.id)));
    for (const messages of lists) {
      let last = -1;
      for (const m of messages) {
        if (m.direction !== 'in' || !m.providerMessageId || !sent.has(m.providerMessageId)) continue;
        copies.set(m.providerMessageId, (copies.get(m.providerMessageId) ?? 0) + 1);
        const position = sendOrder.get(m.providerMessageId) ?? -1;
        if (position < last) outOfOrder += 1;
        last = Math.max(last, position);
      }
    }
  }
  let lost = 0;
  let notAcknowledged = 0;
  for (const r of records) {
    if (copies.has(r.providerMessageId)) continue;
    if (r.status === 200) lost += 1;
    else notAcknowledged += 1;
  }
  const doubled = [...copies.values()].reduce((sum, n) => sum + (n - 1), 0);
  return {
    stored: copies.size,
    lost,
    doubled,
    notAcknowledged,
    outOfOrder,
    method: `Query: the account's ${interactions.length} interactions (gsi1), then each one's messages`,
  };
}
