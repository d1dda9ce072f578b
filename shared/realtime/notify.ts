/**
 * Pushes events to agents' WebSocket connections. Only agents who belong to the event's account may receive it,
 * plus the supervisors spying on the event's interaction (read in the same BatchGet as presence) and the supervisors
 * who chose to watch its account; a connection that answers Gone is removed, and an agent left with no connection goes
 * offline. Every event carries the interaction's version so a client can drop an update older than one it already has.
 */
import { log } from '../logger';
import { postToConnection } from '../ports/notifier';
import { removeConnection } from '../store/connections';
import { listAgents } from '../store/agents';
import { removeSpy, spiesOf } from '../store/spies';
import { presenceAndSpies, presenceOf, setPresence } from '../store/presence';
import { membersOf } from '../store/memberships';
import { removeWatcher, watchersOf } from '../store/watchers';

export type RealtimeEventType =
  | 'interaction.offered'
  | 'interaction.assigned'
  | 'interaction.transferred'
  | 'interaction.returned'
  | 'interaction.closed'
  | 'interaction.updated'
  | 'interaction.taken-over'
  | 'message.received'
  | 'message.sent'
  | 'message.status'
  | 'message.failed'
  | 'message.retrying'
  | 'message.translated'
  | 'message.translation-failed'
  | 'presence.changed'
  | 'template.status'
  | 'campaign.paused'
  | 'campaign.completed'
  | 'note.added'
  | 'board.updated'
  | 'queue.waiting';

export interface RealtimeEvent {
  type: RealtimeEventType;
  accountId?: string;
  interactionId?: string;
  /** The interaction's version after the change this event reports. */
  version?: number;
  [field: string]: unknown;
}

export interface DeliveryReport {
  posted: number;
  gone: number;
}

/**
 * Posts to every connection of the given agents (agents outside the account are never included by callers), and
 * to the supervisors' connections watching the event's account, each connection once.
 */
export async function notifyAgents(agentIds: Iterable<string>, event: RealtimeEvent): Promise<DeliveryReport> {
  const ids = [...new Set(agentIds)];
  if (!event.interactionId) {
    const presence = await presenceOf(ids);
    return notifyConnections([...presence.values()].flatMap((p) => p.connectionIds), event, []);
  }
  const { presence, spies } = await presenceAndSpies(ids, event.interactionId);
  return notifyConnections([...presence.values()].flatMap((p) => p.connectionIds), event, spies);
}

/**
 * Posts to connections already looked up (a caller that needed them anyway saves the query), to the supervisors
 * watching the event's account (one cached read), and to the interaction's spies: `spies` when the caller read them,
 * else one read of the spy item. Each connection gets the event once.
 */
export async function notifyConnections(agentConnections: string[], event: RealtimeEvent, spies?: string[]): Promise<DeliveryReport> {
  const [spying, watching] = await Promise.all([
    spies ?? (event.interactionId ? spiesOf(event.interactionId) : []),
    event.accountId ? watchersOf(event.accountId) : [],
  ]);
  const connectionIds = [...new Set([...agentConnections, ...watching])];
  const spyOnly = spying.filter((c) => !connectionIds.includes(c));
  const [toAgents, toSpies] = await Promise.all([
    post(connectionIds, event),
    spyOnly.length ? post(spyOnly, { ...event, spy: true }, (c) => removeSpy(event.interactionId!, c)) : { posted: 0, gone: 0 },
  ]);
  return { posted: toAgents.posted + toSpies.posted, gone: toAgents.gone + toSpies.gone };
}

async function post(connectionIds: string[], event: RealtimeEvent, onGone?: (connectionId: string) => Promise<void>): Promise<DeliveryReport> {
  const report: DeliveryReport = { posted: 0, gone: 0 };
  const sentAt = new Date().toISOString();
  await Promise.all(
    connectionIds.map(async (connectionId) => {
      try {
        const result = await postToConnection(connectionId, { ...event, sentAt });
        if (result === 'gone') {
          report.gone += 1;
          // As $disconnect does: an agent whose last connection is gone is offline, so nothing more is offered to it.
          const [removed] = await Promise.all([removeConnection(connectionId), removeWatcher(connectionId)]);
          if (removed && removed.remaining === 0) await setPresence(removed.agentId, 'offline');
          await onGone?.(connectionId);
        } else report.posted += 1;
      } catch (error) {
        // One bad connection must not stop the others; the event is also in the store for the next read.
        log.warn('notification not delivered', { connectionId, error });
      }
    }),
  );
  return report;
}

/** Posts to the connections of the account's agents, optionally narrowed (e.g. to one agent or a queue's members). */
export async function notifyAccount(
  accountId: string,
  event: RealtimeEvent,
  only?: (agentId: string) => boolean,
): Promise<DeliveryReport> {
  const members = await membersOf('ACCOUNT', accountId);
  return notifyAgents(only ? members.filter(only) : members, event);
}

/**
 * Posts to the connections of every admin and supervisor: what the admin console must hear of without watching an
 * account (a template paused by the provider, a campaign paused on its own).
 */
export async function notifyAdmins(event: RealtimeEvent): Promise<DeliveryReport> {
  const admins = (await listAgents()).filter((a) => (a.role === 'admin' || a.role === 'supervisor') && !a.disabled);
  return notifyAgents(
    admins.map((a) => a.id),
    event,
  );
}
