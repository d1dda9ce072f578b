/**
 * Encryption of provider credentials at rest. In the cloud: KMS Encrypt/Decrypt with the stack's customer-managed
 * key and the account id as encryption context (a blob copied to another account will not decrypt); only the
 * functions whose wiring names `credentials` may use the key. Locally: AES-256-GCM with a key from local config.
 * Decrypted values are cached for a few minutes per container: the webhook verifies every request with them.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { DecryptCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { config } from '../config';

let kms: KMSClient | undefined;
const cache = new Map<string, { value: Record<string, unknown>; until: number }>();
const CACHE_MS = 5 * 60 * 1000;

function localKey(): Buffer {
  if (!config.LOCAL_DATA_KEY) throw new Error('configuration CREDENTIALS_KEY_ARN or LOCAL_DATA_KEY is not set');
  const key = Buffer.from(config.LOCAL_DATA_KEY, 'base64');
  if (key.length !== 32) throw new Error('LOCAL_DATA_KEY must be 32 bytes, base64');
  return key;
}

export async function encryptSecret(value: Record<string, unknown>, accountId: string): Promise<string> {
  const plaintext = Buffer.from(JSON.stringify(value));
  if (config.CREDENTIALS_KEY_ARN) {
    kms ??= new KMSClient({ region: config.AWS_REGION });
    const out = await kms.send(
      new EncryptCommand({ KeyId: config.CREDENTIALS_KEY_ARN, Plaintext: plaintext, EncryptionContext: { accountId } }),
    );
    return `kms:${Buffer.from(out.CiphertextBlob ?? new Uint8Array()).toString('base64')}`;
  }
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', localKey(), iv);
  cipher.setAAD(Buffer.from(accountId));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return `local:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
}

export async function decryptSecret(blob: string, accountId: string): Promise<Record<string, unknown>> {
  const cacheKey = `${accountId}:${blob}`;
  const hit = cache.get(cacheKey);
  if (hit && hit.until > Date.now()) return hit.value;
  let plaintext: Buffer;
  if (blob.startsWith('kms:')) {
    kms ??= new KMSClient({ region: config.AWS_REGION });
    const out = await kms.send(
      new DecryptCommand({
        CiphertextBlob: Buffer.from(blob.slice(4), 'base64'),
        EncryptionContext: { accountId },
        ...(config.CREDENTIALS_KEY_ARN ? { KeyId: config.CREDENTIALS_KEY_ARN } : {}),
      }),
    );
    plaintext = Buffer.from(out.Plaintext ?? new Uint8Array());
  } else if (blob.startsWith('local:')) {
    const raw = Buffer.from(blob.slice(6), 'base64');
    const decipher = createDecipheriv('aes-256-gcm', localKey(), raw.subarray(0, 12));
    decipher.setAAD(Buffer.from(accountId));
    decipher.setAuthTag(raw.subarray(12, 28));
    plaintext = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]);
  } else {
    throw new Error('unknown credentials encoding');
  }
  const value = JSON.parse(plaintext.toString('utf8')) as Record<string, unknown>;
  if (cache.size > 500) cache.clear();
  cache.set(cacheKey, { value, until: Date.now() + CACHE_MS });
  return value;
}
