/**
 * Presence that tells the truth after a restart of the local engine: no WebSocket connection outlives the process
 * that accepted it, so at start every connection the store still lists is removed and every agent not already
 * offline is set offline (with `presence.changed`). Until an agent reconnects and goes online, nothing is offered to it.
 */
import { log } from '../logger';
import { listAgents } from '../store/agents';
import { forgetConnections } from '../store/connections';
import { presenceOf, setPresence } from '../store/presence';
import { notifyAgents } from './notify';

/** Returns how many stale connections were removed. */
export async function resetPresenceAtStart(): Promise<number> {
  const agents = await listAgents();
  const presence = await presenceOf(agents.map((a) => a.id));
  let removed = 0;
  for (const p of presence.values()) {
    if (p.status === 'offline' && p.connectionIds.length === 0) continue;
    removed += await forgetConnections(p.agentId, p.connectionIds);
    const now = await setPresence(p.agentId, 'offline');
    await notifyAgents([p.agentId], { type: 'presence.changed', accountId: '', status: now.status });
    log.info('agent set offline at start: its connections did not survive the restart', { agentId: p.agentId, was: p.status });
  }
  return removed;
}
