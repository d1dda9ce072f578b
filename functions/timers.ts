/**
 * Fires timers. Two sources deliver the same TimerEvent: the timers queue (timers due within the SQS threshold)
 * and EventBridge Scheduler (later ones, invoking this function directly); the local engine invokes it directly
 * too. Each kind's handler re-checks the interaction version, so a stale or repeated timer does nothing.
 */
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { log } from '../shared/logger';
import { timerEventSchema, type TimerEvent } from '../shared/ports/timers';
import { fireTimer } from '../shared/timers/dispatch';
// Registers the timer kinds routing arms (offer timeouts, waits, transfer, inactivity, session expiry).
import '../shared/routing';
import { registerCampaignTimers } from '../shared/campaigns/events';

function isSqsEvent(event: unknown): event is SQSEvent {
  return Array.isArray((event as SQSEvent | undefined)?.Records);
}

async function fire(raw: unknown): Promise<void> {
  const parsed = timerEventSchema.safeParse(raw);
  // A malformed timer can never succeed: log it and drop it rather than retrying it into the DLQ.
  if (!parsed.success) return log.error('dropping malformed timer', { issues: parsed.error.issues });
  await fireTimer(parsed.data as TimerEvent);
}

// Campaigns hear of their messages here (see shared/campaigns/events.ts).
registerCampaignTimers();

export const handler = middy<SQSEvent | TimerEvent, SQSBatchResponse | void>().handler(async (event) => {
  if (!isSqsEvent(event)) return fire(event);
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    try {
      let body: unknown;
      try {
        body = JSON.parse(record.body);
      } catch {
        body = undefined;
      }
      await fire(body);
    } catch (error) {
      log.warn('timer failed, will retry', { messageId: record.messageId, error });
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
});
