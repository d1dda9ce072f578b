/**
 * Internal notes on an interaction (`NOTE#{ulid}` under its partition, in time order): written by its agents or by
 * supervisors while they spy. Agents of the account see them; they are never sent to the customer.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from '../ids';
import { nowIso } from '../ports/clock';
import { db, TABLE } from './client';
import { queryAll, strip } from './util';

export interface Note {
  id: string;
  interactionId: string;
  agentId: string;
  /** The author's role when written (a supervisor's note from the spy view says so). */
  authorRole?: string;
  text: string;
  createdAt: string;
  internal: true;
}

export async function addNote(input: { interactionId: string; agentId: string; authorRole?: string; text: string }): Promise<Note> {
  const note: Note = { id: ulid(), ...input, createdAt: nowIso(), internal: true };
  await db.send(
    new PutCommand({
      TableName: TABLE,
      Item: { pk: `INTERACTION#${note.interactionId}`, sk: `NOTE#${note.id}`, ...note },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
  return note;
}

export async function listNotes(interactionId: string): Promise<Note[]> {
  const items = await queryAll({
    KeyConditionExpression: 'pk = :p AND begins_with(sk, :n)',
    ExpressionAttributeValues: { ':p': `INTERACTION#${interactionId}`, ':n': 'NOTE#' },
    ConsistentRead: true,
  });
  return items.map((i) => strip<Note>(i));
}
