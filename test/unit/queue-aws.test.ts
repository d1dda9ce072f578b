/**
 * The queue adapter through the queue port, as it runs in the cloud: the exact SQS requests it makes. The inbound
 * FIFO queue gets each message's group and deduplication ids (the queue has no content-based deduplication); the
 * standard queues get DelaySeconds and no FIFO attributes; more than one message goes in SendMessageBatch requests
 * of at most ten entries with ids unique in the batch, and a refused entry fails the send so the webhook answers 5xx.
 * The local engine serves the same adapter over the SQS protocol (test/e2e); here SQS itself is the boundary, so
 * the client is mocked. The configuration is read when shared/config loads: the environment is set first.
 */
import { SendMessageBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import type { InboundMessageEvent } from '../../shared/providers/types';

const URLS = {
  INBOUND_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/switchboard-prod-inbound.fifo',
  OUTBOUND_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/switchboard-prod-outbound',
  TIMERS_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/switchboard-prod-timers',
  OUTBOUND_DLQ_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/switchboard-prod-outbound-dlq',
};

type QueuePort = typeof import('../../shared/ports/queue');
type Envelope = typeof import('../../shared/inbound/envelope');

let queue: QueuePort;
let envelope: Envelope;
const savedEnv = { ...process.env };
const sqs = mockClient(SQSClient);

beforeAll(() => {
  Object.assign(process.env, URLS, { AWS_REGION: 'eu-west-1' });
  delete process.env.SQS_ENDPOINT;
  /* eslint-disable @typescript-eslint/no-require-imports */
  queue = require('../../shared/ports/queue') as QueuePort;
  envelope = require('../../shared/inbound/envelope') as Envelope;
  /* eslint-enable @typescript-eslint/no-require-imports */
});

afterAll(() => {
  process.env = savedEnv;
  sqs.restore();
});

beforeEach(() => {
  sqs.reset();
  sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
  sqs.on(SendMessageBatchCommand).callsFake((input: { Entries: { Id: string }[] }) => ({
    Successful: input.Entries.map((e) => ({ Id: e.Id, MessageId: `m-${e.Id}`, MD5OfMessageBody: '' })),
    Failed: [],
  }));
});

const sent = () => sqs.commandCalls(SendMessageCommand).map((c) => c.args[0].input);
const batches = () => sqs.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input);

const inboundEvent = (providerMessageId: string, from = '+393331234567'): InboundMessageEvent => ({
  type: 'message',
  providerMessageId,
  from,
  to: '+14155550100',
  text: `text of ${providerMessageId}`,
  media: [],
  parts: [{ type: 'text', text: `text of ${providerMessageId}` }],
});
/** What the webhook enqueues for a Twilio message. */
const inboundMessage = (i: number, from?: string) =>
  envelope.toQueueMessage('01JACCOUNT', inboundEvent(`SM${String(i).padStart(32, '0')}`, from), '2026-12-01T00:00:00.000Z');

describe('single messages', () => {
  it('sends to the inbound FIFO queue with exactly its group and deduplication ids', async () => {
    await queue.sendMessage('inbound', { body: '{"v":1}', groupId: '01JACCOUNT#+393331234567', deduplicationId: 'm#01JACCOUNT#SM1' });

    expect(sent()).toEqual([
      { QueueUrl: URLS.INBOUND_QUEUE_URL, MessageBody: '{"v":1}', MessageGroupId: '01JACCOUNT#+393331234567', MessageDeduplicationId: 'm#01JACCOUNT#SM1' },
    ]);
    // toEqual passes undefined fields as absent; SQS must not even see them.
    expect(Object.entries(sent()[0]!).filter(([, v]) => v !== undefined).map(([k]) => k).sort()).toEqual(['MessageBody', 'MessageDeduplicationId', 'MessageGroupId', 'QueueUrl']);
  });

  it('sends to a standard queue with DelaySeconds and no FIFO attributes', async () => {
    await queue.sendMessage('outbound', { body: 'retry', delaySeconds: 37 });
    await queue.sendMessage('timers', { body: 'timer', delaySeconds: 900 });
    await queue.sendMessage('outbound-dlq', { body: 'final' });

    expect(sent()).toEqual([
      { QueueUrl: URLS.OUTBOUND_QUEUE_URL, MessageBody: 'retry', DelaySeconds: 37 },
      { QueueUrl: URLS.TIMERS_QUEUE_URL, MessageBody: 'timer', DelaySeconds: 900 },
      { QueueUrl: URLS.OUTBOUND_DLQ_URL, MessageBody: 'final' },
    ]);
    for (const input of sent()) {
      expect(input.MessageGroupId).toBeUndefined();
      expect(input.MessageDeduplicationId).toBeUndefined();
    }
  });

  it('refuses, before any request, what SQS would refuse: a FIFO message without its ids or with a delay, a delay past 900 s', async () => {
    await expect(queue.sendMessage('inbound', { body: 'x', groupId: 'g' })).rejects.toThrow(/FIFO.*deduplicationId/);
    await expect(queue.sendMessage('inbound', { body: 'x', deduplicationId: 'd' })).rejects.toThrow(/FIFO.*groupId/);
    await expect(queue.sendMessage('inbound', { body: 'x', groupId: 'g', deduplicationId: 'd', delaySeconds: 5 })).rejects.toThrow(/DelaySeconds/);
    await expect(queue.sendMessage('outbound', { body: 'x', delaySeconds: 901 })).rejects.toThrow(/0 to 900/);
    await expect(queue.sendMessage('timers', { body: 'x', delaySeconds: 1.5 })).rejects.toThrow(/0 to 900/);

    expect(sqs.calls()).toHaveLength(0);
  });
});

describe('batches', () => {
  it('sends one message of a batch call as a plain SendMessage', async () => {
    const message = inboundMessage(1);

    await queue.sendMessages('inbound', [message]);

    expect(batches()).toEqual([]);
    expect(sent()).toEqual([
      { QueueUrl: URLS.INBOUND_QUEUE_URL, MessageBody: message.body, MessageGroupId: message.groupId, MessageDeduplicationId: message.deduplicationId },
    ]);
  });

  it('sends 23 inbound messages as batches of 10, 10 and 3, in order, each entry with its own FIFO ids', async () => {
    const messages = Array.from({ length: 23 }, (_, i) => inboundMessage(i, i % 2 ? '+393331234567' : '+393339876543'));

    await queue.sendMessages('inbound', messages);

    expect(sent()).toEqual([]);
    expect(batches().map((b) => b.Entries?.length)).toEqual([10, 10, 3]);
    const entries = batches().flatMap((b) => {
      expect(b.QueueUrl).toBe(URLS.INBOUND_QUEUE_URL);
      expect(new Set(b.Entries!.map((e) => e.Id)).size).toBe(b.Entries!.length);
      return b.Entries!;
    });
    expect(entries).toEqual(
      messages.map((m) => ({ Id: expect.stringMatching(/^[0-9]$/), MessageBody: m.body, MessageGroupId: m.groupId, MessageDeduplicationId: m.deduplicationId })),
    );
    // Conversation order is the group: both customers' groups are present, deduplication ids all distinct.
    expect(new Set(entries.map((e) => e.MessageGroupId)).size).toBe(2);
    expect(new Set(entries.map((e) => e.MessageDeduplicationId)).size).toBe(23);
  });

  it('keeps group and deduplication ids within SQS rules (at most 128 printable ASCII characters) for any provider id', async () => {
    const long = envelope.toQueueMessage('01JACCOUNT', inboundEvent(`wamid.${'é'.repeat(200)}`), '2026-12-01T00:00:00.000Z');

    await queue.sendMessages('inbound', [long, inboundMessage(2)]);

    for (const entry of batches()[0]!.Entries!) {
      expect(entry.MessageGroupId).toMatch(/^[\x21-\x7e]{1,128}$/);
      expect(entry.MessageDeduplicationId).toMatch(/^[\x21-\x7e]{1,128}$/);
    }
  });

  it('throws naming the queue when SQS refuses an entry, and sends no later batch', async () => {
    sqs.on(SendMessageBatchCommand).resolves({
      Successful: [],
      Failed: [{ Id: '3', SenderFault: false, Code: 'InternalError', Message: 'try again' }],
    });

    await expect(queue.sendMessages('inbound', Array.from({ length: 15 }, (_, i) => inboundMessage(i)))).rejects.toThrow(
      /queue inbound refused 1 message\(s\): try again/,
    );
    expect(batches()).toHaveLength(1);
  });

  it('sends nothing for no messages, and refuses a whole batch with one bad message before any request', async () => {
    await queue.sendMessages('outbound', []);
    await expect(queue.sendMessages('outbound', [{ body: 'a' }, { body: 'b', delaySeconds: 1000 }])).rejects.toThrow(/0 to 900/);

    expect(sqs.calls()).toHaveLength(0);
  });
});
