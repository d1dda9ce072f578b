/**
 * The assistant's documents: plain text or Markdown an admin uploads, kept per account (`ACCOUNT#{id}` /
 * `KNOWLEDGE#{ulid}`, beside the account item, so deleting is one item and listing one Query).
 */
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from '../ids';
import { nowIso } from '../ports/clock';
import { db, TABLE } from './client';
import { getItem, isConditionFailed, queryAll, strip } from './util';

export interface KnowledgeDocument {
  id: string;
  accountId: string;
  name: string;
  format: 'text' | 'markdown';
  text: string;
  /** Characters of text. */
  size: number;
  createdAt: string;
  createdBy: string;
}

export type KnowledgeSummary = Omit<KnowledgeDocument, 'text'>;

const key = (accountId: string, id: string) => ({ pk: `ACCOUNT#${accountId}`, sk: `KNOWLEDGE#${id}` });

export async function createKnowledgeDocument(input: Pick<KnowledgeDocument, 'accountId' | 'name' | 'format' | 'text' | 'createdBy'>): Promise<KnowledgeDocument> {
  const doc: KnowledgeDocument = { id: ulid(), ...input, size: input.text.length, createdAt: nowIso() };
  await db.send(new PutCommand({ TableName: TABLE, Item: { ...key(doc.accountId, doc.id), ...doc }, ConditionExpression: 'attribute_not_exists(pk)' }));
  return doc;
}

export async function getKnowledgeDocument(accountId: string, id: string): Promise<KnowledgeDocument | undefined> {
  const item = await getItem<Record<string, unknown>>(key(accountId, id));
  return item ? strip<KnowledgeDocument>(item) : undefined;
}

/** Every document of the account, with its text (the assistant indexes them). */
export async function listKnowledgeDocuments(accountId: string): Promise<KnowledgeDocument[]> {
  const items = await queryAll({
    KeyConditionExpression: 'pk = :p AND begins_with(sk, :k)',
    ExpressionAttributeValues: { ':p': `ACCOUNT#${accountId}`, ':k': 'KNOWLEDGE#' },
  });
  return items.map((i) => strip<KnowledgeDocument>(i));
}

/** False when there was no such document. */
export async function deleteKnowledgeDocument(accountId: string, id: string): Promise<boolean> {
  try {
    await db.send(new DeleteCommand({ TableName: TABLE, Key: key(accountId, id), ConditionExpression: 'attribute_exists(pk)' }));
    return true;
  } catch (error) {
    if (isConditionFailed(error)) return false;
    throw error;
  }
}
