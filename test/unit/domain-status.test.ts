import { canAdvance, furthest, statusRank } from '../../shared/domain/status';
import type { DeliveryStatus } from '../../shared/providers/types';

const ORDER: DeliveryStatus[] = ['queued', 'sent', 'delivered', 'read'];

describe('delivery status rule', () => {
  it('lets a message without a status take any status', () => {
    for (const s of [...ORDER, 'failed' as const]) expect(canAdvance(undefined, s)).toBe(true);
  });

  it('moves forward through queued, sent, delivered, read', () => {
    ORDER.forEach((current, i) => {
      ORDER.forEach((next, j) => expect([current, next, canAdvance(current, next)]).toEqual([current, next, j > i]));
    });
  });

  it('keeps delivered when sent arrives after it', () => {
    expect(canAdvance('delivered', 'sent')).toBe(false);
  });

  it('treats failed as final', () => {
    for (const s of [...ORDER, 'failed' as const]) expect(canAdvance('failed', s)).toBe(false);
  });

  it('lets failed replace any status short of it', () => {
    for (const s of ORDER) expect(canAdvance(s, 'failed')).toBe(true);
  });

  it('does not apply the same status twice', () => {
    for (const s of [...ORDER, 'failed' as const]) expect(canAdvance(s, s)).toBe(false);
  });

  it('keeps the furthest of two statuses', () => {
    expect(furthest('delivered', 'sent')).toBe('delivered');
    expect(furthest('sent', 'read')).toBe('read');
    expect(furthest(undefined, 'queued')).toBe('queued');
    expect(furthest('read', 'failed')).toBe('failed');
  });

  it('ranks statuses strictly, so the store can compare ranks in a condition', () => {
    const ranks = [...ORDER, 'failed' as const].map(statusRank);
    expect(new Set(ranks).size).toBe(ranks.length);
    expect([...ranks].sort((a, b) => a - b)).toEqual(ranks);
  });
});
