/**
 * The exporter: consumes the exports queue and runs each export job (a CSV of interactions or a zip of
 * transcripts) into blob storage. A job another delivery is running comes back later; a job that failed is
 * recorded failed on the job and not retried.
 */
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { runExportJob } from '../shared/admin/exports';
import { log } from '../shared/logger';
import * as z from 'zod/mini';
import { getExportJob } from '../shared/store/exports';

const jobMessage = z.object({ jobId: z.string().check(z.minLength(1)) });

export const handler = middy<SQSEvent, SQSBatchResponse>().handler(async (event) => {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    let parsed: ReturnType<typeof jobMessage.safeParse>;
    try {
      parsed = jobMessage.safeParse(JSON.parse(record.body));
    } catch {
      parsed = jobMessage.safeParse(undefined);
    }
    if (!parsed.success) {
      log.error('dropping a malformed export message', { messageId: record.messageId });
      continue;
    }
    try {
      await runExportJob(parsed.data.jobId);
    } catch (error) {
      // Failed for good (recorded on the job): acknowledge. Held by another delivery: come back later.
      const job = await getExportJob(parsed.data.jobId).catch(() => undefined);
      if (job?.status === 'failed') log.error('export failed', { jobId: parsed.data.jobId, error });
      else batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
});
