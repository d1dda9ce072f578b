/**
 * /admin/whatsapp/templates and /admin/whatsapp/campaigns: WhatsApp templates (submitted to Meta, Kaleyra or
 * Twilio's Content API, their status kept in step) and outbound campaigns (an approved template sent to contact
 * lists at a paced rate), with their lifecycle, recipients and CSV export. Admins write; supervisors read.
 */
import { stringify } from 'csv-stringify/sync';
import {
  campaignBody,
  campaignCreateSchema,
  campaignListQuery,
  campaignPatchSchema,
  recipientExportQuery,
  recipientListQuery,
  templateCreateSchema,
  templateListQuery,
} from '../shared/admin/whatsapp-schema';
import {
  campaignFields,
  campaignView,
  cancelCampaign,
  createCampaign,
  deleteCampaign,
  patchCampaign,
  pauseCampaign,
  resumeCampaign,
  startCampaign,
} from '../shared/campaigns/lifecycle';
import { createTemplate, deleteTemplate, syncAllTemplates, syncTemplate } from '../shared/campaigns/templates';
import { httpApi, json, noContent, type RouteHandler } from '../shared/http/api';
import { adminAccess } from '../shared/http/guard';
import { listCampaigns, pageRecipients, requireCampaign, type Campaign, type Recipient, type RecipientPhase } from '../shared/store/campaigns';
import { listTemplates, requireTemplate } from '../shared/store/templates';
import { paginate, type ListQuery } from '../shared/store/util';
import { parseInput } from '../shared/validation';

const guarded =
  (route: RouteHandler): RouteHandler =>
  async (req) => {
    await adminAccess(req);
    return route(req);
  };

/** A recipient as the API shows it: `queued` is still `pending` to the outside. */
function recipientView(r: Recipient): Record<string, unknown> {
  const { phase, ...rest } = r;
  return { ...rest, status: phase === 'queued' ? 'pending' : phase };
}

const phasesOf = (status: string | undefined): RecipientPhase[] | undefined =>
  status === undefined ? undefined : status === 'pending' ? ['pending', 'queued'] : [status as RecipientPhase];

const CSV_COLUMNS = ['seq', 'phone', 'status', 'skipReason', 'errorCode', 'errorMessage', 'providerMessageId', 'sentAt', 'deliveredAt', 'readAt', 'repliedAt', 'failedAt', 'listId', 'contactId'];

export const handler = httpApi({
  'GET /admin/whatsapp/templates': guarded(async (req) => {
    const query = parseInput(templateListQuery, req.query, 'query');
    const all = (await listTemplates(query.accountId)).filter((t) => !query.status || t.status === query.status);
    return json(200, paginate(all as unknown as Record<string, unknown>[], query as ListQuery, ['name', 'language', 'category'], ['name', 'createdAt', 'updatedAt', 'status']));
  }),
  'POST /admin/whatsapp/templates': guarded(async (req) => json(201, await createTemplate(parseInput(templateCreateSchema, req.json())))),
  'POST /admin/whatsapp/templates/sync': guarded(async () => json(200, await syncAllTemplates())),
  'GET /admin/whatsapp/templates/{id}': guarded(async (req) => json(200, await requireTemplate(req.params.id!))),
  'POST /admin/whatsapp/templates/{id}/sync': guarded(async (req) => json(200, await syncTemplate(await requireTemplate(req.params.id!)))),
  'DELETE /admin/whatsapp/templates/{id}': guarded(async (req) => {
    await deleteTemplate(await requireTemplate(req.params.id!));
    return noContent();
  }),

  'GET /admin/whatsapp/campaigns': guarded(async (req) => {
    const query = parseInput(campaignListQuery, req.query, 'query');
    const all = (await listCampaigns()).filter((c) => (!query.accountId || c.accountId === query.accountId) && (!query.status || c.status === query.status));
    const page = paginate(all as unknown as Record<string, unknown>[], query as ListQuery, ['name'], ['createdAt', 'name', 'updatedAt', 'status']);
    return json(200, { ...page, items: (page.items as unknown as Campaign[]).map(campaignFields) });
  }),
  'POST /admin/whatsapp/campaigns': guarded(async (req) => json(201, await campaignView(await createCampaign(parseInput(campaignCreateSchema, campaignBody(req.json())))))),
  'GET /admin/whatsapp/campaigns/{id}': guarded(async (req) => json(200, await campaignView(await requireCampaign(req.params.id!)))),
  'PATCH /admin/whatsapp/campaigns/{id}': guarded(async (req) => {
    const patch = parseInput(campaignPatchSchema, campaignBody(req.json()));
    return json(200, await campaignView(await patchCampaign(await requireCampaign(req.params.id!), patch)));
  }),
  'DELETE /admin/whatsapp/campaigns/{id}': guarded(async (req) => {
    await deleteCampaign(await requireCampaign(req.params.id!));
    return noContent();
  }),
  'POST /admin/whatsapp/campaigns/{id}/start': guarded(async (req) => json(200, await campaignView(await startCampaign(req.params.id!)))),
  'POST /admin/whatsapp/campaigns/{id}/pause': guarded(async (req) => json(200, await campaignView(await pauseCampaign(req.params.id!)))),
  'POST /admin/whatsapp/campaigns/{id}/resume': guarded(async (req) => json(200, await campaignView(await resumeCampaign(req.params.id!)))),
  'POST /admin/whatsapp/campaigns/{id}/cancel': guarded(async (req) => json(200, await campaignView(await cancelCampaign(req.params.id!)))),
  'GET /admin/whatsapp/campaigns/{id}/recipients': guarded(async (req) => {
    const query = parseInput(recipientListQuery, req.query, 'query');
    const campaign = await requireCampaign(req.params.id!);
    const phases = phasesOf(query.status);
    const page = await pageRecipients(campaign.id, { ...(phases ? { phases } : {}), ...(query.phone ? { phone: query.phone } : {}), limit: query.limit, ...(query.cursor ? { cursor: query.cursor } : {}) });
    return json(200, { items: page.items.map(recipientView), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) });
  }),
  'GET /admin/whatsapp/campaigns/{id}/recipients/export': guarded(async (req) => {
    const query = parseInput(recipientExportQuery, req.query, 'query');
    const campaign = await requireCampaign(req.params.id!);
    const phases = phasesOf(query.status);
    const rows: Record<string, unknown>[] = [];
    let cursor: string | undefined;
    do {
      const page = await pageRecipients(campaign.id, { ...(phases ? { phases } : {}), limit: 1000, ...(cursor ? { cursor } : {}) });
      rows.push(...page.items.map(recipientView));
      cursor = page.nextCursor;
    } while (cursor);
    return {
      statusCode: 200,
      headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="campaign-${campaign.id}-recipients.csv"` },
      body: stringify(rows, { header: true, columns: CSV_COLUMNS, cast: { number: String } }),
    };
  }),
});
