/**
 * The blob port: where exports and transcript zips too large for an API answer go, with an expiring link.
 * `s3` (the cloud): the stateful stack's exports bucket, a presigned GET URL. `local` (the engine): a directory
 * under the data dir, and a link to `GET /exports/{id}/download` signed with an HMAC of the token secret, checked
 * in constant time. Both expire objects: S3 by a lifecycle rule, the local engine when a link is asked for an
 * expired one (it answers 404 and removes it).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, readFile, rm, stat } from 'node:fs/promises';
import { dirname, join, normalize } from 'node:path';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { config, required } from '../config';
import { now } from './clock';
import { tokenSecret } from './secrets';

export interface BlobLink {
  url: string;
  expiresAt: string;
}

let s3: S3Client | undefined;
const s3Client = () => (s3 ??= new S3Client({ region: config.AWS_REGION }));

function localPath(key: string): string {
  const root = required('BLOB_DIR');
  const path = normalize(join(root, key));
  if (!path.startsWith(normalize(root))) throw new Error('a blob key must stay inside the blob directory');
  return path;
}

/** Stores a file (written to local disk first, so its length is known and memory stays flat). */
export async function putBlob(key: string, filePath: string, contentType: string): Promise<number> {
  const { size } = await stat(filePath);
  if (config.BLOB_ADAPTER === 'local') {
    const target = localPath(key);
    await mkdir(dirname(target), { recursive: true });
    await copyFile(filePath, target);
    return size;
  }
  await s3Client().send(
    new PutObjectCommand({ Bucket: required('BLOB_BUCKET'), Key: key, Body: createReadStream(filePath), ContentLength: size, ContentType: contentType }),
  );
  return size;
}

async function signature(key: string, expires: number): Promise<string> {
  return createHmac('sha256', await tokenSecret()).update(`blob-link\n${key}\n${expires}`).digest('base64url');
}

/** An expiring link to the blob, named `filename` when downloaded. `localPath` is the local route's path. */
export async function blobLink(key: string, filename: string, local: { baseUrl: string; path: string }): Promise<BlobLink> {
  const ttl = config.EXPORT_LINK_TTL_SECONDS;
  const expiresMs = now() + ttl * 1000;
  if (config.BLOB_ADAPTER === 'local') {
    const expires = Math.floor(expiresMs / 1000);
    const url = `${local.baseUrl.replace(/\/$/, '')}${local.path}?expires=${expires}&signature=${await signature(key, expires)}`;
    return { url, expiresAt: new Date(expires * 1000).toISOString() };
  }
  const url = await getSignedUrl(
    s3Client(),
    new GetObjectCommand({ Bucket: required('BLOB_BUCKET'), Key: key, ResponseContentDisposition: `attachment; filename="${filename}"` }),
    { expiresIn: ttl },
  );
  return { url, expiresAt: new Date(expiresMs).toISOString() };
}

/** Local links only: the bytes when the signature matches and has not expired, else undefined. */
export async function readSignedBlob(key: string, expires: string | undefined, given: string | undefined): Promise<Buffer | undefined> {
  if (config.BLOB_ADAPTER !== 'local' || !expires || !given || !/^\d{1,12}$/.test(expires)) return undefined;
  const expected = Buffer.from(await signature(key, Number(expires)));
  const actual = Buffer.from(given);
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return undefined;
  if (Number(expires) * 1000 < now()) return undefined;
  return readFile(localPath(key)).catch(() => undefined);
}

export async function deleteBlob(key: string): Promise<void> {
  if (config.BLOB_ADAPTER === 'local') await rm(localPath(key), { force: true });
}
