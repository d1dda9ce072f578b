/**
 * Ending a user's sessions when it is revoked (password change, disable, lock, delete, role or account membership
 * change): its tokens already fail on the next request (the token version moved, or the user is gone); this closes
 * its open WebSocket connections too, through the `@connections` DELETE API, so nothing more is pushed to them.
 */
import { log } from '../logger';
import { closeConnection } from '../ports/notifier';
import { connectionsOf, removeConnection } from '../store/connections';
import { setPresence } from '../store/presence';

/** Closes every open connection of the agent; returns how many there were. */
export async function endSessions(agentId: string): Promise<number> {
  const connections = await connectionsOf(agentId);
  await Promise.all(
    connections.map(async ({ connectionId }) => {
      try {
        await closeConnection(connectionId);
      } catch (error) {
        // The item goes anyway: nothing is posted to a connection without one, and its token no longer works.
        log.warn('closing a revoked connection failed', { connectionId, error });
      }
      // $disconnect will find it gone; removing it here stops notifications even if that event is late.
      const gone = await removeConnection(connectionId);
      if (gone && gone.remaining === 0) await setPresence(agentId, 'offline');
    }),
  );
  return connections.length;
}
