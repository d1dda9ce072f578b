/**
 * GET /exports/{id}/download: the local engine's signed, expiring link to a finished export (the blob port's local
 * adapter). No bearer token: the HMAC signature over the file key and expiry is the credential, as a presigned S3
 * URL is in the cloud, where this route answers 404.
 */
import { NotFoundError } from '../shared/errors';
import { anonymousHttpApi } from '../shared/http/edge';
import { readSignedBlob } from '../shared/ports/blobs';
import { getExportJob } from '../shared/store/exports';

export const handler = anonymousHttpApi({
  'GET /exports/{id}/download': async (req) => {
    const job = await getExportJob(req.params.id!);
    const bytes = job?.blobKey ? await readSignedBlob(job.blobKey, req.query.expires, req.query.signature) : undefined;
    if (!job || !bytes) throw new NotFoundError('download');
    return {
      statusCode: 200,
      headers: { 'content-type': job.kind === 'transcripts' ? 'application/zip' : 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${job.filename}"` },
      body: bytes.toString('base64'),
      isBase64Encoded: true,
    };
  },
});
