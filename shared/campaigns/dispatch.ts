/**
 * The campaign dispatcher: the campaign's tick timer fires about once a second while it runs, and each tick
 *
 * 1. writes the recipients from the contact lists the first time (skipping opted-out contacts, invalid numbers and
 *    numbers already in an earlier list, each with its reason);
 * 2. outside the daily window, re-arms itself for the window's next opening;
 * 3. paces: the credit of messages owed since the last tick (rate × elapsed, halved after the provider asked us to
 *    slow down), guarded by the campaign's version so two deliveries of one tick never both dispatch;
 * 4. dispatches that many pending recipients: opens (or joins) the contact's interaction, moves the recipient
 *    `pending -> queued` with the message id (a conditional write: a recipient is claimed once), writes the message
 *    item and puts the send job on the outbound queue, where the sender does what it does for every message;
 * 5. once nothing is pending, re-drives recipients left `queued` for a minute (a job lost in a crash, a message held
 *    while paused) and completes the campaign when none is left.
 *
 * At most one message per recipient: the claim happens once, the message id is fixed at the claim, the message item
 * is written with a condition, and the sender's own claim (`pending -> sending`) and the providers' correlation id
 * (Meta `biz_opaque_callback_data`, Kaleyra `ref`) keep a redelivered job from sending twice. Twilio takes no
 * correlation id: a crash between its send and the record may send that one message again (at least once).
 */
import { ulid } from '../ids';
import { inWindow, nextWindowOpening, paceTick, recipientMoves, resolveParameters, type RecipientStatus, type SkipReason } from '../domain/campaigns';
import { isOpen, sessionExpiresAt } from '../domain/interaction';
import { renderTemplateText } from '../domain/templates';
import { StaleVersionError } from '../errors';
import { config } from '../config';
import { log } from '../logger';
import { now, nowIso } from '../ports/clock';
import { sendMessage } from '../ports/queue';
import { cancelTimer, type TimerEvent } from '../ports/timers';
import { correlationRef } from '../outbound/correlation';
import { isSendErrorCode, vocabularyCode } from '../providers/error-codes';
import type { SendJob } from '../outbound/messages';
import { notifyAdmins } from '../realtime/notify';
import { getAccount, type Account } from '../store/accounts';
import {
  countPhase,
  getCampaign,
  optedOutAmong,
  listCampaigns,
  moveRecipient,
  optedOutPhones,
  PHASES,
  putRecipients,
  recipientsInPhase,
  replaceCampaign,
  type Campaign,
  type Recipient,
  type RecipientPhase,
} from '../store/campaigns';
import { getInteraction, getOpenPointer, getOpenPointers, openForOutbound, tagWithCampaign, type CampaignRef, type OpenPointer } from '../store/interactions';
import { contactPages } from '../store/lists';
import { getOutboundMessage, insertOutboundMessage, requeueUnconfirmed, type OutboundMessageItem, type OutboundStatus } from '../store/outbound';
import { getTemplate, type WhatsAppTemplate } from '../store/templates';
import { armTick, effectiveRate, pauseCampaign, tickName } from './lifecycle';

export const TICK_MS = 1_000;
/** A queued recipient whose message has not moved for this long is driven again (`CAMPAIGN_STUCK_SECONDS`, 60). */
const stuckMs = () => config.CAMPAIGN_STUCK_SECONDS * 1000;
/**
 * A campaign message left `unconfirmed` (its send was interrupted) with no provider status for this long was never
 * taken by the provider: Meta and Kaleyra report `sent` for every message they accept, within seconds, naming our
 * correlation id. Unlike an agent's reply, a campaign message is then sent again, so a crash skips nobody
 * (`CAMPAIGN_RESEND_UNCONFIRMED_SECONDS`, 180).
 */
const resendUnconfirmedMs = () => config.CAMPAIGN_RESEND_UNCONFIRMED_SECONDS * 1000;
/** Sends dispatched in parallel within one tick. */
const CONCURRENCY = 8;

const E164 = /^\+[1-9]\d{6,14}$/;

interface Ctx {
  campaign: Campaign;
  account: Account;
  template: WhatsAppTemplate;
}

async function pool<T>(items: T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(size, items.length) }, async () => {
      while (next < items.length) {
        const item = items[next++]!;
        await work(item);
      }
    }),
  );
}

export async function onCampaignTick(timer: TimerEvent): Promise<void> {
  const campaignId = String(timer.payload.campaignId ?? '');
  let campaign = campaignId ? await getCampaign(campaignId) : undefined;
  if (!campaign) return;
  const nowMs = now();
  if (campaign.status === 'scheduled') {
    const startAt = campaign.schedule.startAt ? Date.parse(campaign.schedule.startAt) : nowMs;
    if (startAt > nowMs) return armTick(campaign.id, startAt);
    try {
      campaign = await replaceCampaign(campaign, { ...campaign, status: 'running', startedAt: nowIso(), updatedAt: nowIso() });
    } catch (error) {
      if (error instanceof StaleVersionError) return; // an admin or another tick moved it: that one goes on
      throw error;
    }
  }
  if (campaign.status !== 'running') return;
  const [account, template] = await Promise.all([getAccount(campaign.accountId), getTemplate(campaign.templateId)]);
  if (!account || !template) {
    await pauseCampaign(campaign.id, { code: 'MISSING', reason: account ? 'the template no longer exists' : 'the account no longer exists', automatic: true });
    return;
  }
  if (template.status !== 'APPROVED') {
    await pauseCampaign(campaign.id, { code: `TEMPLATE_${template.status}`, reason: `template '${template.name}' is ${template.status}`, automatic: true });
    return;
  }
  if (!campaign.prepared) {
    const prepared = await prepare({ campaign, account, template });
    if (prepared) await armTick(campaign.id, now());
    return;
  }

  const window = campaign.schedule.window;
  if (!inWindow(window, nowMs)) {
    const opening = nextWindowOpening(window, nowMs);
    // Nothing accrues while the window is shut: the pace starts afresh when it opens.
    const { pace: _pace, ...rest } = campaign;
    try {
      await replaceCampaign(campaign, rest);
    } catch (error) {
      if (error instanceof StaleVersionError) return;
      throw error;
    }
    return armTick(campaign.id, opening);
  }

  const { count, pace } = paceTick(campaign.pace, effectiveRate(campaign, account.type), nowMs, campaign.slowedAt);
  try {
    campaign = await replaceCampaign(campaign, { ...campaign, pace });
  } catch (error) {
    if (error instanceof StaleVersionError) return; // a concurrent delivery of this tick won the pace
    throw error;
  }
  await armTick(campaign.id, nowMs + TICK_MS);

  const ctx: Ctx = { campaign, account, template };
  const due = count > 0 ? await recipientsInPhase(campaign.id, 'pending', count) : [];
  const facts = await tickFacts(ctx, due);
  await pool(due, CONCURRENCY, (recipient) => dispatch(ctx, recipient, facts));
  if (due.length < count || count === 0) await sweepOrComplete(ctx);
}

/**
 * Writes the recipients a page of contacts at a time (a 10,000-contact list is never held in memory at once); only
 * the phones seen so far are kept, to skip a number already in an earlier list. Returns false when another tick
 * prepared the campaign first.
 */
async function prepare({ campaign, account, template }: Ctx): Promise<boolean> {
  const opted = await optedOutPhones(account.id);
  const seen = new Set<string>();
  const names = [...template.parameters.header, ...template.parameters.body];
  const at = nowIso();
  let seq = 0;
  for (const listId of campaign.listIds) {
    for await (const contacts of contactPages(listId)) {
      const recipients: Recipient[] = contacts.map((contact) => {
        seq += 1;
        const base = { campaignId: campaign.id, seq, phone: contact.phone, listId, contactId: contact.id, updatedAt: at };
        const skip: SkipReason | undefined = !E164.test(contact.phone) ? 'invalid-number' : seen.has(contact.phone) ? 'duplicate' : opted.has(contact.phone) ? 'opted-out' : undefined;
        seen.add(contact.phone);
        if (skip) return { ...base, phase: 'skipped', skipReason: skip };
        const resolved = resolveParameters(names, campaign.parameters, contact);
        if ('missing' in resolved) {
          return { ...base, phase: 'failed', errorCode: 'TEMPLATE_ERROR', errorMessage: `the contact has no value for template parameter {{${resolved.missing}}}`, failedAt: at };
        }
        return { ...base, phase: 'pending', values: resolved.values };
      });
      await putRecipients(recipients);
    }
  }
  try {
    await replaceCampaign(campaign, { ...campaign, prepared: true, total: seq, updatedAt: nowIso() });
    return true;
  } catch (error) {
    if (error instanceof StaleVersionError) return false;
    throw error;
  }
}

const phasesMovingTo = (to: RecipientStatus): RecipientPhase[] =>
  PHASES.filter((p) => (p === 'queued' ? recipientMoves('pending', to) : recipientMoves(p as RecipientStatus, to)));

/** Moves a recipient forward to `to` from wherever it may come from. */
export function advanceRecipient(campaignId: string, seq: number, to: RecipientStatus, fields: Partial<Recipient> = {}): Promise<Recipient | undefined> {
  return moveRecipient(campaignId, seq, phasesMovingTo(to), to, fields);
}

/** What a tick's dispatches read of each recipient's contact, read for all of them at once (two BatchGets, not 2 x n reads). */
interface TickFacts {
  optedOut: Set<string>;
  pointers: Map<string, OpenPointer>;
}

async function tickFacts({ account }: Ctx, due: Recipient[]): Promise<TickFacts> {
  if (due.length === 0) return { optedOut: new Set(), pointers: new Map() };
  const phones = due.map((r) => r.phone);
  const [optedOut, pointers] = await Promise.all([optedOutAmong(account.id, phones), getOpenPointers(account.id, phones)]);
  return { optedOut, pointers };
}

async function dispatch(ctx: Ctx, recipient: Recipient, facts: TickFacts): Promise<void> {
  const { campaign } = ctx;
  // An opt-out written since the recipients were: skipped, and the list says why.
  if (facts.optedOut.has(recipient.phone)) {
    await moveRecipient(campaign.id, recipient.seq, ['pending'], 'skipped', { skipReason: 'opted-out', updatedAt: nowIso() });
    return;
  }
  const interactionId = await openOrJoin(ctx, recipient, facts.pointers.get(recipient.phone));
  const claimed = await moveRecipient(campaign.id, recipient.seq, ['pending'], 'queued', { messageId: ulid(), interactionId, dispatchedAt: nowIso(), updatedAt: nowIso() });
  if (!claimed) return; // another delivery of this tick claimed it
  await drive(ctx, claimed);
}

/**
 * The contact's open interaction, tagged with this campaign, or a new one that the campaign message opens. The first
 * attempt goes by the pointer the tick read (`known`); the writes are conditional on it, so a pointer that moved since
 * fails them and the next attempt reads it again.
 */
async function openOrJoin({ campaign, account, template }: Ctx, recipient: Recipient, known: OpenPointer | undefined): Promise<string> {
  const ref: CampaignRef = { id: campaign.id, name: campaign.name, templateId: template.id, templateName: template.name, seq: recipient.seq };
  for (let attempt = 0; attempt < 5; attempt++) {
    const pointer = attempt === 0 ? known : await getOpenPointer(account.id, recipient.phone);
    if (pointer && isOpen({ status: 'open', ...pointer }, now()) && (await tagWithCampaign(pointer.interactionId, ref))) return pointer.interactionId;
    let expire: { id: string; version: number } | undefined;
    if (pointer) {
      const previous = await getInteraction(pointer.interactionId, true);
      if (previous?.status === 'open' && !isOpen(previous, now())) expire = previous;
    }
    const createdAt = nowIso();
    const session = sessionExpiresAt('whatsapp', createdAt);
    const interaction = {
      id: ulid(),
      accountId: account.id,
      channel: 'whatsapp' as const,
      contactId: recipient.contactId,
      contactPhone: recipient.phone,
      listId: recipient.listId,
      status: 'open' as const,
      createdAt,
      updatedAt: createdAt,
      ...(session ? { sessionExpiresAt: session } : {}),
      messageCount: 0,
      unread: 0,
      version: 1,
      campaign: ref,
    };
    const outcome = await openForOutbound({ interaction, pointer: pointer ? { replaces: pointer.interactionId } : 'new', ...(expire ? { expire } : {}) });
    if (outcome === 'stored') return interaction.id;
  }
  throw new Error(`could not open an interaction for campaign ${campaign.id} recipient ${recipient.seq}: the contact's interaction kept changing`);
}

function campaignMessage({ campaign, account, template }: Ctx, recipient: Recipient): OutboundMessageItem {
  const values = recipient.values ?? [];
  const headerCount = template.parameters.header.length;
  const header = values.slice(0, headerCount);
  const body = values.slice(headerCount);
  const byName = Object.fromEntries(template.parameters.body.map((n, i) => [n, body[i] ?? '']));
  return {
    interactionId: recipient.interactionId!,
    id: recipient.messageId!,
    accountId: account.id,
    direction: 'out',
    kind: 'campaign',
    to: recipient.phone,
    text: renderTemplateText(template, byName),
    media: [],
    template: {
      // Twilio sends a Content sid (HX...), Meta and Kaleyra the template's name.
      name: account.type === 'twilio' ? (template.providerTemplateId ?? template.name) : template.name,
      language: template.language,
      parameters: body,
      ...(template.parameterFormat === 'NAMED' ? { parameterNames: template.parameters.body } : {}),
      ...(header.length ? { headerParameters: header } : {}),
    },
    campaignId: campaign.id,
    recipientSeq: recipient.seq,
    status: 'pending',
    createdAt: nowIso(),
    attempts: 0,
  };
}

/** Writes the recipient's message (once) and hands it to the sender; a message already settled updates the recipient. */
async function drive(ctx: Ctx, recipient: Recipient): Promise<void> {
  const message = campaignMessage(ctx, recipient);
  const inserted = await insertOutboundMessage(message, correlationRef(ctx.account.type, message.id));
  const current = inserted ? message : await getOutboundMessage(message.interactionId, message.id);
  if (!current) return;
  if (current.status === 'unconfirmed' && !current.providerMessageId && Date.parse(current.sendingSince ?? current.createdAt) < now() - resendUnconfirmedMs()) {
    // No status came for it in minutes: the provider never took it (it reports every message it accepts). Sent again.
    const requeued = await requeueUnconfirmed(current);
    if (!requeued) return;
    log.warn('re-sending a campaign message the provider never reported', { campaignId: ctx.campaign.id, messageId: current.id });
    const job: SendJob = { kind: 'send', accountId: ctx.account.id, interactionId: current.interactionId, messageId: current.id, attempt: requeued.attempts };
    await sendMessage('outbound', { body: JSON.stringify(job) });
    return;
  }
  if (current.status === 'pending' || current.status === 'sending') {
    // The sender takes a job for the attempt the message is at (for `sending`, the one in flight).
    const attempt = current.status === 'pending' ? current.attempts : Math.max(0, current.attempts - 1);
    const job: SendJob = { kind: 'send', accountId: ctx.account.id, interactionId: current.interactionId, messageId: current.id, attempt };
    await sendMessage('outbound', { body: JSON.stringify(job) });
    return;
  }
  await syncRecipient(current);
}

/** Once nothing is pending: re-drive recipients stuck `queued`, or complete the campaign when none is left. */
async function sweepOrComplete(ctx: Ctx): Promise<void> {
  const { campaign } = ctx;
  const queued = await recipientsInPhase(campaign.id, 'queued', 500);
  if (queued.length === 0) {
    if ((await countPhase(campaign.id, 'pending')) > 0) return;
    try {
      const done = await replaceCampaign(campaign, { ...campaign, status: 'completed', completedAt: nowIso(), updatedAt: nowIso() });
      await cancelTimer(tickName(campaign.id)).catch(() => undefined);
      log.info('campaign completed', { campaignId: campaign.id });
      await notifyAdmins({ type: 'campaign.completed', accountId: done.accountId, campaignId: done.id, name: done.name }).catch(() => undefined);
    } catch (error) {
      if (!(error instanceof StaleVersionError)) throw error;
    }
    return;
  }
  // Stuck: not moved for a while, or held by the sender's gate while the campaign was paused (dispatched before the
  // resume), which goes again at once rather than a minute later.
  const cutoff = Math.max(now() - stuckMs(), campaign.resumedAt ? Date.parse(campaign.resumedAt) : 0);
  const stuck = queued.filter((r) => Date.parse(r.dispatchedAt ?? r.updatedAt) < cutoff).slice(0, 100);
  await pool(stuck, CONCURRENCY, async (recipient) => {
    // The clock restarts, so the next sweep leaves it alone for another minute.
    const touched = await moveRecipient(campaign.id, recipient.seq, ['queued'], 'queued', { dispatchedAt: nowIso(), updatedAt: nowIso() });
    if (touched) await drive(ctx, touched);
  });
}

const FROM_MESSAGE: Partial<Record<OutboundStatus, RecipientStatus>> = {
  sent: 'sent',
  delivered: 'delivered',
  read: 'read',
  failed: 'failed',
};

/** Brings a recipient up to what its message says (sent, delivered, read, failed); forward only. */
export async function syncRecipient(message: OutboundMessageItem): Promise<void> {
  if (!message.campaignId || message.recipientSeq === undefined) return;
  const to = FROM_MESSAGE[message.status];
  if (!to) return;
  const at = message.statusAt ?? message.sentAt ?? nowIso();
  const stamp: Partial<Recipient> =
    to === 'sent' ? { sentAt: message.sentAt ?? at } : to === 'delivered' ? { deliveredAt: at } : to === 'read' ? { readAt: at } : { failedAt: at };
  await advanceRecipient(message.campaignId, message.recipientSeq, to, {
    ...stamp,
    ...(message.providerMessageId ? { providerMessageId: message.providerMessageId } : {}),
    ...(to === 'failed' ? await failure(message) : {}),
    updatedAt: nowIso(),
  });
}

/**
 * A failed recipient's reason in the one error vocabulary. A send's failure is in it already; a failed delivery
 * status carries the provider's own code (Meta `131026`), which is classified and kept at the head of the message.
 */
async function failure(message: OutboundMessageItem): Promise<Pick<Recipient, 'errorCode' | 'errorMessage'>> {
  const raw = message.errorCode;
  const detail = message.errorMessage ?? '';
  if (raw && isSendErrorCode(raw)) return { errorCode: raw, errorMessage: detail };
  const provider = (await getAccount(message.accountId))?.type ?? '';
  return { errorCode: vocabularyCode(provider, raw), errorMessage: raw ? `${raw}${detail ? `: ${detail}` : ''}` : detail };
}

export { getCampaign };

/** A running campaign whose last tick is older than this has lost its timer. */
export const STALLED_MS = 30_000;

/** Re-arms the tick of running campaigns that stopped ticking; returns how many. */
export async function resumeStalledCampaigns(): Promise<number> {
  let rearmed = 0;
  for (const campaign of await listCampaigns()) {
    if (campaign.status !== 'running') continue;
    const last = campaign.pace?.at ?? Date.parse(campaign.updatedAt);
    if (now() - last < STALLED_MS) continue;
    // Outside its window a campaign does not tick: the window's opening is when it should.
    const due = nextWindowOpening(campaign.schedule.window, now());
    await armTick(campaign.id, due);
    rearmed += 1;
  }
  return rearmed;
}
