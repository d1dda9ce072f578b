/**
 * Files from the API for supervisors: the bearer token rules out a plain link, so a file is fetched as a blob and
 * saved through an object URL. An answer too large to build at once comes back as an export job (202), which is
 * followed until it is done; its expiring link needs no token.
 */
import { signal } from '@preact/signals';
import { client, notice, showError } from '../state';

export interface ExportJob {
  id: string;
  kind: string;
  status: 'queued' | 'running' | 'done' | 'failed';
  rows?: number;
  bytes?: number;
  filename?: string;
  error?: string;
  download?: { url: string; expiresAt: string };
}

/** The export jobs started in this session, newest first, as the page shows them. */
export const jobs = signal<ExportJob[]>([]);

export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

function track(job: ExportJob): void {
  jobs.value = [job, ...jobs.value.filter((j) => j.id !== job.id)];
}

/** Polls the job (1 s, then up to 5 s apart) until it is done or failed. */
async function follow(job: ExportJob): Promise<void> {
  track(job);
  let delay = 1000;
  let current = job;
  while (current.status === 'queued' || current.status === 'running') {
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(5000, delay * 1.5);
    current = await client().get<ExportJob>(`/admin/exports/${job.id}`);
    track(current);
  }
}

/**
 * Fetches a file and saves it as `fallbackName` (or the name the API gives); a 202 job is tracked in `jobs`
 * instead. Resolves with 'saved' or 'job'.
 */
export async function fetchFile(
  method: string,
  path: string,
  body: unknown,
  fallbackName: string,
): Promise<'saved' | 'job'> {
  const answer = await client().file(method, path, body);
  if (answer.blob) {
    saveBlob(answer.blob, answer.filename ?? fallbackName);
    return 'saved';
  }
  const job = answer.json as ExportJob | undefined;
  if (answer.status === 202 && job?.id) {
    void follow(job).catch(() => track({ ...job, status: 'failed', error: 'its status could not be read' }));
    return 'job';
  }
  throw new Error('the API answered no file');
}

/** One interaction's transcript zip (GET .../transcript), or several (POST .../transcripts), with or without attachments. */
export async function transcript(ids: string[], attachments: boolean): Promise<void> {
  try {
    const outcome =
      ids.length === 1
        ? await fetchFile(
            'GET',
            `/admin/interactions/${ids[0]}/transcript?attachments=${attachments}`,
            undefined,
            `transcript-${ids[0]}.zip`,
          )
        : await fetchFile('POST', '/admin/interactions/transcripts', { ids, attachments }, 'transcripts.zip');
    if (outcome === 'job') notice.value = { kind: 'info', text: 'The transcripts are being prepared: see Exports.' };
  } catch (error) {
    showError(error);
  }
}
