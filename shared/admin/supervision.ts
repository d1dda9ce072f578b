/**
 * Supervisors' use cases over interactions: the list view (filters), the advanced search (which ignores the list's
 * filters), CSV export of chosen ids or of a whole search, and transcript zips. Reads go through
 * `interaction-queries` (an index by start time, bounded pages); rows are written as they are read, so an export
 * holds one page in memory whatever its size.
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { stringify } from 'csv-stringify';
import { strToU8, Zip, ZipDeflate, ZipPassThrough, zipSync, type Zippable } from 'fflate';
import { matcher, parseSearch, dateBounds, type RawSearch } from '../domain/search';
import { NotFoundError, ValidationError } from '../errors';
import { fetchMedia } from '../inbound/media';
import { log } from '../logger';
import { getAccount, listAllAccounts, type Account } from '../store/accounts';
import { listAgents } from '../store/agents';
import { getInteraction, listMessages } from '../store/interactions';
import { forEachInteraction, firstResponseSeconds, handleSeconds, lastMessageAt, queryInteractions, type InteractionPage, type InteractionRow } from '../store/interaction-queries';
import { membersOf } from '../store/memberships';
import { listNotes, type Note } from '../store/notes';
import { listQueues } from '../store/queues';
import { requireTeam } from '../store/teams';
import { accountCredentials } from './account-credentials';
import type { ExportSource, InteractionListQuery } from './interaction-schema';
import { interactionFields } from './search-fields';
import type { SearchBody } from './search-schema';

/** The list view: every filter given must hold (start range bounds the index read itself). */
export async function listInteractions(query: InteractionListQuery): Promise<InteractionPage> {
  const team = query.teamId ? new Set(await membersOf('TEAM', (await requireTeam(query.teamId)).id)) : undefined;
  const tags = query.tags?.split(',').map((t) => t.trim().toLowerCase()).filter(Boolean);
  const phone = query.contactPhone?.replace(/\s+/g, '');
  const disposition = query.disposition?.toLowerCase();
  const predicate = (i: InteractionRow) =>
    (!query.status || i.status === query.status) &&
    (!query.read || (query.read === 'true') === ((i.unread ?? 0) === 0)) &&
    (!query.agentId || i.agentId === query.agentId) &&
    (!team || (i.agentId !== undefined && team.has(i.agentId))) &&
    (!query.queueId || (i.queueId ?? i.routing?.queueId) === query.queueId) &&
    (!tags || (i.tags ?? []).some((t) => tags.includes(t.toLowerCase()))) &&
    (!disposition || i.disposition?.toLowerCase() === disposition) &&
    (!query.channel || i.channel === query.channel) &&
    (!phone || i.contactPhone === phone || i.contactPhone === `+${phone.replace(/^\+/, '')}`);
  return queryInteractions({
    ...(query.accountId ? { accountId: query.accountId } : {}),
    ...(query.from ? { from: Date.parse(query.from) } : {}),
    ...(query.to ? { to: Date.parse(query.to) } : {}),
    sort: query.sort,
    order: query.order,
    predicate,
    limit: query.limit,
    ...(query.cursor ? { cursor: query.cursor } : {}),
  });
}

/** Parses a search against the interaction fields and names the index range its start-time conditions allow. */
export function interactionSearchPlan(search: RawSearch, accountId?: string, where = 'body') {
  const parsed = parseSearch(search, interactionFields, where);
  const bounds = dateBounds(parsed, 'startedAt');
  return { ...(accountId ? { accountId } : {}), ...bounds, predicate: matcher(parsed, interactionFields) };
}

export async function searchInteractions(body: SearchBody, accountId?: string): Promise<InteractionPage> {
  const sort = body.sort ?? 'startedAt';
  if (sort !== 'startedAt' && sort !== 'lastMessageAt') {
    throw new ValidationError(`cannot sort by ${sort}`, [{ path: 'body.sort', message: 'one of startedAt, lastMessageAt' }]);
  }
  const plan = interactionSearchPlan(body, accountId);
  return queryInteractions({ ...plan, sort, order: body.order ?? 'desc', limit: body.limit, ...(body.cursor ? { cursor: body.cursor } : {}) });
}

/** The export's columns: the issue's list, then the ids and names behind them. */
export const EXPORT_COLUMNS = [
  'id',
  'account',
  'channel',
  'contact',
  'agent',
  'queue',
  'status',
  'started',
  'closed',
  'disposition',
  'tags',
  'messageCount',
  'firstResponseSeconds',
  'handleSeconds',
  'accountName',
  'agentUsername',
  'queueName',
  'lastMessageAt',
] as const;

interface Names {
  accounts: Map<string, string>;
  agents: Map<string, string>;
  queues: Map<string, string>;
}

async function names(): Promise<Names> {
  const [accounts, agents, queues] = await Promise.all([listAllAccounts(), listAgents(), listQueues()]);
  return {
    accounts: new Map(accounts.map((a) => [a.id, a.name])),
    agents: new Map(agents.map((a) => [a.id, a.username])),
    queues: new Map(queues.map((q) => [q.id, q.name])),
  };
}

export function csvRecord(i: InteractionRow, n: Names): (string | number)[] {
  const queueId = i.queueId ?? i.routing?.queueId;
  return [
    i.id,
    i.accountId,
    i.channel,
    i.contactPhone,
    i.agentId ?? '',
    queueId ?? '',
    i.status,
    i.createdAt,
    i.closedAt ?? '',
    i.disposition ?? '',
    (i.tags ?? []).join(';'),
    i.messageCount ?? 0,
    firstResponseSeconds(i) ?? '',
    handleSeconds(i) ?? '',
    n.accounts.get(i.accountId) ?? '',
    (i.agentId && n.agents.get(i.agentId)) || '',
    (queueId && n.queues.get(queueId)) || '',
    lastMessageAt(i),
  ];
}

/** Calls `each` with the rows of the source, a page at a time: chosen ids in the order given, or a whole search. */
async function forEachSource(source: ExportSource, each: (rows: InteractionRow[]) => Promise<void>): Promise<number> {
  if (source.ids) {
    let count = 0;
    for (let i = 0; i < source.ids.length; i += 100) {
      const rows = (await Promise.all(source.ids.slice(i, i + 100).map((id) => getInteraction(id)))).filter(
        (r): r is InteractionRow => Boolean(r) && (!source.accountId || r!.accountId === source.accountId),
      );
      if (rows.length) await each(rows);
      count += rows.length;
    }
    return count;
  }
  if (!source.search) throw new ValidationError('say what to export', [{ path: 'body.ids', message: 'give ids, or a search' }]);
  const { predicate, ...bounds } = interactionSearchPlan(source.search, source.accountId, 'body.search');
  return forEachInteraction({ ...bounds, order: 'desc', predicate }, each);
}

/** Counts what an export would hold, stopping past `max` (whether it is small enough to answer directly). */
export async function exportFits(source: ExportSource, max: number): Promise<boolean> {
  if (source.ids) return source.ids.length <= max;
  const { predicate, ...bounds } = interactionSearchPlan(source.search ?? { match: 'all', conditions: [] }, source.accountId, 'body.search');
  const page = await queryInteractions({ ...bounds, sort: 'startedAt', order: 'desc', predicate, limit: max + 1 });
  if (page.items.length > max) return false;
  // A page cut short by the read budget may hide more: only a complete read proves it small.
  return !page.nextCursor;
}

/** Streams the export as RFC 4180 CSV into `out` (csv-stringify, back-pressure respected); returns the row count. */
export async function writeCsv(source: ExportSource, out: Writable): Promise<number> {
  const n = await names();
  const csv = stringify({ header: true, columns: [...EXPORT_COLUMNS], record_delimiter: '\r\n' });
  csv.pipe(out);
  const done = once(out, 'finish');
  const count = await forEachSource(source, async (rows) => {
    for (const row of rows) {
      if (!csv.write(csvRecord(row, n))) await once(csv, 'drain');
    }
  });
  csv.end();
  await done;
  return count;
}

// ---- transcripts ----

interface TranscriptParts {
  folder: string;
  text: string;
  json: string;
  notes: string;
  attachments: { name: string; bytes: Uint8Array }[];
  failures: string[];
}

const EXT: Record<string, string> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/gif': 'gif', 'image/webp': 'webp', 'audio/ogg': 'ogg', 'audio/mpeg': 'mp3', 'video/mp4': 'mp4', 'application/pdf': 'pdf', 'text/plain': 'txt' };

function readable(interaction: InteractionRow, account: Account | undefined, messages: Awaited<ReturnType<typeof listMessages>>, notes: Note[]): string {
  const lines = [
    `Interaction ${interaction.id}`,
    `Account: ${account?.name ?? interaction.accountId} (${interaction.channel})`,
    `Contact: ${interaction.contactPhone}`,
    `Started: ${interaction.createdAt}`,
    `Status: ${interaction.status}${interaction.closedAt ? ` (closed ${interaction.closedAt}${interaction.disposition ? `, ${interaction.disposition}` : ''})` : ''}`,
    ...(interaction.tags?.length ? [`Tags: ${interaction.tags.join(', ')}`] : []),
    '',
  ];
  for (const m of messages) {
    const at = m.receivedAt ?? m.sentAt ?? (m as { createdAt?: string }).createdAt ?? '';
    const who = m.direction === 'in' ? interaction.contactPhone : `agent ${m.agentId ?? ''}`.trim();
    lines.push(`[${at}] ${who}: ${m.text ?? ''}`);
    m.media?.forEach((ref, i) => lines.push(`    attachment ${i + 1}: ${ref.contentType ?? 'file'}`));
  }
  if (notes.length) {
    lines.push('', 'Internal notes (never shown to the customer):');
    for (const n of notes) lines.push(`[${n.createdAt}] ${n.agentId}: ${n.text}`);
  }
  return `${lines.join('\n')}\n`;
}

async function transcriptParts(id: string, attachments: boolean, folder: string): Promise<TranscriptParts> {
  const interaction = (await getInteraction(id, true)) as InteractionRow | undefined;
  if (!interaction) throw new NotFoundError(`interaction ${id}`);
  const [account, messages, notes] = await Promise.all([getAccount(interaction.accountId), listMessages(id), listNotes(id)]);
  const files: TranscriptParts['attachments'] = [];
  const failures: string[] = [];
  if (attachments && account) {
    const credentials = await accountCredentials(account);
    for (const m of messages) {
      for (const [i, ref] of (m.media ?? []).entries()) {
        try {
          const media = await fetchMedia(account.type, credentials, ref);
          files.push({ name: `attachments/${m.id}-${i + 1}.${EXT[media.contentType.split(';')[0]!.trim()] ?? 'bin'}`, bytes: new Uint8Array(media.bytes) });
        } catch (error) {
          failures.push(`${m.id} attachment ${i + 1}: ${(error as Error).message}`);
          log.warn('transcript attachment not fetched', { interactionId: id, messageId: m.id, error });
        }
      }
    }
  }
  return {
    folder,
    text: readable(interaction, account, messages, notes) + (failures.length ? `\nAttachments not fetched:\n${failures.join('\n')}\n` : ''),
    json: JSON.stringify({ interaction, messages, notes }, null, 2),
    notes: JSON.stringify(notes, null, 2),
    attachments: files,
    failures,
  };
}

function entries(p: TranscriptParts): [string, Uint8Array][] {
  const at = (name: string) => `${p.folder}${name}`;
  return [
    [at('transcript.txt'), strToU8(p.text)],
    [at('transcript.json'), strToU8(p.json)],
    [at('notes.json'), strToU8(p.notes)],
    ...p.attachments.map((a): [string, Uint8Array] => [at(a.name), a.bytes]),
  ];
}

/** A zip of one or several transcripts, built in memory (small ones, answered directly). */
export async function transcriptZip(ids: string[], attachments: boolean): Promise<Uint8Array> {
  const files: Zippable = {};
  for (const id of ids) {
    const parts = await transcriptParts(id, attachments, ids.length > 1 ? `${id}/` : '');
    for (const [name, bytes] of entries(parts)) files[name] = bytes;
  }
  return zipSync(files, { level: 6 });
}

/** The same zip streamed into `out`, one interaction at a time (the export job path for large ones). */
export async function writeTranscriptZip(ids: string[], attachments: boolean, out: Writable): Promise<number> {
  const zip = new Zip();
  const done = once(out, 'finish');
  const pending: Promise<unknown>[] = [];
  zip.ondata = (error, chunk, final) => {
    if (error) {
      out.destroy(error);
      return;
    }
    if (!out.write(Buffer.from(chunk))) pending.push(once(out, 'drain'));
    if (final) out.end();
  };
  let count = 0;
  for (const id of ids) {
    const parts = await transcriptParts(id, attachments, `${id}/`).catch((error: unknown) => {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    });
    if (!parts) continue;
    for (const [name, bytes] of entries(parts)) {
      const file = name.startsWith(`${id}/attachments/`) ? new ZipPassThrough(name) : new ZipDeflate(name, { level: 6 });
      zip.add(file);
      file.push(bytes, true);
    }
    count += 1;
    await Promise.all(pending.splice(0));
  }
  zip.end();
  await done;
  return count;
}
