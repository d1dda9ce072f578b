/**
 * How campaigns hear of what happens to their messages, wired explicitly where each handler is composed:
 *
 * - the sender (`registerCampaignSending`): a gate that holds a campaign message while its campaign is not running,
 *   and the outcome of each send: accepted (the recipient is `sent`), slowed down (HTTP 429 or Meta 130429: the
 *   campaign's pace halves), spam-restricted (Meta 131048: the campaign pauses and the admins are told), or failed;
 * - the inbound processor (`registerCampaignInbound`): delivery statuses move recipients forward, and a delivered
 *   template opens the interaction's 24 h window; a reply marks the recipient `replied`; an opt-out keyword marks
 *   the contact opted out for the account;
 * - the timers function (`registerCampaignTimers`): the campaign tick.
 */
import { isOptOut } from '../domain/campaigns';
import { WHATSAPP_WINDOW_MS } from '../domain/interaction';
import { log } from '../logger';
import { now, nowIso } from '../ports/clock';
import type { TemplateEnvelope } from '../inbound/envelope';
import { afterInbound, afterStatus, afterTemplateStatus, type InboundStored, type StatusApplied } from '../inbound/process';
import { normaliseTemplateStatus } from '../domain/templates';
import { afterSend, beforeSend, type SendReport } from '../outbound/send-listeners';
import { getCampaign, markSlowed, recordOptOut, type Campaign } from '../store/campaigns';
import { openWindowFrom, type CampaignRef } from '../store/interactions';
import { getOutboundMessage, type OutboundMessageItem } from '../store/outbound';
import { onTimer } from '../timers/dispatch';
import { advanceRecipient, onCampaignTick, syncRecipient } from './dispatch';
import { pauseCampaign, TIMER_CAMPAIGN_TICK } from './lifecycle';
import { handleTemplateEvent } from './template-status';

/** Meta's error code at the start of a send failure's detail (`131048: ...`), which Kaleyra passes through. */
export function providerCode(detail: string): string | undefined {
  return /^(\d+):/.exec(detail)?.[1];
}

export const SPAM_RESTRICTED = '131048';
export const PAIR_RATE = '131056';

// The gate reads the campaign at most once a second per container: a pause takes effect within about a second.
const statusCache = new Map<string, { status: Campaign['status'] | undefined; until: number }>();

async function campaignStatus(id: string): Promise<Campaign['status'] | undefined> {
  const hit = statusCache.get(id);
  if (hit && hit.until > now()) return hit.status;
  const status = (await getCampaign(id))?.status;
  if (statusCache.size > 1000) statusCache.clear();
  statusCache.set(id, { status, until: now() + 1000 });
  return status;
}

async function campaignGate(message: OutboundMessageItem): Promise<boolean> {
  if (message.kind !== 'campaign' || !message.campaignId) return true;
  // Held messages stay pending; the dispatcher drives them again once the campaign runs.
  return (await campaignStatus(message.campaignId)) === 'running';
}

async function pauseFor(campaignId: string, code: string, reason: string): Promise<void> {
  const campaign = await getCampaign(campaignId);
  if (campaign?.status !== 'running' && campaign?.status !== 'scheduled') return;
  statusCache.delete(campaignId);
  await pauseCampaign(campaignId, { code, reason, automatic: true }).catch((error: unknown) => log.warn('could not pause the campaign', { campaignId, error }));
}

async function onSend({ message, outcome, retrying }: SendReport): Promise<void> {
  if (message.kind !== 'campaign' || !message.campaignId) return;
  // An accepted send reports the message as it stands after the sender applied any status that beat its record.
  if (outcome.ok) return syncRecipient(message);
  const code = providerCode(outcome.detail);
  if (code === SPAM_RESTRICTED) {
    await pauseFor(message.campaignId, 'SPAM_RESTRICTED', `Meta restricted the number for spam (131048): ${outcome.detail}`);
  } else if (outcome.code === 'RATE_LIMITED' && code !== PAIR_RATE) {
    // The provider's throughput, not this user's pair rate: the whole campaign slows down.
    await markSlowed(message.campaignId, now());
  }
  if (!retrying) await syncRecipient(message);
}

async function onStatus(applied: StatusApplied): Promise<void> {
  const message = await getOutboundMessage(applied.interactionId, applied.messageSk.replace(/^MSG#/, ''));
  if (!message || message.kind !== 'campaign' || !message.campaignId) return;
  await syncRecipient(message);
  if (applied.status === 'delivered' || applied.status === 'read') {
    const at = Date.parse(message.statusAt ?? nowIso());
    await openWindowFrom(message.interactionId, new Date((Number.isFinite(at) ? at : now()) + WHATSAPP_WINDOW_MS).toISOString());
  }
  if (applied.status === 'failed' && applied.errorCode === SPAM_RESTRICTED) {
    await pauseFor(message.campaignId, 'SPAM_RESTRICTED', `Meta restricted the number for spam (131048)${applied.errorMessage ? `: ${applied.errorMessage}` : ''}`);
  }
}

async function onInbound({ account, interaction, message }: InboundStored): Promise<void> {
  if (message.direction !== 'in') return;
  const optOut = account.settings.optOut;
  if (account.channel === 'whatsapp' && optOut?.enabled && isOptOut(message.text, optOut.keywords)) {
    await recordOptOut(account.id, interaction.contactPhone, message.text.trim(), nowIso());
    log.info('contact opted out', { accountId: account.id });
  }
  const ref = (interaction as { campaign?: CampaignRef }).campaign;
  if (ref) await advanceRecipient(ref.id, ref.seq, 'replied', { repliedAt: message.receivedAt ?? nowIso(), updatedAt: nowIso() });
}

let sending = false;
let inbound = false;
let timers = false;

export function registerCampaignSending(): void {
  if (sending) return;
  sending = true;
  beforeSend.push(campaignGate);
  afterSend.push(onSend);
}

async function onTemplate({ accountId, event }: TemplateEnvelope): Promise<void> {
  const status = normaliseTemplateStatus(event.event);
  await handleTemplateEvent(accountId, {
    providerTemplateId: event.providerTemplateId,
    ...(event.name ? { name: event.name } : {}),
    ...(event.language ? { language: event.language } : {}),
    ...(status ? { status } : {}),
    ...(event.reason ? { reason: event.reason } : {}),
    ...(event.quality ? { quality: event.quality } : {}),
  });
}

export function registerCampaignInbound(): void {
  if (inbound) return;
  inbound = true;
  afterStatus.push(onStatus);
  afterInbound.push(onInbound);
  afterTemplateStatus.push(onTemplate);
}

export function registerCampaignTimers(): void {
  if (timers) return;
  timers = true;
  onTimer(TIMER_CAMPAIGN_TICK, onCampaignTick);
}
