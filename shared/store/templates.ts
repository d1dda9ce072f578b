/**
 * WhatsApp templates. One item per template (`WATEMPLATE#{id}`), listed per account on gsi1 (by name and
 * language) and all together on gsi2 (what the periodic status sync walks). A name is unique per account and
 * language through a marker item written in the template's own transaction; the marker also names the template,
 * which is how a provider's status webhook (it gives the name and language) finds it.
 */
import { DeleteCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ParameterFormat, TemplateCategory, TemplateComponent, TemplateStatus } from '../domain/templates';
import { KeyTakenError, NotFoundError, StaleVersionError } from '../errors';
import type { ProviderType } from '../providers/types';
import { db, TABLE } from './client';
import { keys } from './keys';
import { cancellationReasons, getItem, isConditionFailed, queryAll, strip } from './util';

export interface WhatsAppTemplate {
  id: string;
  accountId: string;
  provider: ProviderType;
  name: string;
  language: string;
  category: TemplateCategory;
  parameterFormat: ParameterFormat;
  components: TemplateComponent[];
  /** The parameters a send fills, in order: header ones first, then the body's. */
  parameters: { header: string[]; body: string[] };
  status: TemplateStatus;
  /** Why the provider rejected, paused or disabled it. */
  reason?: string;
  quality?: string;
  /** Meta's template id, Kaleyra's id, Twilio's Content sid (HX...). */
  providerTemplateId?: string;
  statusAt: string;
  syncedAt?: string;
  createdAt: string;
  updatedAt: string;
  version: number;
}

const itemKey = (id: string) => ({ pk: `WATEMPLATE#${id}`, sk: 'WATEMPLATE' });
const nameKey = (accountId: string, name: string, language: string) => keys.unique('watemplate', `${accountId}#${name}#${language}`);

function item(template: WhatsAppTemplate) {
  return {
    ...itemKey(template.id),
    gsi1pk: `ACCOUNT#${template.accountId}#WATEMPLATES`,
    gsi1sk: `${template.name}#${template.language}#${template.id}`,
    gsi2pk: 'WATEMPLATES',
    gsi2sk: template.id,
    ...template,
  };
}

export async function insertTemplate(template: WhatsAppTemplate): Promise<void> {
  try {
    await db.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: TABLE, Item: { ...nameKey(template.accountId, template.name, template.language), templateId: template.id }, ConditionExpression: 'attribute_not_exists(pk)' } },
          { Put: { TableName: TABLE, Item: item(template), ConditionExpression: 'attribute_not_exists(pk)' } },
        ],
      }),
    );
  } catch (error) {
    if (cancellationReasons(error)?.[0] === 'ConditionalCheckFailed') throw new KeyTakenError('name', `${template.name} (${template.language})`);
    throw error;
  }
}

export async function getTemplate(id: string): Promise<WhatsAppTemplate | undefined> {
  const found = await getItem<Record<string, unknown>>(itemKey(id), true);
  return found ? strip<WhatsAppTemplate>(found) : undefined;
}

export async function requireTemplate(id: string): Promise<WhatsAppTemplate> {
  const template = await getTemplate(id);
  if (!template) throw new NotFoundError(`template ${id}`);
  return template;
}

export async function findTemplateByName(accountId: string, name: string, language: string): Promise<WhatsAppTemplate | undefined> {
  const marker = await getItem<{ templateId: string }>(nameKey(accountId, name, language), true);
  return marker ? getTemplate(marker.templateId) : undefined;
}

/** An account's templates, by name and language; or every template when no account is given. */
export async function listTemplates(accountId?: string): Promise<WhatsAppTemplate[]> {
  const items = accountId
    ? await queryAll({ IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :p', ExpressionAttributeValues: { ':p': `ACCOUNT#${accountId}#WATEMPLATES` } })
    : await queryAll({ IndexName: 'gsi2', KeyConditionExpression: 'gsi2pk = :p', ExpressionAttributeValues: { ':p': 'WATEMPLATES' } });
  return items.map((i) => strip<WhatsAppTemplate>(i));
}

/** Writes the provider's view of a template, guarded by the version read; a lost race is a StaleVersionError. */
export async function updateTemplateState(
  current: WhatsAppTemplate,
  changes: Partial<Pick<WhatsAppTemplate, 'status' | 'reason' | 'quality' | 'providerTemplateId' | 'statusAt' | 'syncedAt' | 'updatedAt'>>,
): Promise<WhatsAppTemplate> {
  const next: WhatsAppTemplate = { ...current, ...changes, version: current.version + 1 };
  if (changes.reason === undefined && 'reason' in changes) delete next.reason;
  try {
    await db.send(
      new UpdateCommand({
        TableName: TABLE,
        Key: itemKey(current.id),
        UpdateExpression: 'SET #s = :s, statusAt = :sa, updatedAt = :u, version = :nv' +
          (next.reason !== undefined ? ', reason = :r' : '') +
          (next.quality !== undefined ? ', quality = :q' : '') +
          (next.providerTemplateId !== undefined ? ', providerTemplateId = :pt' : '') +
          (next.syncedAt !== undefined ? ', syncedAt = :sy' : '') +
          (next.reason === undefined ? ' REMOVE reason' : ''),
        ConditionExpression: 'version = :v',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: {
          ':s': next.status,
          ':sa': next.statusAt,
          ':u': next.updatedAt,
          ':nv': next.version,
          ':v': current.version,
          ...(next.reason !== undefined ? { ':r': next.reason } : {}),
          ...(next.quality !== undefined ? { ':q': next.quality } : {}),
          ...(next.providerTemplateId !== undefined ? { ':pt': next.providerTemplateId } : {}),
          ...(next.syncedAt !== undefined ? { ':sy': next.syncedAt } : {}),
        },
      }),
    );
  } catch (error) {
    if (isConditionFailed(error)) throw new StaleVersionError(`template ${current.id}`);
    throw error;
  }
  return next;
}

export async function removeTemplate(template: WhatsAppTemplate): Promise<void> {
  await db.send(
    new TransactWriteCommand({
      TransactItems: [
        { Delete: { TableName: TABLE, Key: itemKey(template.id) } },
        { Delete: { TableName: TABLE, Key: nameKey(template.accountId, template.name, template.language) } },
      ],
    }),
  );
}

/** For the account's deletion sweep. */
export async function removeTemplatesOf(accountId: string): Promise<void> {
  for (const template of await listTemplates(accountId)) {
    await db.send(new DeleteCommand({ TableName: TABLE, Key: nameKey(accountId, template.name, template.language) }));
    await db.send(new DeleteCommand({ TableName: TABLE, Key: itemKey(template.id) }));
  }
}
