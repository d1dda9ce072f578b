/**
 * POST /admin/exports starts an export job (a CSV of interactions, chosen or found by a search, or a zip of
 * transcripts); GET /admin/exports/{id} tells its status and, once done, an expiring download link. Admins and
 * supervisors; a supervisor sees only the jobs it started.
 */
import { createExportJob, exportJobView } from '../shared/admin/exports';
import { exportJobBody } from '../shared/admin/interaction-schema';
import { interactionSearchPlan } from '../shared/admin/supervision';
import { NotFoundError, ValidationError } from '../shared/errors';
import { httpApi, json } from '../shared/http/api';
import { supervisorAccess } from '../shared/http/guard';
import { getExportJob } from '../shared/store/exports';
import { parseInput } from '../shared/validation';

export const handler = httpApi({
  'POST /admin/exports': async (req) => {
    const me = await supervisorAccess(req);
    const body = parseInput(exportJobBody, req.json());
    if (body.kind === 'transcripts' && !body.ids) throw new ValidationError('transcripts need ids', [{ path: 'body.ids', message: 'the interactions whose transcripts to zip' }]);
    if (!body.ids && !body.search) throw new ValidationError('say what to export', [{ path: 'body.ids', message: 'give ids, or a search' }]);
    if (body.kind === 'interactions-csv' && body.search) {
      // Checked now, so a bad field or operator is a 400 here rather than a failed job later.
      interactionSearchPlan(body.search, body.accountId, 'body.search');
    }
    const job = await createExportJob(body, me);
    req.audit = { action: body.kind === 'transcripts' ? 'interaction.transcript' : 'interaction.export', targetType: 'export', targetIds: [job.id, ...(body.ids ?? [])], details: { mode: 'job', kind: body.kind } };
    return json(202, job, { location: `/admin/exports/${job.id}` });
  },

  'GET /admin/exports/{id}': async (req) => {
    const me = await supervisorAccess(req);
    const job = await getExportJob(req.params.id!);
    if (!job || (me.role !== 'admin' && job.createdBy !== me.id)) throw new NotFoundError(`export ${req.params.id}`);
    if (job.status === 'done') req.audit = { action: 'export.download-link', targetType: 'export', targetIds: [job.id] };
    return json(200, await exportJobView(job));
  },
});
