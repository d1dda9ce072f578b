/**
 * The periodic WhatsApp sync (every `everyMinutes` of its wiring: an EventBridge rule in the cloud, the engine's
 * interval locally): asks the providers for every template's status, so a missed status webhook is caught up, and
 * re-arms the tick of a running campaign that has not ticked for a while (a tick lost in a crash between its claim
 * and its re-arming).
 */
import middy from '@middy/core';
import { resumeStalledCampaigns } from '../shared/campaigns/dispatch';
import { syncAllTemplates } from '../shared/campaigns/templates';
import { log } from '../shared/logger';

export const handler = middy<unknown, void>().handler(async () => {
  const templates = await syncAllTemplates();
  const rearmed = await resumeStalledCampaigns();
  log.info('whatsapp sync done', { ...templates, rearmed });
});
