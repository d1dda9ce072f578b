/**
 * DynamoDB refusals that are the client's doing: an item over 400 KB, a key over 2,048 bytes (1,024 for a sort
 * key). The edge bounds ids, strings and lists so these should not happen; when one slips through it is a 413 or a
 * 400, never a 500. Any other store error stays a 500: it is ours.
 */
import { AppError, ValidationError } from '../errors';

const ITEM_SIZE = /item size|maximum allowed size/i;
const KEY_SIZE = /key.*(size|bytes|length)|(size|length).*key/i;

function classify(message: string): AppError | undefined {
  if (ITEM_SIZE.test(message)) return new AppError(413, 'PAYLOAD_TOO_LARGE', 'the record would exceed the store item size limit (400 KB)');
  if (KEY_SIZE.test(message)) return new ValidationError('an id is too long', [{ path: 'request', message: 'an id or key value exceeds the store key limit' }]);
  return undefined;
}

export function storeErrorToAppError(error: unknown): AppError | undefined {
  const e = error as { name?: string; message?: string; CancellationReasons?: { Code?: string; Message?: string }[] } | undefined;
  if (!e || typeof e.message !== 'string') return undefined;
  if (e.name === 'ValidationException') return classify(e.message);
  if (e.name === 'TransactionCanceledException') {
    for (const reason of e.CancellationReasons ?? []) {
      if (reason.Code === 'ValidationError') {
        const mapped = classify(reason.Message ?? '');
        if (mapped) return mapped;
      }
    }
    return classify(e.message);
  }
  return undefined;
}
