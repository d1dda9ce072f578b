/**
 * The audit log end to end: admin writes leave rows (who, when, what, target ids), `recordAudit` rows from other
 * code show up too, GET /admin/audit filters by actor, action, target, outcome and time with cursor paging, expired
 * rows are hidden, agents are refused and bad filters are a 400 naming the parameter.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { createUser, useAdminApi, type TestUser } from '../support/admin';
import { db, TABLE } from '../../shared/store/client';
import { recordAudit, type AuditEntry } from '../../shared/store/audit';

const api = useAdminApi();
const { call } = api;
let supervisor: TestUser;
let agent: TestUser;
let adminId: string;

beforeAll(async () => {
  supervisor = await createUser(call, api.admin(), 'supervisor');
  agent = await createUser(call, api.admin(), 'agent');
  adminId = (await call('GET', '/agent/me', { token: api.admin() })).body.id;
});

const audit = async (query: string, token = api.admin()) => call('GET', `/admin/audit${query}`, { token });

describe('audit log', () => {
  it('records every admin write with the actor, the route and the target ids', async () => {
    const started = new Date().toISOString();
    const queue = await call('POST', '/admin/queues', { token: api.admin(), body: { name: 'Audited' } });
    await call('PATCH', `/admin/queues/${queue.body.id}`, { token: api.admin(), body: { name: 'Audited 2' } });
    await call('DELETE', `/admin/queues/${queue.body.id}`, { token: api.admin() });

    const res = await audit(`?targetId=${queue.body.id}`);

    expect(res.status).toBe(200);
    expect(res.body.items.map((e: AuditEntry) => e.action)).toEqual(['DELETE /admin/queues/{id}', 'PATCH /admin/queues/{id}', 'POST /admin/queues']);
    for (const entry of res.body.items as AuditEntry[]) {
      expect(entry).toMatchObject({ actorId: adminId, actorUsername: 'admin', actorRole: 'admin', outcome: 'ok', targetIds: [queue.body.id] });
      expect(entry.at >= started).toBe(true);
      expect(entry.expiresAt).toBeGreaterThan(Date.now() / 1000 + 364 * 86400);
    }
  });

  it('records nothing for reads, refused writes or bad input', async () => {
    const marker = `m${Date.now()}`;
    await call('GET', '/admin/queues', { token: api.admin() });
    await call('POST', '/admin/queues', { token: supervisor.token, body: { name: marker } });
    await call('POST', '/admin/queues', { token: api.admin(), body: { name: '' } });

    const mine = await audit(`?actorId=${supervisor.id}`);
    const bad = await audit(`?action=${encodeURIComponent('POST /admin/queues')}&from=${new Date(Date.now() - 5000).toISOString()}`);

    expect(mine.body.items).toEqual([]);
    expect(bad.body.items.every((e: AuditEntry) => e.actorId === adminId)).toBe(true);
  });

  it('shows rows recorded by other code through recordAudit (logins, take-overs)', async () => {
    const target = `i${Date.now()}`;
    await recordAudit({ actor: { id: supervisor.id, username: supervisor.username, role: 'supervisor' }, action: 'interaction.takeover', targetIds: [target], targetType: 'interaction', details: { reason: 'agent away' } });
    await recordAudit({ actor: { id: 'username:nobody' }, action: 'auth.login', outcome: 'failed' });

    const takeover = await audit(`?actorId=${supervisor.id}&action=interaction.*`);
    const failed = await audit('?action=auth.login&outcome=failed');

    expect(takeover.body.items).toEqual([expect.objectContaining({ action: 'interaction.takeover', targetIds: [target], targetType: 'interaction', details: { reason: 'agent away' } })]);
    expect(failed.body.items[0]).toMatchObject({ actorId: 'username:nobody', outcome: 'failed', targetIds: [] });
  });

  it('pages with a cursor, newest first, without repeating or skipping a row', async () => {
    const actor = { id: `pager-${Date.now()}` };
    for (let i = 0; i < 7; i++) await recordAudit({ actor, action: 'test.page', targetIds: [`t${i}`] });

    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const res = await audit(`?action=test.page&limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(3);
      seen.push(...res.body.items.map((e: AuditEntry) => e.targetIds[0]));
      cursor = res.body.nextCursor;
    } while (cursor);

    expect(seen).toEqual(['t6', 't5', 't4', 't3', 't2', 't1', 't0']);
  });

  it('filters by time range', async () => {
    const actor = { id: `timed-${Date.now()}` };
    await recordAudit({ actor, action: 'test.time', targetIds: ['early'] });
    await new Promise((r) => setTimeout(r, 20));
    const middle = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 20));
    await recordAudit({ actor, action: 'test.time', targetIds: ['late'] });

    const after = await audit(`?actorId=${actor.id}&from=${middle}`);
    const before = await audit(`?action=test.time&to=${middle}`);

    expect(after.body.items.map((e: AuditEntry) => e.targetIds[0])).toEqual(['late']);
    expect(before.body.items.map((e: AuditEntry) => e.targetIds[0])).toContain('early');
    expect(before.body.items.map((e: AuditEntry) => e.targetIds[0])).not.toContain('late');
  });

  it('hides a row past its retention even before DynamoDB deletes it', async () => {
    const at = new Date().toISOString();
    await db.send(
      new PutCommand({
        TableName: TABLE,
        Item: { pk: `AUDIT#${at.slice(0, 7)}`, sk: `${at}#EXPIRED`, id: 'EXPIRED', at, actorId: 'old', action: 'test.expired', targetIds: [], outcome: 'ok', expiresAt: Math.floor(Date.now() / 1000) - 1 },
      }),
    );

    expect((await audit('?action=test.expired')).body.items).toEqual([]);
  });

  it('lets supervisors read it and refuses agents and anonymous callers', async () => {
    expect((await audit('', supervisor.token)).status).toBe(200);
    expect((await audit('', agent.token)).status).toBe(403);
    expect((await call('GET', '/admin/audit')).status).toBe(401);
  });

  it('refuses bad filters with a 400 naming each parameter', async () => {
    const res = await audit('?from=yesterday&outcome=maybe&limit=0');
    const reversed = await audit('?from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z');
    const cursor = await audit('?cursor=garbage');

    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['query.from', 'query.limit', 'query.outcome']);
    expect(reversed.status).toBe(400);
    expect(reversed.body.error.details[0].path).toBe('query.from');
    expect(cursor.status).toBe(400);
    expect(cursor.body.error.details[0].path).toBe('query.cursor');
  });
});
