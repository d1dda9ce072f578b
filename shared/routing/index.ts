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
  afterInbound.push(async ({ account, interaction, message, opened }) => {
    if (opened) await routeNew(interaction, account, message.text);
    else await routeFollowUp(interaction, account, message.text, message.id, message.parts);
  });
  afterStatus.push(notifyStatus);
}

registerRouting();
