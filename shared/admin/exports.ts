/**
 * Export jobs: a CSV of interactions or a zip of transcripts too large to answer directly. `createExportJob`
 * records the job and queues it; the exporter streams the file to a temporary file (one page of rows in memory),
 * stores it through the blob port, and marks the job done; `GET /admin/exports/{id}` gives its status and, once
 * done, an expiring link.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ulid } from '../ids';
import { blobLink, putBlob, type BlobLink } from '../ports/blobs';
import { now, nowIso } from '../ports/clock';
import { sendMessage } from '../ports/queue';
import type { Agent } from '../store/agents';
import { claimExportJob, failExportJob, finishExportJob, getExportJob, insertExportJob, type ExportJob, type ExportKind, type ExportRequest } from '../store/exports';
import { EXPORT_RETENTION_DAYS } from './export-retention';
import { writeCsv, writeTranscriptZip } from './supervision';
import { receiveBase } from './urls';

/** Up to this many rows a CSV export is answered directly; beyond, it becomes a job. */
export const DIRECT_EXPORT_MAX_ROWS = 1000;
/** Up to this many transcripts (without a job) in one zip answer. */
export const DIRECT_TRANSCRIPTS_MAX = 20;
const LEASE_SECONDS = 900;

export type ExportJobView = Omit<ExportJob, 'blobKey' | 'leaseUntil' | 'expiresAt'> & { download?: BlobLink };

export async function createExportJob(input: { kind: ExportKind } & ExportRequest, by: Pick<Agent, 'id'>): Promise<ExportJobView> {
  const { kind, ...request } = input;
  const at = nowIso();
  const job: ExportJob = {
    id: ulid(),
    kind,
    status: 'queued',
    request,
    createdBy: by.id,
    createdAt: at,
    updatedAt: at,
    expiresAt: Math.floor(now() / 1000) + EXPORT_RETENTION_DAYS * 86400,
  };
  await insertExportJob(job);
  await sendMessage('exports', { body: JSON.stringify({ jobId: job.id }) });
  return view(job);
}

export async function exportJobView(job: ExportJob): Promise<ExportJobView> {
  if (job.status !== 'done' || !job.blobKey) return view(job);
  const download = await blobLink(job.blobKey, job.filename ?? 'export', { baseUrl: receiveBase(), path: `/exports/${job.id}/download` });
  return { ...view(job), download };
}

function view(job: ExportJob): ExportJobView {
  const { blobKey: _k, leaseUntil: _l, expiresAt: _e, ...rest } = job;
  return rest;
}

/** Runs a job once: a finished one, or one another run holds, is left alone (returns false). */
export async function runExportJob(jobId: string): Promise<boolean> {
  const current = await getExportJob(jobId);
  if (!current || current.status === 'done' || current.status === 'failed') return false;
  const job = await claimExportJob(jobId, LEASE_SECONDS);
  if (!job) throw new Error(`export ${jobId} is being run by another delivery`);
  const dir = await mkdtemp(join(tmpdir(), 'switchboard-export-'));
  const csv = job.kind === 'interactions-csv';
  const filename = csv ? `interactions-${job.id}.csv` : `transcripts-${job.id}.zip`;
  const file = join(dir, filename);
  try {
    const out = createWriteStream(file);
    const rows = csv ? await writeCsv(job.request, out) : await writeTranscriptZip(job.request.ids ?? [], job.request.attachments, out);
    const blobKey = `exports/${job.id}/${filename}`;
    const bytes = await putBlob(blobKey, file, csv ? 'text/csv; charset=utf-8' : 'application/zip');
    await finishExportJob(job.id, { blobKey, filename, rows, bytes });
    return true;
  } catch (error) {
    await failExportJob(job.id, (error as Error).message);
    throw error;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

