/**
 * WhatsApp campaigns as pure rules: the lifecycle (draft → scheduled → running → paused → completed or cancelled),
 * recipient statuses and the order they move in, the pacing that holds a rate over time, the daily sending window
 * in a time zone, opt-out keywords, and the values a template's parameters take for one contact. No I/O.
 */
import type { ProviderType } from '../providers/types';

export const CAMPAIGN_STATUSES = ['draft', 'scheduled', 'running', 'paused', 'completed', 'cancelled'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

export const RECIPIENT_STATUSES = ['pending', 'sent', 'delivered', 'read', 'failed', 'replied', 'skipped'] as const;
export type RecipientStatus = (typeof RECIPIENT_STATUSES)[number];

export type CampaignAction = 'start' | 'pause' | 'resume' | 'cancel';

/** Which statuses each action may leave from, and where it goes ('start' goes to scheduled or running by the clock). */
const TRANSITIONS: Record<CampaignAction, readonly CampaignStatus[]> = {
  start: ['draft'],
  pause: ['scheduled', 'running'],
  resume: ['paused'],
  cancel: ['draft', 'scheduled', 'running', 'paused'],
};

export function canApply(action: CampaignAction, status: CampaignStatus): boolean {
  return TRANSITIONS[action].includes(status);
}

/** Editing is allowed while nothing is being sent: a draft, a scheduled campaign, or a paused one. */
export function canEdit(status: CampaignStatus): boolean {
  return status === 'draft' || status === 'scheduled' || status === 'paused';
}

export function isFinal(status: CampaignStatus): boolean {
  return status === 'completed' || status === 'cancelled';
}

/**
 * Recipient statuses move forward only: a late `sent` never undoes `delivered`. `replied` outranks `read` (a reply
 * implies the message was read); `failed` and `skipped` are final.
 */
const RECIPIENT_RANK: Record<RecipientStatus, number> = { pending: 0, sent: 1, delivered: 2, read: 3, replied: 4, failed: 5, skipped: 6 };

export function recipientRank(status: RecipientStatus): number {
  return RECIPIENT_RANK[status];
}

/** Whether a recipient in `from` may move to `to`. */
export function recipientMoves(from: RecipientStatus, to: RecipientStatus): boolean {
  if (from === to) return false;
  if (from === 'failed' || from === 'skipped') return false;
  // A failure reported after delivery (Meta can) does not undo what the customer saw; a reply is final too.
  if (to === 'failed') return from === 'pending' || from === 'sent';
  if (to === 'skipped') return from === 'pending';
  return RECIPIENT_RANK[to] > RECIPIENT_RANK[from];
}

export type SkipReason = 'opted-out' | 'invalid-number' | 'duplicate';

/**
 * Default messages per second per provider: a share of the documented throughput that leaves room for agents'
 * replies on the same number (Meta's Cloud API: 80 messages/s per number by default; Kaleyra relays Meta's; Twilio
 * queues WhatsApp sends per sender at 80 MPS by default as well).
 */
export const DEFAULT_RATE: Partial<Record<ProviderType, number>> = { meta: 50, kaleyra: 50, twilio: 50 };
export const CAMPAIGN_PROVIDERS: readonly ProviderType[] = ['meta', 'kaleyra', 'twilio'];

export interface Pace {
  /** When the last tick was paced (epoch ms). */
  at: number;
  /** Messages owed but not yet dispatched (the fraction carried between ticks). */
  credit: number;
  /** 0 < factor <= 1: the share of the rate in force after the provider asked us to slow down. */
  factor: number;
}

/**
 * A tick dispatches at most this many seconds' worth: a tick that comes late (a slow dispatch before it, a busy
 * engine) catches up at no more than twice the rate, so the provider never sees one burst of a backlog.
 */
export const MAX_BURST_SECONDS = 2;
/**
 * What is owed is kept up to this many seconds' worth and caught up over the next ticks, so a stall of a few seconds
 * costs the minute nothing; beyond it the debt is forgiven (a long stall of the engine does not become a flood).
 */
export const MAX_DEBT_SECONDS = 10;
/** After a slow-down the rate recovers by this share per second. */
export const RECOVERY_PER_SECOND = 0.05;
export const MIN_FACTOR = 0.1;

/**
 * How many messages a tick at `nowMs` may dispatch, and the pace to store. The credit accrues at rate × factor per
 * second since the last tick, so ticks that come late or early still add up to the rate over any minute: what a tick
 * owes beyond its burst is carried to the next. A slow-down (`slowedAt` after the last tick) halves the factor and
 * drops what was owed, and the factor then recovers a little every second.
 */
export function paceTick(pace: Pace | undefined, ratePerSecond: number, nowMs: number, slowedAt?: number): { count: number; pace: Pace } {
  // The first tick may send a second's worth at once: the campaign starts at its rate, not a tick later.
  const last = pace ?? { at: nowMs - 1000, credit: 0, factor: 1 };
  const elapsed = Math.max(0, Math.min(nowMs - last.at, 60_000)) / 1000;
  let factor = Math.min(1, last.factor + RECOVERY_PER_SECOND * elapsed);
  let owed = last.credit;
  if (slowedAt !== undefined && slowedAt > last.at) {
    factor = Math.max(MIN_FACTOR, last.factor / 2);
    owed = 0;
  }
  const perSecond = ratePerSecond * factor;
  const credit = Math.min(Math.max(1, perSecond * MAX_DEBT_SECONDS), owed + perSecond * elapsed);
  const count = Math.min(Math.floor(credit), Math.max(1, Math.ceil(perSecond * MAX_BURST_SECONDS)));
  return { count, pace: { at: nowMs, credit: credit - count, factor } };
}

export interface DailyWindow {
  from: string;
  to: string;
  timeZone: string;
  days?: number[];
}

/** The wall clock of `ms` in a time zone: ISO weekday (1 = Monday) and minutes since midnight. */
const formatters = new Map<string, Intl.DateTimeFormat>();

function wallClock(ms: number, timeZone: string): { weekday: number; minutes: number } {
  // Building a formatter is the expensive part: one per time zone.
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(timeZone, format);
  }
  const parts = format.formatToParts(new Date(ms));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const weekday = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(get('weekday')) + 1;
  return { weekday, minutes: Number(get('hour')) * 60 + Number(get('minute')) };
}

const toMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Whether `ms` falls inside the daily window (a window whose `to` is before `from` runs past midnight). */
export function inWindow(window: DailyWindow | undefined, ms: number): boolean {
  if (!window) return true;
  const { weekday, minutes } = wallClock(ms, window.timeZone);
  const from = toMinutes(window.from);
  const to = toMinutes(window.to);
  if (from === to) return !window.days || window.days.includes(weekday);
  const overnight = to < from;
  const inside = overnight ? minutes >= from || minutes < to : minutes >= from && minutes < to;
  if (!inside) return false;
  if (!window.days) return true;
  // Past midnight in an overnight window, the day it opened on is the day before.
  const day = overnight && minutes < to ? ((weekday + 5) % 7) + 1 : weekday;
  return window.days.includes(day);
}

/** When the window next opens at or after `ms` (to the minute); `ms` itself when inside it. */
export function nextWindowOpening(window: DailyWindow | undefined, ms: number): number {
  if (inWindow(window, ms)) return ms;
  const start = Math.ceil(ms / 60_000) * 60_000;
  // Minute by minute for at most 8 days: time zones shift by DST, so the opening is found on the wall clock.
  for (let t = start; t < ms + 8 * 24 * 3_600_000; t += 60_000) if (inWindow(window, t)) return t;
  return ms + 24 * 3_600_000;
}

/** Default opt-out keywords: English and their Italian equivalents (the product is Italian-first). */
export const DEFAULT_OPT_OUT_KEYWORDS = ['STOP', 'UNSUBSCRIBE', 'CANCEL', 'ANNULLA', 'CANCELLA', 'DISISCRIVI', 'DISISCRIVIMI'];

/** Whether an inbound text is an opt-out: the whole message is one keyword, whatever the case and punctuation. */
export function isOptOut(text: string, keywords: readonly string[]): boolean {
  const word = text
    .normalize('NFKC')
    .trim()
    .replace(/^[\s"'“”«»¡¿.,!?;:()-]+|[\s"'“”«».,!?;:()-]+$/g, '')
    .toUpperCase();
  return word.length > 0 && keywords.some((k) => k.trim().toUpperCase() === word);
}

export type ParameterSource = { field: string } | { value: string };

export interface ContactFacts {
  phone: string;
  firstName?: string;
  lastName?: string;
  email?: string;
  fields?: Record<string, unknown>;
}

/** The value of one contact field: `phone`, `firstName`, `lastName`, `email`, or a custom field by name. */
export function contactField(contact: ContactFacts, field: string): string | undefined {
  const direct: Record<string, string | undefined> = { phone: contact.phone, mobile: contact.phone, firstName: contact.firstName, lastName: contact.lastName, email: contact.email };
  const raw = field in direct ? direct[field] : contact.fields?.[field.replace(/^fields\./, '')];
  if (raw === undefined || raw === null) return undefined;
  const value = String(raw as string | number | boolean);
  return value.trim() ? value : undefined;
}

/** The parameter values for one contact, in `names` order; the first name whose field is empty when one is. */
export function resolveParameters(
  names: readonly string[],
  mapping: Record<string, ParameterSource>,
  contact: ContactFacts,
): { values: string[] } | { missing: string } {
  const values: string[] = [];
  for (const name of names) {
    const source = mapping[name];
    const value = !source ? undefined : 'value' in source ? source.value : contactField(contact, source.field);
    if (value === undefined || value === '') return { missing: name };
    values.push(value);
  }
  return { values };
}
