/**
 * The cloud timers adapter through the timers port: near timers become SQS messages with DelaySeconds, later ones
 * one-off Scheduler schedules. Scheduler has no local stand-in, so both clients are mocked at the SDK boundary and
 * the tests assert the exact requests. The configuration is read when shared/config loads, so the environment is
 * set first and the modules are required afterwards.
 */
import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  SchedulerClient,
  UpdateScheduleCommand,
  ValidationException,
} from '@aws-sdk/client-scheduler';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import type { TimerEvent } from '../../shared/ports/timers';

const ENV = {
  TIMERS_ADAPTER: 'aws',
  TIMERS_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/switchboard-dev-timers',
  SCHEDULE_GROUP: 'switchboard-dev-timers',
  SCHEDULER_ROLE_ARN: 'arn:aws:iam::123456789012:role/switchboard-dev-scheduler',
  TIMERS_FUNCTION_ARN: 'arn:aws:lambda:eu-west-1:123456789012:function:switchboard-dev-timers',
  TIMER_SQS_THRESHOLD_SECONDS: '900',
  AWS_REGION: 'eu-west-1',
};

const NOW = Date.UTC(2024, 5, 1, 12, 0, 0);

type TimersPort = typeof import('../../shared/ports/timers');
type ConfigModule = typeof import('../../shared/config');
type ClockModule = typeof import('../../shared/ports/clock');

let timers: TimersPort;
let configModule: ConfigModule;
let restoreClock: () => void;
const savedEnv = { ...process.env };

const scheduler = mockClient(SchedulerClient);
const sqs = mockClient(SQSClient);

beforeAll(() => {
  Object.assign(process.env, ENV);
  /* eslint-disable @typescript-eslint/no-require-imports */
  configModule = require('../../shared/config') as ConfigModule;
  timers = require('../../shared/ports/timers') as TimersPort;
  const clock = require('../../shared/ports/clock') as ClockModule;
  /* eslint-enable @typescript-eslint/no-require-imports */
  restoreClock = clock.useClock({ now: () => NOW });
});

afterAll(() => {
  restoreClock();
  process.env = savedEnv;
  scheduler.restore();
  sqs.restore();
});

beforeEach(() => {
  scheduler.reset();
  sqs.reset();
  sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
  scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:schedule' });
  scheduler.on(UpdateScheduleCommand).resolves({ ScheduleArn: 'arn:schedule' });
  scheduler.on(DeleteScheduleCommand).resolves({});
});

function timer(dueInMs: number, name = 'int-01HZX-wait-agent'): TimerEvent {
  return { name, kind: 'wait-agent', dueAt: NOW + dueInMs, payload: { interactionId: 'int-01HZX', version: 3 } };
}

function expectedSchedule(t: TimerEvent, at: string) {
  return {
    Name: t.name,
    GroupName: ENV.SCHEDULE_GROUP,
    ScheduleExpression: `at(${at})`,
    ScheduleExpressionTimezone: 'UTC',
    FlexibleTimeWindow: { Mode: 'OFF' },
    ActionAfterCompletion: 'DELETE',
    Target: {
      Arn: ENV.TIMERS_FUNCTION_ARN,
      RoleArn: ENV.SCHEDULER_ROLE_ARN,
      Input: JSON.stringify(t),
      RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 3600 },
    },
  };
}

const sentInputs = () => sqs.commandCalls(SendMessageCommand).map((c) => c.args[0].input);
const createInputs = () => scheduler.commandCalls(CreateScheduleCommand).map((c) => c.args[0].input);

describe('armTimer with the aws adapter', () => {
  it('sends a timer due within the threshold to the timers queue with DelaySeconds rounded up', async () => {
    const t = timer(1_200);

    await timers.armTimer(t);

    expect(sentInputs()).toEqual([{ QueueUrl: ENV.TIMERS_QUEUE_URL, MessageBody: JSON.stringify(t), DelaySeconds: 2 }]);
    expect(scheduler.calls()).toHaveLength(0);
  });

  it('keeps a timer due exactly at the threshold on SQS with the maximum delay of 900 s', async () => {
    const t = timer(900_000);

    await timers.armTimer(t);

    expect(sentInputs()).toEqual([
      { QueueUrl: ENV.TIMERS_QUEUE_URL, MessageBody: JSON.stringify(t), DelaySeconds: 900 },
    ]);
    expect(scheduler.calls()).toHaveLength(0);
  });

  it('sends a timer already due with no delay', async () => {
    const t = timer(-5_000);

    await timers.armTimer(t);

    expect(sentInputs()).toEqual([{ QueueUrl: ENV.TIMERS_QUEUE_URL, MessageBody: JSON.stringify(t), DelaySeconds: 0 }]);
  });

  it('creates a self-deleting one-off schedule in UTC for a timer beyond the threshold', async () => {
    const t = timer(60 * 60_000);

    await timers.armTimer(t);

    expect(createInputs()).toEqual([expectedSchedule(t, '2024-06-01T13:00:00')]);
    expect(sqs.calls()).toHaveLength(0);
  });

  it('schedules a timer just past the threshold rather than queueing it', async () => {
    const t = timer(901_000);

    await timers.armTimer(t);

    expect(createInputs()).toEqual([expectedSchedule(t, '2024-06-01T12:15:01')]);
    expect(sqs.calls()).toHaveLength(0);
  });

  it('replaces an existing schedule of the same name with UpdateSchedule and the same input', async () => {
    scheduler.on(CreateScheduleCommand).rejects(
      new ConflictException({
        message: 'Schedule already exists',
        Message: 'Schedule already exists',
        $metadata: {},
      }),
    );
    const t = timer(2 * 60 * 60_000);

    await timers.armTimer(t);

    const updates = scheduler.commandCalls(UpdateScheduleCommand).map((c) => c.args[0].input);
    expect(updates).toEqual([expectedSchedule(t, '2024-06-01T14:00:00')]);
    expect(updates[0]).toEqual(createInputs()[0]);
  });

  it('lets any other Scheduler error through without an update', async () => {
    scheduler
      .on(CreateScheduleCommand)
      .rejects(new ValidationException({ message: 'bad expression', Message: 'bad expression', $metadata: {} }));

    await expect(timers.armTimer(timer(2 * 60 * 60_000))).rejects.toThrow('bad expression');
    expect(scheduler.commandCalls(UpdateScheduleCommand)).toHaveLength(0);
  });

  describe('with the threshold set to 0', () => {
    beforeAll(() => {
      process.env.TIMER_SQS_THRESHOLD_SECONDS = '0';
      configModule.reloadConfig();
    });
    afterAll(() => {
      process.env.TIMER_SQS_THRESHOLD_SECONDS = ENV.TIMER_SQS_THRESHOLD_SECONDS;
      configModule.reloadConfig();
    });

    it('sends even a timer due in a few seconds to Scheduler', async () => {
      const t = timer(5_000);

      await timers.armTimer(t);

      expect(createInputs()).toEqual([expectedSchedule(t, '2024-06-01T12:00:05')]);
      expect(sqs.calls()).toHaveLength(0);
    });

    it('never schedules in the past: a timer already due is scheduled one second from now', async () => {
      const t = timer(-30_000);

      await timers.armTimer(t);

      expect(createInputs()).toEqual([expectedSchedule(t, '2024-06-01T12:00:01')]);
    });
  });
});

describe('cancelTimer with the aws adapter', () => {
  it('deletes the schedule of that name in the group', async () => {
    await timers.cancelTimer('int-01HZX-wait-agent');

    expect(scheduler.commandCalls(DeleteScheduleCommand).map((c) => c.args[0].input)).toEqual([
      { Name: 'int-01HZX-wait-agent', GroupName: ENV.SCHEDULE_GROUP },
    ]);
  });

  it('treats a schedule that is already gone as cancelled', async () => {
    scheduler
      .on(DeleteScheduleCommand)
      .rejects(new ResourceNotFoundException({ message: 'not found', Message: 'not found', $metadata: {} }));

    await expect(timers.cancelTimer('int-01HZX-wait-agent')).resolves.toBeUndefined();
  });

  it('lets any other error through', async () => {
    scheduler
      .on(DeleteScheduleCommand)
      .rejects(new ValidationException({ message: 'bad name', Message: 'bad name', $metadata: {} }));

    await expect(timers.cancelTimer('int-01HZX-wait-agent')).rejects.toThrow('bad name');
  });
});
