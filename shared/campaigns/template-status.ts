/**
 * What providers say about a WhatsApp template (its status webhook, a sync's answer) applied to the stored template:
 * a change to PAUSED, DISABLED (or REJECTED, DELETED), or quality RED, pauses the campaigns that use it and tells
 * the admins. Apart from ./templates.ts (which calls the providers' template APIs) so that the inbound function,
 * which handles status webhooks, carries neither the providers' template code nor the account credentials.
 */
import { stopsCampaigns, type TemplateStatus } from '../domain/templates';
import { StaleVersionError } from '../errors';
import { log } from '../logger';
import { nowIso } from '../ports/clock';
import type { ProviderTemplateState } from '../providers/template-api';
import { notifyAdmins } from '../realtime/notify';
import { getAccount, type Account } from '../store/accounts';
import { campaignsUsingTemplate } from '../store/campaigns';
import { findTemplateByName, listTemplates, requireTemplate, updateTemplateState, type WhatsAppTemplate } from '../store/templates';
import { pauseCampaign } from './lifecycle';

/**
 * Records what the provider says about a template. A change to PAUSED, DISABLED (or REJECTED, DELETED) pauses the
 * campaigns that use it and tells the admins; a repeated or stale report changes nothing.
 */
export async function applyTemplateState(template: WhatsAppTemplate, state: ProviderTemplateState, source: 'webhook' | 'sync'): Promise<WhatsAppTemplate> {
  let current = template;
  for (let attempt = 0; attempt < 3; attempt++) {
    const status: TemplateStatus = state.status ?? current.status;
    const changed = status !== current.status || (state.reason ?? current.reason) !== current.reason || (state.quality ?? current.quality) !== current.quality;
    const at = nowIso();
    try {
      const next = await updateTemplateState(current, {
        status,
        ...(status !== current.status ? { statusAt: at } : { statusAt: current.statusAt }),
        reason: status === 'APPROVED' || status === 'PENDING' ? undefined : (state.reason ?? current.reason),
        ...(state.quality ? { quality: state.quality } : {}),
        ...(state.providerTemplateId && !current.providerTemplateId ? { providerTemplateId: state.providerTemplateId } : {}),
        ...(source === 'sync' ? { syncedAt: at } : {}),
        updatedAt: changed ? at : current.updatedAt,
      });
      if (status !== current.status) {
        log.info('template status changed', { templateId: current.id, from: current.status, to: status, source });
        // The account's recontact template: agents cannot send it while it is not APPROVED, which the admins must know.
        const account = await getAccount(current.accountId);
        const recontact = account !== undefined && isRecontactOf(account, current);
        if (recontact && status !== 'APPROVED') log.warn("an account's recontact template is no longer APPROVED: agents cannot send it", { accountId: current.accountId, templateId: current.id, status });
        await notifyAdmins({ type: 'template.status', accountId: current.accountId, templateId: current.id, name: current.name, language: current.language, status, ...(next.reason ? { reason: next.reason } : {}), ...(recontact ? { recontact: true } : {}) }).catch((error: unknown) =>
          log.warn('template notification failed', { error }),
        );
      }
      if (stopsCampaigns(status) && status !== current.status) await pauseCampaignsUsing(next, `TEMPLATE_${status}`, `template '${current.name}' is ${status}${next.reason ? `: ${next.reason}` : ''}`);
      if (state.quality === 'RED' && current.quality !== 'RED') await pauseCampaignsUsing(next, 'TEMPLATE_QUALITY', `template '${current.name}' quality dropped to RED`);
      return next;
    } catch (error) {
      if (!(error instanceof StaleVersionError)) throw error;
      current = await requireTemplate(template.id);
    }
  }
  throw new StaleVersionError(`template ${template.id}`);
}

/** Whether the account names this template as its recontact template (by name, and language where it gives one). */
export function isRecontactOf(account: Pick<Account, 'settings'>, template: Pick<WhatsAppTemplate, 'name' | 'language'>): boolean {
  const choice = account.settings.recontactTemplate;
  return choice?.name === template.name && (!choice.language || choice.language === template.language);
}

async function pauseCampaignsUsing(template: WhatsAppTemplate, code: string, reason: string): Promise<void> {
  for (const campaign of await campaignsUsingTemplate(template.id)) {
    if (campaign.status === 'running' || campaign.status === 'scheduled') await pauseCampaign(campaign.id, { code, reason, automatic: true });
  }
}

/** A provider's template status webhook (Meta's `message_template_status_update` and quality updates). */
export async function handleTemplateEvent(
  accountId: string,
  event: { providerTemplateId?: string; name?: string; language?: string; status?: TemplateStatus; reason?: string; quality?: string },
): Promise<void> {
  let template: WhatsAppTemplate | undefined;
  if (event.name && event.language) template = await findTemplateByName(accountId, event.name, event.language);
  if (!template && event.providerTemplateId) {
    template = (await listTemplates(accountId)).find((t) => t.providerTemplateId === event.providerTemplateId);
  }
  if (!template) return log.info('a template status for a template we do not hold', { accountId, name: event.name, id: event.providerTemplateId });
  await applyTemplateState(
    template,
    { ...(event.status ? { status: event.status } : {}), ...(event.reason ? { reason: event.reason } : {}), ...(event.quality ? { quality: event.quality } : {}) },
    'webhook',
  );
}
