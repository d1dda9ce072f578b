/** GET /admin/audit: the audit log, newest first, filtered by time, actor, action, target and outcome. */
import { auditListQuery } from '../shared/admin/audit-schema';
import { ValidationError } from '../shared/errors';
import { httpApi, json } from '../shared/http/api';
import { adminAccess } from '../shared/http/guard';
import { listAudit } from '../shared/store/audit';
import { parseInput } from '../shared/validation';

export const handler = httpApi({
  'GET /admin/audit': async (req) => {
    await adminAccess(req);
    const query = parseInput(auditListQuery, req.query, 'query');
    if (query.from && query.to && query.from > query.to) {
      throw new ValidationError('from is after to', [{ path: 'query.from', message: 'must not be after query.to' }]);
    }
    const page = await listAudit(query);
    return json(200, { items: page.items, ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) }, { 'x-items-read': String(page.itemsRead) });
  },
});
