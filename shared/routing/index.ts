/**
 * Registers routing with the inbound path: a message that opens an interaction enters the account's plan; a
 * follow-up reaches the assigned agent or waits for it; a delivery status reaches the agents who see the interaction.
 * Importing this module also registers routing's timers.
 */
import { afterInbound, afterStatus } from '../inbound/process';
import { notifyStatus, routeFollowUp, routeNew } from './service';

let registered = false;

export function registerRouting(): void {
  if (registered) return;
  registered = true;
  afterInbound.push(async ({ interaction, message, opened }) => {
    if (opened) await routeNew(interaction.id, message.text);
    else await routeFollowUp(interaction.id, message.text, message.id);
  });
  afterStatus.push(notifyStatus);
}

registerRouting();
