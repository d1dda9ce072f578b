/**
 * What the functions that act for an account need of it besides its row: its receive URL and its decrypted
 * credentials. Kept apart from ./accounts.ts (the admin API's account writes and views) so that the webhook, the
 * sender and the campaign code carry the cipher port without the account schemas and what they validate with
 * (routing-regex checks, notification templates, phone metadata).
 */
import { decryptSecret } from '../ports/cipher';
import type { Account } from '../store/accounts';
import { receiveBase } from './urls';

/** Where the video API key sits inside the encrypted credentials blob (never a provider field). */
export const VIDEO_KEY = '__videoApiKey';
/** Where the Google Cloud Translation API key sits (write-only like the video key). */
export const GOOGLE_TRANSLATE_KEY = '__googleTranslateApiKey';

export function receiveUrl(account: Pick<Account, 'id' | 'proxyToken' | 'domain'>): string {
  const base = receiveBase(account.domain);
  return `${base}/webhooks/${account.id}/${account.proxyToken}`;
}

/** The decrypted credentials (provider fields only). */
export async function accountCredentials(account: Account): Promise<Record<string, unknown>> {
  const { [VIDEO_KEY]: _v, [GOOGLE_TRANSLATE_KEY]: _g, ...credentials } = await decryptSecret(account.credentialsBlob, account.id);
  return credentials;
}

export async function accountGoogleTranslateKey(account: Account): Promise<string | undefined> {
  if (!account.credentialFields.includes(GOOGLE_TRANSLATE_KEY)) return undefined;
  const secret = await decryptSecret(account.credentialsBlob, account.id);
  return typeof secret[GOOGLE_TRANSLATE_KEY] === 'string' ? secret[GOOGLE_TRANSLATE_KEY] : undefined;
}

export async function accountVideoApiKey(account: Account): Promise<string | undefined> {
  const secret = await decryptSecret(account.credentialsBlob, account.id);
  return typeof secret[VIDEO_KEY] === 'string' ? secret[VIDEO_KEY] : undefined;
}
