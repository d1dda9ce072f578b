/**
 * Campaign use cases for the admin API: create and edit (refused while running), start, pause, resume, cancel,
 * delete, and the campaign as the API shows it (with its recipient counts). Sending itself is the dispatcher's
 * (`./dispatch.ts`), driven by the campaign's tick timer, which `start` and `resume` arm.
 */
import { ulid } from '../ids';
import type { CampaignCreate, CampaignPatch } from '../admin/whatsapp-schema';
import { canApply, canEdit, CAMPAIGN_PROVIDERS, DEFAULT_RATE, RECIPIENT_STATUSES, type CampaignAction, type RecipientStatus } from '../domain/campaigns';
import { ConflictError, StaleVersionError, ValidationError, type ErrorDetail } from '../errors';
import { log } from '../logger';
import { now, nowIso } from '../ports/clock';
import { armTimer, cancelTimer, timerName } from '../ports/timers';
import { notifyAdmins } from '../realtime/notify';
import { requireAccount } from '../store/accounts';
import { countPhase, deleteCampaignItems, insertCampaign, replaceCampaign, requireCampaign, type Campaign, type CampaignPause } from '../store/campaigns';
import { getList } from '../store/lists';
import { getTemplate, type WhatsAppTemplate } from '../store/templates';

export const TIMER_CAMPAIGN_TICK = 'campaign.tick';

export const tickName = (campaignId: string) => timerName(campaignId, 'campaign');

export async function armTick(campaignId: string, dueAt: number): Promise<void> {
  await armTimer({ name: tickName(campaignId), kind: TIMER_CAMPAIGN_TICK, dueAt, payload: { campaignId } });
}

export function effectiveRate(campaign: Pick<Campaign, 'ratePerSecond'>, provider: string): number {
  return campaign.ratePerSecond ?? DEFAULT_RATE[provider as keyof typeof DEFAULT_RATE] ?? 20;
}

/** Checks what a campaign refers to; every problem names its field. `forStart` also needs the template APPROVED. */
async function checkReferences(
  fields: { accountId: string; templateId: string; listIds: string[]; parameters: Campaign['parameters'] },
  forStart: boolean,
): Promise<WhatsAppTemplate | undefined> {
  const problems: ErrorDetail[] = [];
  const account = await requireAccount(fields.accountId);
  if (account.channel !== 'whatsapp' || !CAMPAIGN_PROVIDERS.includes(account.type)) {
    problems.push({ path: 'body.accountId', message: 'campaigns need a WhatsApp account of Meta, Kaleyra or Twilio' });
  }
  const template = await getTemplate(fields.templateId);
  if (!template || template.accountId !== fields.accountId) problems.push({ path: 'body.templateId', message: 'no such template on this account' });
  const lists = await Promise.all(fields.listIds.map((id) => getList(id)));
  lists.forEach((list, i) => {
    if (!list) problems.push({ path: `body.listIds.${i}`, message: 'no such contact list' });
  });
  if (new Set(fields.listIds).size !== fields.listIds.length) problems.push({ path: 'body.listIds', message: 'a list is named twice' });
  if (template) {
    for (const name of [...template.parameters.header, ...template.parameters.body]) {
      if (!fields.parameters[name]) problems.push({ path: `body.parameters.${name}`, message: `template parameter {{${name}}} needs a contact field or a constant` });
    }
  }
  if (problems.length) throw new ValidationError(`invalid campaign: ${problems.map((p) => p.path).join(', ')}`, problems);
  if (forStart && template && template.status !== 'APPROVED') {
    throw new ConflictError('TEMPLATE_NOT_APPROVED', `template '${template.name}' is ${template.status}; only APPROVED templates can be sent`, [{ path: 'templateId', message: template.status }]);
  }
  return template;
}

export async function createCampaign(input: CampaignCreate): Promise<Campaign> {
  await checkReferences(input, false);
  const at = nowIso();
  const campaign: Campaign = {
    id: ulid(),
    accountId: input.accountId,
    name: input.name,
    templateId: input.templateId,
    listIds: input.listIds,
    parameters: input.parameters,
    schedule: input.schedule,
    ...(input.ratePerSecond !== undefined ? { ratePerSecond: input.ratePerSecond } : {}),
    status: 'draft',
    createdAt: at,
    updatedAt: at,
    version: 1,
  };
  await insertCampaign(campaign);
  return campaign;
}

export async function patchCampaign(current: Campaign, patch: CampaignPatch): Promise<Campaign> {
  if (!canEdit(current.status)) throw new ConflictError('NOT_EDITABLE', `a ${current.status} campaign cannot be edited${current.status === 'running' ? '; pause it first' : ''}`, [{ path: 'status', message: current.status }]);
  const next: Campaign = { ...current };
  if (patch.name !== undefined) next.name = patch.name;
  if (patch.schedule !== undefined) next.schedule = patch.schedule;
  if (patch.ratePerSecond === null) delete next.ratePerSecond;
  else if (patch.ratePerSecond !== undefined) next.ratePerSecond = patch.ratePerSecond;
  // Who receives what is fixed once the recipients are written.
  const audience = patch.templateId !== undefined || patch.listIds !== undefined || patch.parameters !== undefined;
  if (audience && current.prepared) throw new ConflictError('NOT_EDITABLE', 'the recipients are written: template, lists and parameters can no longer change', [{ path: 'body', message: 'prepared' }]);
  if (patch.templateId !== undefined) next.templateId = patch.templateId;
  if (patch.listIds !== undefined) next.listIds = patch.listIds;
  if (patch.parameters !== undefined) next.parameters = patch.parameters;
  if (audience) await checkReferences(next, false);
  next.updatedAt = nowIso();
  return replaceCampaign(current, next);
}

/** Applies a lifecycle action, with a retry when a tick moved the campaign meanwhile. */
async function transition(id: string, action: CampaignAction, change: (c: Campaign) => Promise<Campaign | undefined>): Promise<Campaign> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const current = await requireCampaign(id);
    if (!canApply(action, current.status)) {
      throw new ConflictError('INVALID_TRANSITION', `a ${current.status} campaign cannot ${action}`, [{ path: 'status', message: current.status }]);
    }
    try {
      const next = await change(current);
      return next ?? current;
    } catch (error) {
      if (!(error instanceof StaleVersionError)) throw error;
    }
  }
  throw new StaleVersionError(`campaign ${id}`);
}

export async function startCampaign(id: string): Promise<Campaign> {
  return transition(id, 'start', async (current) => {
    await checkReferences(current, true);
    const startAt = current.schedule.startAt ? Date.parse(current.schedule.startAt) : now();
    const at = nowIso();
    const running = startAt <= now();
    const next = await replaceCampaign(current, { ...current, status: running ? 'running' : 'scheduled', ...(running ? { startedAt: at } : {}), updatedAt: at });
    await armTick(id, Math.max(now(), startAt));
    return next;
  });
}

/** Pauses a scheduled or running campaign; `automatic` pauses (template paused, spam restriction) tell the admins. */
export async function pauseCampaign(id: string, why: { code: string; reason: string; automatic: boolean } = { code: 'ADMIN', reason: 'paused by an admin', automatic: false }): Promise<Campaign> {
  const paused = await transition(id, 'pause', async (current) => {
    const pause: CampaignPause = { ...why, at: nowIso() };
    return replaceCampaign(current, { ...current, status: 'paused', pause, updatedAt: pause.at });
  });
  await cancelTimer(tickName(id)).catch(() => undefined);
  if (why.automatic) {
    log.warn('campaign paused automatically', { campaignId: id, code: why.code, reason: why.reason });
    await notifyAdmins({ type: 'campaign.paused', accountId: paused.accountId, campaignId: id, name: paused.name, code: why.code, reason: why.reason }).catch((error: unknown) =>
      log.warn('campaign notification failed', { error }),
    );
  }
  return paused;
}

export async function resumeCampaign(id: string): Promise<Campaign> {
  return transition(id, 'resume', async (current) => {
    await checkReferences(current, true);
    const { pause: _pause, pace: _pace, ...rest } = current;
    const at = nowIso();
    const startAt = current.schedule.startAt ? Date.parse(current.schedule.startAt) : now();
    const running = current.startedAt !== undefined || startAt <= now();
    const next = await replaceCampaign(current, { ...rest, status: running ? 'running' : 'scheduled', ...(running && !current.startedAt ? { startedAt: at } : {}), resumedAt: at, updatedAt: at });
    await armTick(id, Math.max(now(), startAt));
    return next;
  });
}

export async function cancelCampaign(id: string): Promise<Campaign> {
  const cancelled = await transition(id, 'cancel', async (current) => {
    const at = nowIso();
    return replaceCampaign(current, { ...current, status: 'cancelled', cancelledAt: at, updatedAt: at });
  });
  await cancelTimer(tickName(id)).catch(() => undefined);
  return cancelled;
}

export async function deleteCampaign(current: Campaign): Promise<void> {
  if (current.status === 'running' || current.status === 'scheduled' || current.status === 'paused') {
    throw new ConflictError('NOT_EDITABLE', `a ${current.status} campaign cannot be deleted; cancel it first`, [{ path: 'status', message: current.status }]);
  }
  await cancelTimer(tickName(current.id)).catch(() => undefined);
  await deleteCampaignItems(current);
}

export type RecipientCounts = Record<RecipientStatus, number> & { total: number };

/** Exact counts per status (a COUNT query per phase; `pending` includes messages on their way to the provider). */
export async function recipientCounts(campaignId: string): Promise<RecipientCounts> {
  const phases = [...RECIPIENT_STATUSES, 'queued'] as const;
  const counts = await Promise.all(phases.map((p) => countPhase(campaignId, p)));
  const by = Object.fromEntries(phases.map((p, i) => [p, counts[i] ?? 0])) as Record<(typeof phases)[number], number>;
  const result = { ...Object.fromEntries(RECIPIENT_STATUSES.map((s) => [s, by[s]])), total: 0 } as RecipientCounts;
  result.pending += by.queued;
  result.total = counts.reduce((a, b) => a + b, 0);
  return result;
}

/** A campaign's fields as the API shows them: pacing internals left out, the provider's last slow-down as a time. */
export function campaignFields(campaign: Campaign): Record<string, unknown> {
  const { pace: _pace, slowedAt, ...fields } = campaign;
  return { ...fields, ...(slowedAt !== undefined ? { slowedDownAt: new Date(slowedAt).toISOString() } : {}) };
}

/** The campaign as the API shows it: its fields, the rate in force and the counts. */
export async function campaignView(campaign: Campaign, provider?: string): Promise<Record<string, unknown>> {
  const account = provider ? undefined : await requireAccount(campaign.accountId).catch(() => undefined);
  return { ...campaignFields(campaign), rate: effectiveRate(campaign, provider ?? account?.type ?? ''), counts: await recipientCounts(campaign.id) };
}
