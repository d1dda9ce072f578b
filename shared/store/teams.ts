/**
 * Teams (groups of agents a supervisor looks after): a name, a description and member agents. Members live under
 * the team's partition (see memberships.ts); deleting a team removes them too, so no agent keeps pointing at a
 * gone team. Lists of interactions and the board filter by team through its members.
 */
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { NotFoundError, StaleVersionError } from '../errors';
import { nowIso } from '../ports/clock';
import { db, TABLE } from './client';
import { keys } from './keys';
import { removeAllMembers } from './memberships';
import { getItem, isConditionFailed, strip, queryAll } from './util';

export interface Team {
  id: string;
  name: string;
  description?: string;
  createdAt: string;
  updatedAt: string;
  version: number;
}

const teamItem = (team: Team) => ({ ...keys.team(team.id), gsi1pk: 'TEAMS', gsi1sk: team.id, ...team });

export async function createTeam(input: {
  name: string;
  description?: string;
}): Promise<Team> {
  const now = nowIso();
  const team: Team = { id: ulid(), ...input, createdAt: now, updatedAt: now, version: 1 };
  await db.send(
    new PutCommand({ TableName: TABLE, Item: teamItem(team), ConditionExpression: 'attribute_not_exists(pk)' }),
  );
  return team;
}

export async function getTeam(id: string): Promise<Team | undefined> {
  const item = await getItem<Record<string, unknown>>(keys.team(id));
  return item ? strip<Team>(item) : undefined;
}

export async function requireTeam(id: string): Promise<Team> {
  const team = await getTeam(id);
  if (!team) throw new NotFoundError(`team ${id}`);
  return team;
}

export async function listTeams(): Promise<Team[]> {
  return (
    await queryAll({
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :p',
      ExpressionAttributeValues: { ':p': 'TEAMS' },
    })
  ).map((i) => strip<Team>(i));
}

/** Replaces the team guarded by the version read; a concurrent change is a 409, not a lost update. */
export async function updateTeam(current: Team, next: Team): Promise<Team> {
  const written: Team = {
    ...next,
    id: current.id,
    createdAt: current.createdAt,
    updatedAt: nowIso(),
    version: current.version + 1,
  };
  try {
    await db.send(
      new PutCommand({
        TableName: TABLE,
        Item: teamItem(written),
        ConditionExpression: 'version = :v',
        ExpressionAttributeValues: { ':v': current.version },
      }),
    );
    return written;
  } catch (error) {
    if (isConditionFailed(error)) throw new StaleVersionError(`team ${current.id}`);
    throw error;
  }
}

/** Deletes the team, then its memberships. Returns false when it did not exist. */
export async function deleteTeam(id: string): Promise<boolean> {
  const out = await db.send(new DeleteCommand({ TableName: TABLE, Key: keys.team(id), ReturnValues: 'ALL_OLD' }));
  await removeAllMembers('TEAM', id);
  return Boolean(out.Attributes);
}
