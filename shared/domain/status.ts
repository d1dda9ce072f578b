/**
 * Delivery statuses only move forward: queued < sent < delivered < read, and failed is final. Providers deliver
 * status callbacks at least once and out of order (a `sent` may arrive after its `delivered`), so a status is
 * applied only when its rank is above the one the message holds; the store turns the rank into a write condition.
 */
import type { DeliveryStatus } from '../providers/types';

/** `failed` ranks above everything, so nothing replaces it and it replaces anything short of itself. */
export const STATUS_RANK: Readonly<Record<DeliveryStatus, number>> = {
  queued: 1,
  sent: 2,
  delivered: 3,
  read: 4,
  failed: 5,
};

export function statusRank(status: DeliveryStatus): number {
  return STATUS_RANK[status];
}

/** Whether `next` may replace `current` (undefined: the message has no delivery status yet). */
export function canAdvance(current: DeliveryStatus | undefined, next: DeliveryStatus): boolean {
  return current === undefined || statusRank(next) > statusRank(current);
}

/** The status that wins of two, for parking the best one seen before its message is known. */
export function furthest(a: DeliveryStatus | undefined, b: DeliveryStatus): DeliveryStatus {
  return canAdvance(a, b) ? b : (a as DeliveryStatus);
}
