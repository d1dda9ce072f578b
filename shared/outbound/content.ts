/**
 * Which content a send can carry: each provider module says which part types it sends per channel (and how many
 * media items one message takes). A reply with a part the account's provider cannot carry is refused here, before
 * anything is written or sent, with `UNSUPPORTED_CONTENT` naming the part; so is a combination one provider
 * message cannot hold (a location or buttons travel alone).
 */
import type { OutboundPart } from '../domain/content';
import { AppError, type ErrorDetail } from '../errors';
import { providerFor } from '../providers';
import type { Account } from '../store/accounts';

export class UnsupportedContentError extends AppError {
  constructor(message: string, details: ErrorDetail[]) {
    super(422, 'UNSUPPORTED_CONTENT', message, details);
  }
}

/** Parts that make a provider message of their own: nothing else can travel with them. */
const ALONE = new Set<OutboundPart['type']>(['location', 'interactive']);

export function requireSendable(
  account: Pick<Account, 'type' | 'channel'>,
  parts: { part: OutboundPart; path: string }[],
): void {
  const provider = providerFor(account.type);
  const allowed = provider.sends[account.channel] ?? [];
  const refuse = (path: string, message: string): never => {
    throw new UnsupportedContentError(`${path}: ${message}`, [{ path, message }]);
  };
  for (const { part, path } of parts) {
    if (!allowed.includes(part.type))
      refuse(path, `${account.type} ${account.channel} accounts cannot send a ${part.type} part`);
  }
  const alone = parts.find(({ part }) => ALONE.has(part.type));
  if (alone && parts.length > 1) {
    const other = parts.find((p) => p !== alone) ?? alone;
    refuse(
      other.path,
      `a ${alone.part.type} part is sent on its own; send the ${other.part.type} part as another reply`,
    );
  }
  const media = parts.filter(({ part }) => part.type === 'media');
  const max = provider.maxMediaPerMessage;
  if (max !== undefined && media.length > max) {
    const extra = media[max];
    if (extra)
      refuse(
        extra.path,
        `${account.type} carries ${max} media item${max === 1 ? '' : 's'} per message; send the others as further replies`,
      );
  }
}
