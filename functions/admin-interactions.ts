/**
 * /admin/interactions for supervisors and admins: lists across accounts and per account with filters, the advanced
 * search, CSV export (small ones answered here, large ones handed to an export job), transcript zips, internal
 * notes and delete (single and bulk). Agents are refused. Exports, transcripts and deletes are audited by name.
 */
import { PassThrough } from 'node:stream';
import { idsBody, interactionListQuery, LIST_ALIASES, noteBody, exportSource, transcriptQuery, transcriptsBody } from '../shared/admin/interaction-schema';
import { searchSchema } from '../shared/admin/search-schema';
import { exportFits, listInteractions, searchInteractions, transcriptZip, writeCsv } from '../shared/admin/supervision';
import { createExportJob, DIRECT_EXPORT_MAX_ROWS, DIRECT_TRANSCRIPTS_MAX } from '../shared/admin/exports';
import { NotFoundError } from '../shared/errors';
import { httpApi, json, noContent, type HttpRequest, type HttpResult, type RouteHandler } from '../shared/http/api';
import { supervisorAccess } from '../shared/http/guard';
import { notifyAccount } from '../shared/realtime/notify';
import { requireAccount, type Account } from '../shared/store/accounts';
import type { Agent } from '../shared/store/agents';
import { getInteraction, listMessages } from '../shared/store/interactions';
import { deleteInteraction } from '../shared/store/interaction-erase';
import { addNote, listNotes } from '../shared/store/notes';
import { parseInput } from '../shared/validation';

type Route = (req: HttpRequest, me: Agent) => Promise<HttpResult>;
const guarded =
  (route: Route): RouteHandler =>
  async (req) =>
    route(req, await supervisorAccess(req));

function listQuery(req: HttpRequest, accountId?: string) {
  const raw: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.query)) raw[LIST_ALIASES[k] ?? k] = v;
  // The list's read/unread filter, asked the other way round: unread=true is read=false.
  if (raw.unread !== undefined && raw.read === undefined) raw.read = ({ true: 'false', false: 'true' } as Record<string, string>)[raw.unread] ?? raw.unread;
  delete raw.unread;
  if (accountId) raw.accountId = accountId;
  return parseInput(interactionListQuery, raw, 'query');
}

const page = (p: Awaited<ReturnType<typeof listInteractions>>) =>
  json(200, { items: p.items, ...(p.nextCursor ? { nextCursor: p.nextCursor } : {}) }, { 'x-items-read': String(p.itemsRead), 'x-queries': String(p.queries) });

async function requireInteraction(id: string) {
  const interaction = await getInteraction(id, true);
  if (!interaction) throw new NotFoundError(`interaction ${id}`);
  return interaction;
}

async function exportCsv(req: HttpRequest, me: Agent, accountId?: string): Promise<HttpResult> {
  const source = { ...parseInput(exportSource, req.json()), ...(accountId ? { accountId } : {}) };
  if (!(await exportFits(source, DIRECT_EXPORT_MAX_ROWS))) {
    const job = await createExportJob({ kind: 'interactions-csv', ...source, attachments: false }, me);
    req.audit = { action: 'interaction.export', targetType: 'export', targetIds: [job.id], details: { mode: 'job', ...(source.ids ? { ids: source.ids.length } : { search: true }) } };
    return json(202, job, { location: `/admin/exports/${job.id}` });
  }
  const chunks: Buffer[] = [];
  const sink = new PassThrough();
  sink.on('data', (c: Buffer) => chunks.push(c));
  const count = await writeCsv(source, sink);
  req.audit = { action: 'interaction.export', targetType: 'interaction', targetIds: source.ids ?? [], details: { mode: 'direct', rows: count, ...(source.search ? { search: source.search } : {}) } };
  return {
    statusCode: 200,
    headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': 'attachment; filename="interactions.csv"', 'x-rows': String(count) },
    body: Buffer.concat(chunks).toString('utf8'),
  };
}

async function zipAnswer(req: HttpRequest, me: Agent, ids: string[], attachments: boolean): Promise<HttpResult> {
  if (ids.length > DIRECT_TRANSCRIPTS_MAX) {
    const job = await createExportJob({ kind: 'transcripts', ids, attachments }, me);
    req.audit = { action: 'interaction.transcript', targetType: 'interaction', targetIds: ids, details: { attachments, mode: 'job', jobId: job.id } };
    return json(202, job, { location: `/admin/exports/${job.id}` });
  }
  const zip = await transcriptZip(ids, attachments);
  req.audit = { action: 'interaction.transcript', targetType: 'interaction', targetIds: ids, details: { attachments, mode: 'direct' } };
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/zip', 'content-disposition': `attachment; filename="${ids.length === 1 ? `transcript-${ids[0]}` : 'transcripts'}.zip"` },
    body: Buffer.from(zip).toString('base64'),
    isBase64Encoded: true,
  };
}

async function remove(req: HttpRequest, ids: string[]): Promise<string[]> {
  const deleted: string[] = [];
  for (const id of ids) if (await deleteInteraction(id)) deleted.push(id);
  req.audit = { action: 'interaction.delete', targetType: 'interaction', targetIds: deleted, details: { requested: ids.length } };
  return deleted;
}

export const handler = httpApi({
  'GET /admin/interactions': guarded(async (req) => page(await listInteractions(listQuery(req)))),

  'GET /admin/accounts/{id}/interactions': guarded(async (req) => {
    const account: Account = await requireAccount(req.params.id!);
    return page(await listInteractions(listQuery(req, account.id)));
  }),

  'POST /admin/interactions/search': guarded(async (req) => page(await searchInteractions(parseInput(searchSchema, req.json())))),

  'POST /admin/accounts/{id}/interactions/search': guarded(async (req) => {
    const account = await requireAccount(req.params.id!);
    return page(await searchInteractions(parseInput(searchSchema, req.json()), account.id));
  }),

  'POST /admin/interactions/export': guarded(async (req, me) => exportCsv(req, me)),

  'POST /admin/accounts/{id}/interactions/export': guarded(async (req, me) => exportCsv(req, me, (await requireAccount(req.params.id!)).id)),

  'POST /admin/interactions/bulk-delete': guarded(async (req) => {
    const { ids } = parseInput(idsBody, req.json());
    const deleted = await remove(req, ids);
    return json(200, { deleted: deleted.length, ids: deleted });
  }),

  'POST /admin/interactions/transcripts': guarded(async (req, me) => {
    const { ids, attachments } = parseInput(transcriptsBody, req.json());
    await Promise.all(ids.map(requireInteraction));
    return zipAnswer(req, me, ids, attachments);
  }),

  'GET /admin/interactions/{id}': guarded(async (req) => {
    const interaction = await requireInteraction(req.params.id!);
    const [messages, notes] = await Promise.all([listMessages(interaction.id), listNotes(interaction.id)]);
    return json(200, { ...interaction, messages, notes });
  }),

  'GET /admin/interactions/{id}/transcript': guarded(async (req, me) => {
    const { attachments } = parseInput(transcriptQuery, req.query, 'query');
    const interaction = await requireInteraction(req.params.id!);
    return zipAnswer(req, me, [interaction.id], attachments === 'true');
  }),

  'DELETE /admin/interactions/{id}': guarded(async (req) => {
    const deleted = await remove(req, [req.params.id!]);
    if (deleted.length === 0) throw new NotFoundError(`interaction ${req.params.id}`);
    return noContent();
  }),

  'GET /admin/interactions/{id}/notes': guarded(async (req) => json(200, { items: await listNotes((await requireInteraction(req.params.id!)).id) })),

  'POST /admin/interactions/{id}/notes': guarded(async (req, me) => {
    const { text } = parseInput(noteBody, req.json());
    const interaction = await requireInteraction(req.params.id!);
    const note = await addNote({ interactionId: interaction.id, agentId: me.id, authorRole: me.role, text });
    // Agents of the account and the interaction's spies see it; the customer never does (nothing is sent out).
    await notifyAccount(interaction.accountId, { type: 'note.added', accountId: interaction.accountId, interactionId: interaction.id, version: interaction.version, note });
    return json(201, note);
  }),
});
