/**
 * Export jobs: one item each (`EXPORT#{id}`), created queued, claimed by the exporter with a lease, finished with
 * the blob key and counts, or failed with a reason. Claims are conditional, so a redelivered job message does not
 * run twice at once and a finished job is never redone. Jobs expire (TTL) with their files.
 */
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { db, TABLE } from './client';
import { now, nowIso } from '../ports/clock';
import { isConditionFailed, strip } from './util';

export type ExportKind = 'interactions-csv' | 'transcripts';
export type ExportStatus = 'queued' | 'running' | 'done' | 'failed';

export interface ExportRequest {
  ids?: string[];
  search?: { match: 'all' | 'any'; conditions: { field: string; operator: string; value?: unknown; disabled?: boolean }[] };
  accountId?: string;
  attachments: boolean;
}

export interface ExportJob {
  id: string;
  kind: ExportKind;
  status: ExportStatus;
  request: ExportRequest;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  startedAt?: string;
  finishedAt?: string;
  leaseUntil?: number;
  rows?: number;
  bytes?: number;
  blobKey?: string;
  filename?: string;
  error?: string;
  expiresAt: number;
}

const key = (id: string) => ({ pk: `EXPORT#${id}`, sk: 'EXPORT' });

export async function insertExportJob(job: ExportJob): Promise<void> {
  await db.send(new PutCommand({ TableName: TABLE, Item: { ...key(job.id), ...job }, ConditionExpression: 'attribute_not_exists(pk)' }));
}

export async function getExportJob(id: string): Promise<ExportJob | undefined> {
  const out = await db.send(new GetCommand({ TableName: TABLE, Key: key(id), ConsistentRead: true }));
  return out.Item ? strip<ExportJob>(out.Item) : undefined;
}

/** Takes the job for `leaseSeconds`: from queued, or from running whose lease ran out (a crashed run). */
export async function claimExportJob(id: string, leaseSeconds: number): Promise<ExportJob | undefined> {
  const nowSeconds = Math.floor(now() / 1000);
  try {
    const out = await db.send(
      new UpdateCommand({
        TableName: TABLE,
        Key: key(id),
        UpdateExpression: 'SET #s = :running, leaseUntil = :lease, startedAt = :at, updatedAt = :at',
        ConditionExpression: '#s = :queued OR (#s = :running AND leaseUntil < :now)',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':running': 'running', ':queued': 'queued', ':lease': nowSeconds + leaseSeconds, ':now': nowSeconds, ':at': nowIso() },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return strip<ExportJob>(out.Attributes!);
  } catch (error) {
    if (isConditionFailed(error)) return undefined;
    throw error;
  }
}

export async function finishExportJob(id: string, result: { blobKey: string; filename: string; rows: number; bytes: number }): Promise<void> {
  await db.send(
    new UpdateCommand({
      TableName: TABLE,
      Key: key(id),
      UpdateExpression: 'SET #s = :done, blobKey = :k, filename = :f, #rows = :r, bytes = :b, finishedAt = :at, updatedAt = :at REMOVE leaseUntil',
      ConditionExpression: '#s = :running',
      ExpressionAttributeNames: { '#s': 'status', '#rows': 'rows' },
      ExpressionAttributeValues: { ':done': 'done', ':running': 'running', ':k': result.blobKey, ':f': result.filename, ':r': result.rows, ':b': result.bytes, ':at': nowIso() },
    }),
  );
}

export async function failExportJob(id: string, error: string): Promise<void> {
  await db.send(
    new UpdateCommand({
      TableName: TABLE,
      Key: key(id),
      UpdateExpression: 'SET #s = :failed, #e = :e, finishedAt = :at, updatedAt = :at REMOVE leaseUntil',
      ExpressionAttributeNames: { '#s': 'status', '#e': 'error' },
      ExpressionAttributeValues: { ':failed': 'failed', ':e': error.slice(0, 500), ':at': nowIso() },
    }),
  );
}
