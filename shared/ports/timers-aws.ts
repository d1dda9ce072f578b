/**
 * Cloud timers. EventBridge Scheduler's one-off `at()` schedules fire within their minute, not to the second, so a
 * timer due within the threshold (900 s at most, SQS's limit) is an SQS message with DelaySeconds on the timers
 * queue; a later one is a Scheduler schedule that deletes itself after it runs. Both deliver the same TimerEvent
 * to the timers function.
 */
import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  SchedulerClient,
  UpdateScheduleCommand,
  type CreateScheduleCommandInput,
} from '@aws-sdk/client-scheduler';
import { config, required } from '../config';
import { now } from './clock';
import { sendMessage } from './queue';
import type { TimerEvent } from './timers';

let scheduler: SchedulerClient | undefined;
function schedulerClient(): SchedulerClient {
  scheduler ??= new SchedulerClient({ region: config.AWS_REGION });
  return scheduler;
}

/** `at(yyyy-mm-ddThh:mm:ss)` in UTC, rounded up to the second (never early), never in the past. */
export function atExpression(dueAtMs: number, nowMs: number): string {
  const at = new Date(Math.ceil(Math.max(dueAtMs, nowMs + 1000) / 1000) * 1000);
  return `at(${at.toISOString().slice(0, 19)})`;
}

export async function armWithAws(timer: TimerEvent): Promise<void> {
  const delayMs = Math.max(0, timer.dueAt - now());
  const threshold = config.TIMER_SQS_THRESHOLD_SECONDS;
  if (threshold > 0 && delayMs <= threshold * 1000) {
    await sendMessage('timers', { body: JSON.stringify(timer), delaySeconds: Math.min(900, Math.ceil(delayMs / 1000)) });
    return;
  }
  const input: CreateScheduleCommandInput = {
    Name: timer.name,
    GroupName: required('SCHEDULE_GROUP'),
    ScheduleExpression: atExpression(timer.dueAt, now()),
    ScheduleExpressionTimezone: 'UTC',
    FlexibleTimeWindow: { Mode: 'OFF' },
    ActionAfterCompletion: 'DELETE',
    Target: {
      Arn: required('TIMERS_FUNCTION_ARN'),
      RoleArn: required('SCHEDULER_ROLE_ARN'),
      Input: JSON.stringify(timer),
      RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 3600 },
    },
  };
  try {
    await schedulerClient().send(new CreateScheduleCommand(input));
  } catch (error) {
    // The same name means the same timer armed again: replace it.
    if (!(error instanceof ConflictException)) throw error;
    await schedulerClient().send(new UpdateScheduleCommand(input));
  }
}

/**
 * Deletes a Scheduler schedule. A timer already sent to SQS cannot be withdrawn; its handler finds the version
 * moved on and does nothing.
 */
export async function cancelWithAws(name: string): Promise<void> {
  try {
    await schedulerClient().send(new DeleteScheduleCommand({ Name: name, GroupName: required('SCHEDULE_GROUP') }));
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
}
