/**
 * Registers the account's automatic translation with the inbound path, after routing: the message has reached its
 * agents before the provider is called, and a translation failure never fails the queue record.
 */
import { afterInbound } from '../inbound/process';
import '../routing';
import { autoTranslate } from './translation';

let registered = false;

export function registerAutoTranslation(): void {
  if (registered) return;
  registered = true;
  afterInbound.push(async ({ account, interaction, message }) => autoTranslate(account, interaction, message));
}
