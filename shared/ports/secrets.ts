/**
 * The token-signing secret: the TOKEN_SECRET value locally, the stack's Secrets Manager secret in the cloud
 * (read once per container).
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { config } from '../config';

let cached: Promise<Uint8Array> | undefined;

export function tokenSecret(): Promise<Uint8Array> {
  cached ??= load();
  return cached;
}

async function load(): Promise<Uint8Array> {
  if (config.TOKEN_SECRET) return new TextEncoder().encode(config.TOKEN_SECRET);
  if (!config.TOKEN_SECRET_ARN) throw new Error('configuration TOKEN_SECRET or TOKEN_SECRET_ARN is not set');
  const client = new SecretsManagerClient({ region: config.AWS_REGION });
  const out = await client.send(new GetSecretValueCommand({ SecretId: config.TOKEN_SECRET_ARN }));
  if (!out.SecretString) throw new Error('the token secret is empty');
  return new TextEncoder().encode(out.SecretString);
}
