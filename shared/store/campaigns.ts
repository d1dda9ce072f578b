/**
 * WhatsApp campaigns and their recipients. A campaign is one item (`CAMPAIGN#{id}` / `CAMPAIGN`, listed on gsi1
 * by creation time and by template on gsi2); its recipients live in the same partition (`R#{seq}`, seq = the
 * recipient's place in the campaign, zero-padded so a Query returns them in order). Each recipient is also on gsi1
 * under its phase (`CAMPAIGN#{id}#{phase}`), which is how the dispatcher finds the next pending ones, how counts are
 * taken (a COUNT query per phase, always exact) and how the recipients list filters by status.
 *
 * Phases are the API's statuses plus `queued`: a recipient whose message is written and on its way to the sender but
 * not yet accepted by the provider (shown as `pending`). Every move is a conditional update on the phase it leaves,
 * so two deliveries of one event never move a recipient twice.
 */
import { BatchWriteCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { CampaignStatus, Pace, ParameterSource, RecipientStatus, SkipReason } from '../domain/campaigns';
import { RECIPIENT_STATUSES } from '../domain/campaigns';
import { NotFoundError, StaleVersionError } from '../errors';
import { db, TABLE } from './client';
import { getItem, getItems, isConditionFailed, queryAll, strip } from './util';

export interface CampaignPause {
  code: string;
  reason: string;
  at: string;
  /** Paused by the system (a template paused, a spam restriction), not by an admin. */
  automatic: boolean;
}

export interface Campaign {
  id: string;
  accountId: string;
  name: string;
  templateId: string;
  listIds: string[];
  parameters: Record<string, ParameterSource>;
  schedule: { startAt?: string; window?: { from: string; to: string; timeZone: string; days?: number[] } };
  /** As the admin set it; absent: the provider's default. */
  ratePerSecond?: number;
  status: CampaignStatus;
  pause?: CampaignPause;
  /** The recipients are written (materialised from the lists when the campaign first ran). */
  prepared?: boolean;
  total?: number;
  pace?: Pace;
  /** Epoch ms of the provider's last request to slow down (HTTP 429, Meta 130429). */
  slowedAt?: number;
  startedAt?: string;
  /** The last resume: recipients dispatched before it whose sends the pause held are driven again at once. */
  resumedAt?: string;
  completedAt?: string;
  cancelledAt?: string;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export type RecipientPhase = RecipientStatus | 'queued';

export interface Recipient {
  campaignId: string;
  seq: number;
  phone: string;
  listId: string;
  contactId: string;
  phase: RecipientPhase;
  /** The template's parameter values for this contact, resolved when the recipients were written. */
  values?: string[];
  skipReason?: SkipReason;
  messageId?: string;
  interactionId?: string;
  providerMessageId?: string;
  errorCode?: string;
  errorMessage?: string;
  dispatchedAt?: string;
  sentAt?: string;
  deliveredAt?: string;
  readAt?: string;
  repliedAt?: string;
  failedAt?: string;
  updatedAt: string;
}

export const PHASES: readonly RecipientPhase[] = [...RECIPIENT_STATUSES, 'queued'];

const campaignKey = (id: string) => ({ pk: `CAMPAIGN#${id}`, sk: 'CAMPAIGN' });
const pad = (seq: number) => String(seq).padStart(7, '0');
const recipientKey = (campaignId: string, seq: number) => ({ pk: `CAMPAIGN#${campaignId}`, sk: `R#${pad(seq)}` });
const phaseKey = (campaignId: string, phase: RecipientPhase) => `CAMPAIGN#${campaignId}#${phase}`;

function campaignItem(campaign: Campaign) {
  return {
    ...campaignKey(campaign.id),
    gsi1pk: 'WACAMPAIGNS',
    gsi1sk: `${campaign.createdAt}#${campaign.id}`,
    gsi2pk: `WATEMPLATE#${campaign.templateId}#CAMPAIGNS`,
    gsi2sk: campaign.id,
    ...campaign,
  };
}

export async function insertCampaign(campaign: Campaign): Promise<void> {
  await db.send(new PutCommand({ TableName: TABLE, Item: campaignItem(campaign), ConditionExpression: 'attribute_not_exists(pk)' }));
}

export async function getCampaign(id: string): Promise<Campaign | undefined> {
  const item = await getItem<Record<string, unknown>>(campaignKey(id), true);
  return item ? strip<Campaign>(item) : undefined;
}

export async function requireCampaign(id: string): Promise<Campaign> {
  const campaign = await getCampaign(id);
  if (!campaign) throw new NotFoundError(`campaign ${id}`);
  return campaign;
}

export async function listCampaigns(): Promise<Campaign[]> {
  return (await queryAll({ IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :p', ExpressionAttributeValues: { ':p': 'WACAMPAIGNS' } })).map((i) => strip<Campaign>(i));
}

export async function campaignsUsingTemplate(templateId: string): Promise<Campaign[]> {
  const items = await queryAll({ IndexName: 'gsi2', KeyConditionExpression: 'gsi2pk = :p', ExpressionAttributeValues: { ':p': `WATEMPLATE#${templateId}#CAMPAIGNS` } });
  return items.map((i) => strip<Campaign>(i));
}

/** Replaces the campaign guarded by the version read; a lost race is a StaleVersionError. */
export async function replaceCampaign(current: Campaign, next: Omit<Campaign, 'version'>): Promise<Campaign> {
  const written: Campaign = { ...next, version: current.version + 1 } as Campaign;
  try {
    await db.send(
      new PutCommand({
        TableName: TABLE,
        Item: campaignItem(written),
        ConditionExpression: 'version = :v',
        ExpressionAttributeValues: { ':v': current.version },
      }),
    );
  } catch (error) {
    if (isConditionFailed(error)) throw new StaleVersionError(`campaign ${current.id}`);
    throw error;
  }
  return written;
}

/** Records the provider's request to slow down; not version-guarded, so it never loses to a tick. */
export async function markSlowed(campaignId: string, atMs: number): Promise<void> {
  await db.send(
    new UpdateCommand({
      TableName: TABLE,
      Key: campaignKey(campaignId),
      UpdateExpression: 'SET slowedAt = :t',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':t': atMs },
    }),
  ).catch((error: unknown) => {
    if (!isConditionFailed(error)) throw error;
  });
}

export async function deleteCampaignItems(campaign: Campaign): Promise<void> {
  const items = await queryAll({ KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': `CAMPAIGN#${campaign.id}` }, ProjectionExpression: 'pk, sk' });
  for (let i = 0; i < items.length; i += 25) {
    await writeBatch(items.slice(i, i + 25).map((key) => ({ DeleteRequest: { Key: { pk: key.pk, sk: key.sk } } })));
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Recipients

function recipientItem(recipient: Recipient) {
  return { ...recipientKey(recipient.campaignId, recipient.seq), gsi1pk: phaseKey(recipient.campaignId, recipient.phase), gsi1sk: pad(recipient.seq), ...recipient };
}

type WriteRequest = NonNullable<NonNullable<ConstructorParameters<typeof BatchWriteCommand>[0]['RequestItems']>[string]>[number];

async function writeBatch(requests: WriteRequest[]): Promise<void> {
  let pending = requests;
  for (let attempt = 0; pending.length && attempt < 8; attempt++) {
    const out = await db.send(new BatchWriteCommand({ RequestItems: { [TABLE]: pending } }));
    pending = (out.UnprocessedItems?.[TABLE] ?? []) as WriteRequest[];
    if (pending.length) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
  }
  if (pending.length) throw new Error(`${pending.length} recipient writes were not processed`);
}

/**
 * Writes the recipients of a campaign that has not started sending: a repeat (after a crash part-way) writes the
 * same items again, which is harmless because nothing is dispatched before the campaign is marked prepared.
 */
export async function putRecipients(recipients: Recipient[]): Promise<void> {
  for (let i = 0; i < recipients.length; i += 25) {
    await writeBatch(recipients.slice(i, i + 25).map((r) => ({ PutRequest: { Item: recipientItem(r) } })));
  }
}

export async function getRecipient(campaignId: string, seq: number): Promise<Recipient | undefined> {
  const item = await getItem<Record<string, unknown>>(recipientKey(campaignId, seq), true);
  return item ? strip<Recipient>(item) : undefined;
}

/** Recipients in one phase, in campaign order, from `afterSeq` on. */
export async function recipientsInPhase(campaignId: string, phase: RecipientPhase, limit: number, afterSeq?: number): Promise<Recipient[]> {
  const out = await db.send(
    new QueryCommand({
      TableName: TABLE,
      IndexName: 'gsi1',
      KeyConditionExpression: afterSeq === undefined ? 'gsi1pk = :p' : 'gsi1pk = :p AND gsi1sk > :s',
      ExpressionAttributeValues: { ':p': phaseKey(campaignId, phase), ...(afterSeq === undefined ? {} : { ':s': pad(afterSeq) }) },
      Limit: limit,
    }),
  );
  return (out.Items ?? []).map((i) => strip<Recipient>(i));
}

export async function countPhase(campaignId: string, phase: RecipientPhase): Promise<number> {
  let count = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const out = await db.send(
      new QueryCommand({ TableName: TABLE, IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :p', ExpressionAttributeValues: { ':p': phaseKey(campaignId, phase) }, Select: 'COUNT', ExclusiveStartKey: start }),
    );
    count += out.Count ?? 0;
    start = out.LastEvaluatedKey;
  } while (start);
  return count;
}

/** A page of recipients in campaign order (all phases, or one), with an opaque cursor. */
export async function pageRecipients(
  campaignId: string,
  options: { phases?: RecipientPhase[]; phone?: string; limit: number; cursor?: string },
): Promise<{ items: Recipient[]; nextCursor?: string }> {
  const after = options.cursor ? Number(Buffer.from(options.cursor, 'base64url').toString('utf8')) : undefined;
  const filter = options.phone ? { FilterExpression: 'phone = :ph', values: { ':ph': options.phone } } : undefined;
  const collected: Recipient[] = [];
  if (!options.phases) {
    let start: Record<string, unknown> | undefined;
    do {
      const out = await db.send(
        new QueryCommand({
          TableName: TABLE,
          KeyConditionExpression: 'pk = :p AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':p': `CAMPAIGN#${campaignId}`, ':from': `R#${pad(after === undefined ? 0 : after + 1)}`, ':to': 'R#~', ...(filter?.values ?? {}) },
          ...(filter ? { FilterExpression: filter.FilterExpression } : {}),
          Limit: options.limit + 1 - collected.length,
          ExclusiveStartKey: start,
        }),
      );
      collected.push(...(out.Items ?? []).map((i) => strip<Recipient>(i)));
      start = out.LastEvaluatedKey;
    } while (start && collected.length <= options.limit);
  } else {
    // One phase per Query, merged in campaign order (pending covers the `queued` phase too).
    for (const phase of options.phases) {
      let start: Record<string, unknown> | undefined;
      const found: Recipient[] = [];
      do {
        const out = await db.send(
          new QueryCommand({
            TableName: TABLE,
            IndexName: 'gsi1',
            KeyConditionExpression: after === undefined ? 'gsi1pk = :p' : 'gsi1pk = :p AND gsi1sk > :s',
            ExpressionAttributeValues: { ':p': phaseKey(campaignId, phase), ...(after === undefined ? {} : { ':s': pad(after) }), ...(filter?.values ?? {}) },
            ...(filter ? { FilterExpression: filter.FilterExpression } : {}),
            Limit: options.limit + 1,
            ExclusiveStartKey: start,
          }),
        );
        found.push(...(out.Items ?? []).map((i) => strip<Recipient>(i)));
        start = out.LastEvaluatedKey;
      } while (start && found.length <= options.limit);
      collected.push(...found);
    }
    collected.sort((a, b) => a.seq - b.seq);
  }
  const items = collected.slice(0, options.limit);
  const last = items[items.length - 1];
  return { items, ...(collected.length > options.limit && last ? { nextCursor: Buffer.from(String(last.seq)).toString('base64url') } : {}) };
}

/**
 * Moves a recipient from one of `from` to `to` with the given fields; undefined when it was not in one of those
 * phases any more (another delivery moved it first).
 */
export async function moveRecipient(
  campaignId: string,
  seq: number,
  from: readonly RecipientPhase[],
  to: RecipientPhase,
  fields: Partial<Omit<Recipient, 'campaignId' | 'seq' | 'phase'>>,
): Promise<Recipient | undefined> {
  const names: Record<string, string> = { '#ph': 'phase' };
  const values: Record<string, unknown> = { ':to': to, ':g': phaseKey(campaignId, to) };
  const sets = ['#ph = :to', 'gsi1pk = :g'];
  Object.entries(fields).forEach(([k, v], i) => {
    if (v === undefined) return;
    names[`#f${i}`] = k;
    values[`:f${i}`] = v;
    sets.push(`#f${i} = :f${i}`);
  });
  from.forEach((p, i) => (values[`:from${i}`] = p));
  try {
    const out = await db.send(
      new UpdateCommand({
        TableName: TABLE,
        Key: recipientKey(campaignId, seq),
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression: `#ph IN (${from.map((_, i) => `:from${i}`).join(', ')})`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
      }),
    );
    return out.Attributes ? strip<Recipient>(out.Attributes) : undefined;
  } catch (error) {
    if (isConditionFailed(error)) return undefined;
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Opt-outs: per account and phone, written when a contact sends an opt-out keyword.

const optOutKey = (accountId: string, phone: string) => ({ pk: `OPTOUT#${accountId}#${phone}`, sk: 'OPTOUT' });

export async function recordOptOut(accountId: string, phone: string, keyword: string, at: string): Promise<void> {
  await db.send(
    new PutCommand({
      TableName: TABLE,
      Item: { ...optOutKey(accountId, phone), accountId, phone, keyword, at, gsi1pk: `ACCOUNT#${accountId}#OPTOUTS`, gsi1sk: phone },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  ).catch((error: unknown) => {
    if (!isConditionFailed(error)) throw error;
  });
}

export async function optedOutPhones(accountId: string): Promise<Set<string>> {
  const items = await queryAll({ IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :p', ExpressionAttributeValues: { ':p': `ACCOUNT#${accountId}#OPTOUTS` } });
  return new Set(items.map((i) => String(i.phone)));
}

/** Which of these phones are opted out of the account's campaigns (a tick's recipients, read together). */
export async function optedOutAmong(accountId: string, phones: string[]): Promise<Set<string>> {
  const items = await getItems(phones.map((phone) => optOutKey(accountId, phone)), true);
  return new Set(phones.filter((_, i) => items[i] !== undefined));
}
