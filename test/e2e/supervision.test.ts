/**
 * Supervision end to end over the local engine: interaction lists with every filter, the advanced search with
 * every operator (any/all, disabled conditions, 400s naming field, operator and value), CSV export equal to the
 * search result (direct and as a job through the blob port), transcript zips, spy with internal notes over the
 * WebSocket, delete and contact erasure walking the table for leftovers, teams, audit rows, and agents refused.
 */
import { BatchWriteCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { parse } from 'csv-parse/sync';
import { ulid } from 'ulid';
import { unzipSync, strFromU8 } from 'fflate';
import type WebSocket from 'ws';
import { accountBody, createList, createUser, useAdminApi, type TestUser } from '../support/admin';
import { eventually, openSocket } from '../support/engine';
import { httpRoutes } from '../../lib/wiring';
import { db, TABLE } from '../../shared/store/client';
import { insertMessage, interactionItem, itemKeys } from '../../shared/store/interactions';
import type { Interaction, Message } from '../../shared/domain/interaction';
import { armTimer, timerName } from '../../shared/ports/timers';

const api = useAdminApi();
const { call } = api;

let supervisor: TestUser;
let agentA: TestUser;
let agentB: TestUser;
let outsider: TestUser;
let accounts: string[];
let listId: string;
let teamId: string;
const DAY = 86_400_000;
const base = Date.parse('2026-11-01T00:00:00.000Z');
const at = (day: number, hour = 10) => new Date(base + day * DAY + hour * 3_600_000).toISOString();

interface Seed {
  id: string;
  account: 0 | 1;
  day: number;
  status?: 'open' | 'closed';
  agent?: 'A' | 'B';
  queue?: string;
  tags?: string[];
  disposition?: string;
  channel?: 'sms' | 'whatsapp';
  phone: string;
  unread?: number;
  messages?: number;
}

const SEEDS: Seed[] = [
  { id: 'S01', account: 0, day: 0, status: 'closed', agent: 'A', queue: 'Q1', tags: ['vip', 'billing'], disposition: 'Solved', phone: '+393330000001', messages: 4 },
  { id: 'S02', account: 0, day: 1, status: 'open', agent: 'B', queue: 'Q1', tags: ['billing'], phone: '+393330000002', unread: 2, messages: 2 },
  { id: 'S03', account: 0, day: 2, status: 'closed', agent: 'A', queue: 'Q2', disposition: 'Callback', channel: 'whatsapp', phone: '+393330000003', messages: 7 },
  { id: 'S04', account: 1, day: 3, status: 'open', phone: '+393330000004', unread: 1, messages: 1 },
  { id: 'S05', account: 1, day: 4, status: 'closed', agent: 'B', queue: 'Q2', tags: ['vip'], disposition: 'Solved', phone: '+393330000005', messages: 10 },
  { id: 'S06', account: 1, day: 5, status: 'open', agent: 'A', tags: ['spam'], channel: 'whatsapp', phone: '+443330000006', messages: 3 },
];
/** The seed tags of listed interactions (ids of other runs' rows come back as they are). */
const untag = (id: string) => (id.startsWith(prefix) ? Buffer.from(id.slice(prefix.length).replace(/(00)+$/, ''), 'hex').toString() : id);
const ids = (items: { id: string }[]) => items.map((i) => untag(i.id)).sort();
let prefix: string;
/** A seeded interaction's id: a well-formed ULID (the API refuses others) from this run's prefix and the row's tag. */
const tagged = (short: string) => `${prefix}${Buffer.from(short).toString('hex').toUpperCase()}`;
const full = (short: string) => tagged(short).padEnd(26, '0');

function interactionOf(s: Seed): Interaction & { tags?: string[] } {
  const createdAt = at(s.day);
  return {
    id: full(s.id),
    accountId: accounts[s.account]!,
    channel: s.channel ?? 'sms',
    contactId: `c-${s.id}`,
    contactPhone: s.phone,
    listId,
    status: s.status ?? 'open',
    createdAt,
    updatedAt: createdAt,
    lastInboundAt: at(s.day, 11),
    messageCount: s.messages ?? 1,
    unread: s.unread ?? 0,
    version: 1,
    ...(s.agent ? { agentId: s.agent === 'A' ? agentA.id : agentB.id } : {}),
    ...(s.queue ? { queueId: s.queue } : {}),
    ...(s.status === 'closed' ? { closedAt: at(s.day, 12), closeReason: 'agent' } : {}),
    ...(s.disposition ? { disposition: s.disposition } : {}),
    ...(s.tags ? { tags: s.tags } : {}),
  };
}

async function seed(rows: (Interaction & { tags?: string[] })[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 25) {
    await db.send(new BatchWriteCommand({ RequestItems: { [TABLE]: rows.slice(i, i + 25).map((r) => ({ PutRequest: { Item: interactionItem(r) } })) } }));
  }
}

beforeAll(async () => {
  prefix = ulid().slice(0, 10);
  supervisor = await createUser(call, api.admin(), 'supervisor');
  agentA = await createUser(call, api.admin(), 'agent');
  agentB = await createUser(call, api.admin(), 'agent');
  outsider = await createUser(call, api.admin(), 'agent');
  listId = await createList(call, api.admin());
  accounts = [];
  for (const type of ['twilio', 'plivo'] as const) accounts.push((await call('POST', '/admin/accounts', { token: api.admin(), body: accountBody('sms', type, listId) })).body.id);
  await call('PUT', `/admin/accounts/${accounts[0]}/agents/${agentA.id}`, { token: api.admin() });
  await call('PUT', `/admin/accounts/${accounts[1]}/agents/${agentB.id}`, { token: api.admin() });
  const team = await call('POST', '/admin/teams', { token: api.admin(), body: { name: 'Team A' } });
  teamId = team.body.id;
  expect((await call('PUT', `/admin/teams/${teamId}/agents/${agentA.id}`, { token: api.admin() })).status).toBe(204);
  await seed(SEEDS.map(interactionOf));
});

const range = `from=${at(0, 0)}&to=${at(6, 0)}`;
const list = async (query: string, path = '/admin/interactions') => {
  const res = await call('GET', `${path}?${range}&${query}`, { token: supervisor.token });
  expect(res.status).toBe(200);
  return ids(res.body.items);
};

describe('interaction lists', () => {
  it.each([
    ['', ['S01', 'S02', 'S03', 'S04', 'S05', 'S06']],
    ['status=open', ['S02', 'S04', 'S06']],
    ['status=closed', ['S01', 'S03', 'S05']],
    ['read=false', ['S02', 'S04']],
    ['read=true', ['S01', 'S03', 'S05', 'S06']],
    ['unread=true', ['S02', 'S04']],
    ['unread=false', ['S01', 'S03', 'S05', 'S06']],
    ['queueId=Q2', ['S03', 'S05']],
    ['tags=vip', ['S01', 'S05']],
    ['tags=spam,billing', ['S01', 'S02', 'S06']],
    ['disposition=solved', ['S01', 'S05']],
    ['channel=whatsapp', ['S03', 'S06']],
    ['contactPhone=%2B443330000006', ['S06']],
  ])('filters by %s', async (query, expected) => {
    expect(await list(query)).toEqual(expected);
  });

  it('filters by agent, by team and by start date range', async () => {
    expect(await list(`agentId=${agentB.id}`)).toEqual(['S02', 'S05']);
    expect(await list(`teamId=${teamId}`)).toEqual(['S01', 'S03', 'S06']);
    const narrow = await call('GET', `/admin/interactions?from=${at(1, 0)}&to=${at(3, 23)}`, { token: supervisor.token });
    expect(ids(narrow.body.items)).toEqual(['S02', 'S03', 'S04']);
  });

  it('lists one account, sorted by start or last message, with a cursor that neither repeats nor skips', async () => {
    expect(await list('', `/admin/accounts/${accounts[1]}/interactions`)).toEqual(['S04', 'S05', 'S06']);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const res = await call('GET', `/admin/interactions?${range}&limit=2&order=asc${cursor ? `&cursor=${cursor}` : ''}`, { token: supervisor.token });
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      expect(Number(res.headers.get('x-items-read'))).toBeGreaterThanOrEqual(res.body.items.length);
      seen.push(...res.body.items.map((i: { id: string }) => untag(i.id)));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['S01', 'S02', 'S03', 'S04', 'S05', 'S06']);
    const byLast = await call('GET', `/admin/interactions?${range}&sort=lastMessageAt&order=desc&limit=3`, { token: supervisor.token });
    expect(byLast.body.items.map((i: { id: string }) => untag(i.id))).toEqual(['S06', 'S05', 'S04']);
  });

  it('refuses bad filters with a 400 naming each', async () => {
    const res = await call('GET', '/admin/interactions?status=maybe&from=yesterday&limit=9999&sort=size', { token: supervisor.token });
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['query.from', 'query.limit', 'query.sort', 'query.status']);
  });
});

const search = async (body: unknown, path = '/admin/interactions/search') => call('POST', path, { token: supervisor.token, body });
const bounded = (conditions: unknown[], match: 'all' | 'any' = 'all') => ({
  match,
  conditions: [...conditions, ...(match === 'all' ? [{ field: 'id', operator: 'startsWith', value: prefix }] : [])],
});

describe('advanced search', () => {
  it.each([
    ['equals', { field: 'status', operator: 'equals', value: 'open' }, ['S02', 'S04', 'S06']],
    ['notEquals', { field: 'status', operator: 'notEquals', value: 'open' }, ['S01', 'S03', 'S05']],
    ['contains', { field: 'contactPhone', operator: 'contains', value: '00000' }, ['S01', 'S02', 'S03', 'S04', 'S05', 'S06']],
    ['notContains', { field: 'contactPhone', operator: 'notContains', value: '+39' }, ['S06']],
    ['startsWith', { field: 'contactPhone', operator: 'startsWith', value: '+44' }, ['S06']],
    ['endsWith', { field: 'contactPhone', operator: 'endsWith', value: '5' }, ['S05']],
    ['greaterThan', { field: 'messageCount', operator: 'greaterThan', value: 4 }, ['S03', 'S05']],
    ['lessThan', { field: 'messageCount', operator: 'lessThan', value: 3 }, ['S02', 'S04']],
    ['between (numbers)', { field: 'messageCount', operator: 'between', value: [3, 7] }, ['S01', 'S03', 'S06']],
    ['between (dates)', { field: 'startedAt', operator: 'between', value: [at(1, 0), at(2, 23)] }, ['S02', 'S03']],
    ['in', { field: 'disposition', operator: 'in', value: ['Callback', 'nothing'] }, ['S03']],
    ['isEmpty', { field: 'agentId', operator: 'isEmpty' }, ['S04']],
    ['isNotEmpty', { field: 'disposition', operator: 'isNotEmpty' }, ['S01', 'S03', 'S05']],
    ['tags contains', { field: 'tags', operator: 'contains', value: 'VIP' }, ['S01', 'S05']],
    ['date equals a day', { field: 'startedAt', operator: 'equals', value: at(4).slice(0, 10) }, ['S05']],
    ['boolean', { field: 'read', operator: 'equals', value: false }, ['S02', 'S04']],
    ['spaced operator name', { field: 'status', operator: 'not equals', value: 'closed' }, ['S02', 'S04', 'S06']],
  ])('matches %s', async (_name, condition, expected) => {
    const res = await search(bounded([condition]));
    expect(res.status).toBe(200);
    expect(ids(res.body.items)).toEqual(expected);
  });

  it('combines with all and any, ignores disabled conditions and the list filters', async () => {
    const all = await search(bounded([{ field: 'status', operator: 'equals', value: 'closed' }, { field: 'tags', operator: 'contains', value: 'vip' }]));
    const any = await search({ match: 'any', conditions: [{ field: 'contactPhone', operator: 'equals', value: '+443330000006' }, { field: 'disposition', operator: 'equals', value: 'Callback' }] });
    const disabled = await search(bounded([{ field: 'status', operator: 'equals', value: 'closed' }, { field: 'tags', operator: 'contains', value: 'vip', disabled: true }]));
    const perAccount = await search(bounded([{ field: 'status', operator: 'equals', value: 'closed' }]), `/admin/accounts/${accounts[0]}/interactions/search?status=open`);

    expect(ids(all.body.items)).toEqual(['S01', 'S05']);
    expect(ids(any.body.items).filter((i) => /^S0/.test(i))).toEqual(['S03', 'S06']);
    expect(ids(disabled.body.items)).toEqual(['S01', 'S03', 'S05']);
    expect(ids(perAccount.body.items)).toEqual(['S01', 'S03']);
  });

  it('names a wrong field, operator or value in a 400', async () => {
    const res = await search({
      match: 'all',
      conditions: [
        { field: 'colour', operator: 'equals', value: 'red' },
        { field: 'messageCount', operator: 'startsWith', value: '1' },
        { field: 'startedAt', operator: 'greaterThan', value: 'last week' },
        { field: 'status', operator: 'equals', value: 'pending' },
        { field: 'messageCount', operator: 'between', value: [9, 1] },
      ],
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toEqual([
      'body.conditions.0.field',
      'body.conditions.1.operator',
      'body.conditions.2.value',
      'body.conditions.3.value',
      'body.conditions.4.value',
    ]);
    expect(res.body.error.details[0].message).toContain('colour');
  });

  it('searches accounts, agents and contacts with the same module', async () => {
    const acc = await call('POST', '/admin/accounts/search', { token: supervisor.token, body: { match: 'all', conditions: [{ field: 'type', operator: 'equals', value: 'plivo' }, { field: 'id', operator: 'in', value: accounts }] } });
    const agents = await call('POST', '/admin/agents/search', { token: supervisor.token, body: { match: 'all', conditions: [{ field: 'username', operator: 'equals', value: agentB.username }] } });
    await call('POST', `/admin/lists/${listId}/contacts`, { token: api.admin(), body: { phone: '+393339998887', firstName: 'Ada' } });
    const contacts = await call('POST', `/admin/lists/${listId}/contacts/search`, { token: supervisor.token, body: { match: 'all', conditions: [{ field: 'firstName', operator: 'startsWith', value: 'ad' }] } });
    const bad = await call('POST', '/admin/agents/search', { token: supervisor.token, body: { match: 'all', conditions: [{ field: 'role', operator: 'contains', value: 'x' }] } });

    expect(acc.body.items.map((a: { id: string }) => a.id)).toEqual([accounts[1]]);
    expect(agents.body.items.map((a: { id: string }) => a.id)).toEqual([agentB.id]);
    expect(agents.body.items[0]).not.toHaveProperty('passwordHash');
    expect(contacts.body.items.map((c: { phone: string }) => c.phone)).toEqual(['+393339998887']);
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('body.conditions.0.operator');
  });

  it('publishes each entity’s searchable fields and types in the OpenAPI document', async () => {
    const doc = (await call('GET', '/openapi.json')).body;
    const fields = doc.components['x-searchable-fields'];
    expect(fields.interactions.startedAt).toMatchObject({ type: 'date', operators: expect.arrayContaining(['between', 'greaterThan']) });
    expect(fields.interactions.tags.type).toBe('tags');
    expect(Object.keys(fields)).toEqual(['interactions', 'accounts', 'agents', 'contacts']);
    expect(doc.components.schemas.InteractionSearch).toBeDefined();
  });
});

describe('CSV export', () => {
  it('answers a small export directly, equal to the search result', async () => {
    const body = bounded([{ field: 'status', operator: 'equals', value: 'closed' }]);
    const found = await search(body);
    const res = await call('POST', '/admin/interactions/export', { token: supervisor.token, body: { search: body } });

    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    const rows = parse(res.text, { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => r.id)).toEqual(found.body.items.map((i: { id: string }) => i.id));
    expect(Object.keys(rows[0]!).slice(0, 14)).toEqual(['id', 'account', 'channel', 'contact', 'agent', 'queue', 'status', 'started', 'closed', 'disposition', 'tags', 'messageCount', 'firstResponseSeconds', 'handleSeconds']);
    expect(rows.find((r) => r.id === full('S01'))).toMatchObject({ account: accounts[0], contact: '+393330000001', agent: agentA.id, queue: 'Q1', status: 'closed', disposition: 'Solved', tags: 'vip;billing', messageCount: '4', handleSeconds: '7200' });
  });

  it('exports chosen ids', async () => {
    const res = await call('POST', '/admin/interactions/export', { token: supervisor.token, body: { ids: [full('S04'), full('S02')] } });
    expect((parse(res.text, { columns: true }) as { id: string }[]).map((r) => r.id)).toEqual([full('S04'), full('S02')]);
  });

  it('runs a large export as a job whose file comes back through an expiring signed link', async () => {
    const many = Array.from({ length: 1100 }, (_, i) => interactionOf({ id: `J${String(i).padStart(4, '0')}`, account: 1, day: 20, phone: `+3934${String(i).padStart(7, '0')}`, status: 'closed' }));
    await seed(many);
    const body = { match: 'all', conditions: [{ field: 'id', operator: 'startsWith', value: tagged('J') }, { field: 'startedAt', operator: 'equals', value: at(20).slice(0, 10) }] };

    const started = await call('POST', '/admin/interactions/export', { token: supervisor.token, body: { search: body } });
    expect(started.status).toBe(202);
    const job = await eventually(async () => {
      const res = await call('GET', `/admin/exports/${started.body.id}`, { token: supervisor.token });
      if (res.body.status !== 'done') throw new Error(`export is ${res.body.status} ${res.body.error ?? ''}`);
      return res.body;
    }, 60_000, 200);
    const file = await fetch(job.download.url);
    const rows = parse(await file.text(), { columns: true }) as { id: string }[];
    const forged = await fetch(job.download.url.replace(/signature=[^&]+/, 'signature=forged'));

    expect(job.rows).toBe(1100);
    expect(rows.map((r) => r.id).sort()).toEqual(many.map((m) => m.id).sort());
    expect(forged.status).toBe(404);
    expect((await call('GET', `/admin/exports/${started.body.id}`, { token: (await createUser(call, api.admin(), 'supervisor')).token })).status).toBe(404);
  });
});

async function withMessages(seedRow: Seed, messages: Partial<Message>[]): Promise<string> {
  const interaction = interactionOf(seedRow);
  await seed([interaction]);
  for (const [i, m] of messages.entries()) {
    await insertMessage({ interactionId: interaction.id, id: `01JTEST${String(i).padStart(19, '0')}`, direction: 'in', text: '', media: [], status: 'received', receivedAt: at(seedRow.day, 10 + i), ...m } as Message);
  }
  return interaction.id;
}

describe('transcripts', () => {
  it('zips the readable and JSON transcript with the notes, with and without attachments', async () => {
    const id = await withMessages({ id: 'TR1', account: 0, day: 7, phone: '+393331110001' }, [
      { text: 'hello, my order is late', media: [{ url: `data:text/plain;base64,${Buffer.from('receipt').toString('base64')}`, contentType: 'text/plain' }] },
      { direction: 'out', text: 'let me check', status: 'sent', agentId: 'someone' },
    ]);
    await call('POST', `/admin/interactions/${id}/notes`, { token: supervisor.token, body: { text: 'customer is upset' } });

    const without = await call('GET', `/admin/interactions/${id}/transcript?attachments=false`, { token: supervisor.token });
    const withFiles = await call('GET', `/admin/interactions/${id}/transcript?attachments=true`, { token: supervisor.token });
    const a = unzipSync(new Uint8Array(Buffer.from(await (await fetch(`${api.engine().httpUrl}/admin/interactions/${id}/transcript?attachments=false`, { headers: { authorization: `Bearer ${supervisor.token}` } })).arrayBuffer())));
    const b = unzipSync(new Uint8Array(Buffer.from(await (await fetch(`${api.engine().httpUrl}/admin/interactions/${id}/transcript?attachments=true`, { headers: { authorization: `Bearer ${supervisor.token}` } })).arrayBuffer())));

    expect(without.status).toBe(200);
    expect(withFiles.headers.get('content-type')).toBe('application/zip');
    expect(Object.keys(a).sort()).toEqual(['notes.json', 'transcript.json', 'transcript.txt']);
    const json = JSON.parse(strFromU8(a['transcript.json']!));
    expect(json.messages.map((m: Message) => m.text)).toEqual(['hello, my order is late', 'let me check']);
    expect(json.notes.map((n: { text: string }) => n.text)).toEqual(['customer is upset']);
    expect(strFromU8(a['transcript.txt']!)).toContain('hello, my order is late');
    expect(strFromU8(a['transcript.txt']!)).toContain('customer is upset');
    const attachment = Object.keys(b).find((k) => k.startsWith('attachments/'));
    expect(attachment).toBeDefined();
    expect(strFromU8(b[attachment!]!)).toBe('receipt');
  });

  it('zips several transcripts into one folder each', async () => {
    const res = await fetch(`${api.engine().httpUrl}/admin/interactions/transcripts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${supervisor.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ids: [full('S01'), full('S02')] }),
    });
    const files = unzipSync(new Uint8Array(await res.arrayBuffer()));
    expect(Object.keys(files).filter((k) => k.endsWith('transcript.json')).sort()).toEqual([`${full('S01')}/transcript.json`, `${full('S02')}/transcript.json`]);
  });
});

function collect(ws: WebSocket): Record<string, unknown>[] {
  const events: Record<string, unknown>[] = [];
  ws.on('message', (data) => events.push(JSON.parse(String(data)) as Record<string, unknown>));
  return events;
}

describe('spy and internal notes', () => {
  it('follows an interaction live for a supervisor, never for an agent outside the account', async () => {
    const id = await withMessages({ id: 'SPY1', account: 0, day: 8, phone: '+393331110002' }, [{ text: 'hi there' }]);
    const ws = (token: string) => openSocket(`${api.engine().wsUrl}?token=${token}`);
    const [sup, member, other] = await Promise.all([ws(supervisor.token), ws(agentA.token), ws(outsider.token)]);
    const [supEvents, memberEvents, otherEvents] = [collect(sup), collect(member), collect(other)];
    try {
      sup.send(JSON.stringify({ action: 'spy', interactionId: id }));
      other.send(JSON.stringify({ action: 'spy', interactionId: id }));
      const started = await eventually(() => {
        const e = supEvents.find((x) => x.type === 'spy.started');
        if (!e) throw new Error('no spy.started');
        return e as { messages: Message[] };
      }, 10_000);
      expect(started.messages.map((m) => m.text)).toEqual(['hi there']);
      // The spy sees the same message parts as the agent of the account.
      const agentMessages = await call('GET', `/agent/interactions/${id}/messages`, { token: agentA.token });
      expect(agentMessages.status).toBe(200);
      expect(started.messages.map((m) => m.parts)).toEqual((agentMessages.body.items as Message[]).map((m) => m.parts));
      expect(started.messages[0]!.parts).toEqual([expect.objectContaining({ type: 'text', text: 'hi there' })]);
      await eventually(() => expect(otherEvents.some((e) => e.type === 'error' && e.code === 'FORBIDDEN')).toBe(true), 10_000);

      await call('POST', `/admin/interactions/${id}/notes`, { token: supervisor.token, body: { text: 'watch the tone' } });

      await eventually(() => expect(supEvents.some((e) => e.type === 'note.added')).toBe(true), 10_000);
      await eventually(() => expect(memberEvents.some((e) => e.type === 'note.added')).toBe(true), 10_000);
      const agentView = await call('GET', `/agent/interactions/${id}/notes`, { token: agentA.token });
      expect(agentView.body.items.map((n: { text: string }) => n.text)).toEqual(['watch the tone']);
      expect(otherEvents.filter((e) => e.interactionId === id && e.type !== 'error')).toEqual([]);
      expect((await call('GET', `/admin/audit?action=interaction.spy&targetId=${id}`, { token: api.admin() })).body.items).toHaveLength(1);
    } finally {
      for (const s of [sup, member, other]) s.close();
    }
  });
});

async function itemsMentioning(needle: string): Promise<Record<string, unknown>[]> {
  const found: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await db.send(new ScanCommand({ TableName: TABLE, ExclusiveStartKey: start }));
    for (const item of out.Items ?? []) if (JSON.stringify(item).includes(needle) && item.pk !== undefined && !String(item.pk).startsWith('AUDIT#')) found.push(item);
    start = out.LastEvaluatedKey;
  } while (start);
  return found;
}

describe('delete', () => {
  it('deletes an open interaction with its messages, notes, pointer, provider index, links and timers: nothing left', async () => {
    const id = await withMessages({ id: 'DEL1', account: 0, day: 9, phone: '+393331110003', status: 'open' }, [{ text: 'delete me', providerMessageId: `pm-${prefix}` }]);
    const accountId = accounts[0]!;
    await db.send(new BatchWriteCommand({ RequestItems: { [TABLE]: [
      { PutRequest: { Item: { ...itemKeys.pointer(accountId, '+393331110003'), interactionId: id } } },
      { PutRequest: { Item: { ...itemKeys.providerIndex(accountId, `pm-${prefix}`), interactionId: id, messageSk: 'MSG#x' } } },
      { PutRequest: { Item: { ...itemKeys.dedupe(accountId, `pm-${prefix}`), interactionId: id, expiresAt: 9999999999 } } },
      { PutRequest: { Item: { ...itemKeys.contactLink(listId, 'c-DEL1', id), interactionId: id } } },
    ] } }));
    await call('POST', `/admin/interactions/${id}/notes`, { token: supervisor.token, body: { text: 'note' } });
    await armTimer({ name: timerName(id, 'inactivity'), kind: 'inactivity', dueAt: Date.now() + 3_600_000, payload: { interactionId: id } });
    expect((await itemsMentioning(id)).length).toBeGreaterThanOrEqual(6);

    const res = await call('DELETE', `/admin/interactions/${id}`, { token: supervisor.token });

    expect(res.status).toBe(204);
    expect(await itemsMentioning(id)).toEqual([]);
    expect((await call('GET', `/admin/interactions/${id}`, { token: supervisor.token })).status).toBe(404);
    expect((await call('DELETE', `/admin/interactions/${id}`, { token: supervisor.token })).status).toBe(404);
    const audit = await call('GET', `/admin/audit?action=interaction.delete&targetId=${id}`, { token: api.admin() });
    expect(audit.body.items[0]).toMatchObject({ actorId: supervisor.id, targetIds: [id] });
  });

  it('bulk-deletes and erases a contact with its interactions', async () => {
    const a = await withMessages({ id: 'DEL2', account: 0, day: 9, phone: '+393331110004' }, [{ text: 'one' }]);
    const b = await withMessages({ id: 'DEL3', account: 0, day: 9, phone: '+393331110004' }, [{ text: 'two' }]);
    const bulk = await call('POST', '/admin/interactions/bulk-delete', { token: supervisor.token, body: { ids: [a, b, 'nope'] } });
    expect(bulk.body).toEqual({ deleted: 2, ids: [a, b] });
    expect(await itemsMentioning(a)).toEqual([]);

    const contact = await call('POST', `/admin/lists/${listId}/contacts`, { token: api.admin(), body: { phone: '+393331110005' } });
    const row = interactionOf({ id: 'DEL4', account: 0, day: 9, phone: '+393331110005' });
    const linked = { ...row, contactId: contact.body.id };
    await seed([linked]);
    await db.send(new BatchWriteCommand({ RequestItems: { [TABLE]: [{ PutRequest: { Item: { ...itemKeys.contactLink(listId, contact.body.id, linked.id), interactionId: linked.id } } }] } }));

    const erased = await call('DELETE', `/admin/lists/${listId}/contacts/${contact.body.id}?erase=true`, { token: api.admin() });

    expect(erased.status).toBe(204);
    expect(await itemsMentioning(linked.id)).toEqual([]);
    expect(await itemsMentioning(contact.body.id)).toEqual([]);
  });
});

describe('teams', () => {
  it('creates, lists, renames and deletes a team with its member agents', async () => {
    const admin = { token: api.admin() };
    const created = await call('POST', '/admin/teams', { ...admin, body: { name: `Night shift ${prefix}`, description: 'after 22:00' } });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect((await call('GET', `/admin/teams?q=${encodeURIComponent(`night shift ${prefix}`)}`, admin)).body.items.map((t: { id: string }) => t.id)).toEqual([id]);
    expect((await call('PUT', `/admin/teams/${id}/agents/${agentA.id}`, admin)).status).toBe(204);
    expect((await call('PUT', `/admin/teams/${id}/agents/${agentB.id}`, admin)).status).toBe(204);
    expect((await call('PUT', `/admin/teams/${id}/agents/${ulid()}`, admin)).status).toBe(404);
    expect(((await call('GET', `/admin/teams/${id}/agents`, admin)).body.agentIds as string[]).sort()).toEqual([agentA.id, agentB.id].sort());
    expect((await call('DELETE', `/admin/teams/${id}/agents/${agentB.id}`, admin)).status).toBe(204);
    expect((await call('GET', `/admin/teams/${id}/agents`, { token: supervisor.token })).body.agentIds).toEqual([agentA.id]);
    const renamed = await call('PATCH', `/admin/teams/${id}`, { ...admin, body: { name: `Late shift ${prefix}`, description: null } });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ id, name: `Late shift ${prefix}` });
    expect(renamed.body.description).toBeUndefined();
    expect((await call('PATCH', `/admin/teams/${id}`, { token: supervisor.token, body: { name: 'x' } })).status).toBe(403);
    expect((await call('DELETE', `/admin/teams/${id}`, admin)).status).toBe(204);
    expect((await call('GET', `/admin/teams/${id}`, admin)).status).toBe(404);
  });
});

describe('who may', () => {
  const mine = httpRoutes.filter((r) => /^\/admin\/(interactions|exports|teams|audit)|^\/admin\/accounts\/\{id\}\/interactions|^\/admin\/.*\/search$/.test(r.path));

  it('refuses agents with 403 on every supervision route', async () => {
    const results = await Promise.all(
      mine.map(async (r) => [`${r.method} ${r.path}`, (await call(r.method, r.path.replace(/\{id\}/, accounts[0]!).replace('{agentId}', agentA.id).replace('{contactId}', 'x'), { token: agentA.token, body: {} })).status] as const),
    );
    expect(mine.length).toBeGreaterThanOrEqual(20);
    expect(results.filter(([, status]) => status !== 403)).toEqual([]);
  });

  it('records audit rows for exports, transcripts, notes, spying, deletes and team changes', async () => {
    const audit = async (action: string) => (await call('GET', `/admin/audit?action=${encodeURIComponent(action)}`, { token: api.admin() })).body.items;
    expect((await audit('interaction.export')).length).toBeGreaterThanOrEqual(2);
    expect((await audit('interaction.transcript')).length).toBeGreaterThanOrEqual(3);
    expect((await audit('POST /admin/interactions/{id}/notes')).length).toBeGreaterThanOrEqual(1);
    expect((await audit('PUT /admin/teams/{id}/agents/{agentId}')).map((r: { targetIds: string[] }) => r.targetIds)).toContainEqual([teamId, agentA.id]);
    // The spy and delete tests above: who spied on or deleted which interaction.
    for (const action of ['interaction.spy', 'interaction.delete']) {
      const rows = await audit(action);
      expect(rows.length).toBeGreaterThanOrEqual(1);
      expect(rows[0]).toMatchObject({ action, targetType: 'interaction', actorId: expect.any(String), at: expect.any(String) });
      expect(rows[0].targetIds.length).toBeGreaterThanOrEqual(1);
    }
  });
});
