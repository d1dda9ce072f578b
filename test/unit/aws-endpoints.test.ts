/**
 * Which requests the SDK clients sign (shared/ports/aws.ts). A client aimed at a stand-in on loopback sends a fixed,
 * unsigned Authorization header and none of the labelling headers; a client aimed at any other host keeps SigV4
 * with a real signature, so a store or queue reached over a network is never sent an unsigned request. The request
 * handler here captures the request the client would put on the wire: every e2e test drives the loopback path
 * against the real dynoxide, the local SQS endpoint and the local @connections API.
 */
import { Readable } from 'node:stream';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import { createHash } from 'node:crypto';
import { clientFor, isLoopback } from '../../shared/ports/aws';

interface Captured {
  hostname: string;
  headers: Record<string, string>;
}

function capturing(captured: Captured[], body: string) {
  return {
    handle: async (request: Captured) => {
      captured.push({ hostname: request.hostname, headers: { ...request.headers } });
      return { response: { statusCode: 200, headers: { 'content-type': 'application/x-amz-json-1.0' }, body: Readable.from([Buffer.from(body)]) } };
    },
  };
}

async function dynamoRequest(endpoint: string): Promise<Captured> {
  const captured: Captured[] = [];
  const client = clientFor(endpoint, (options) => new DynamoDBClient({ region: 'eu-west-1', ...options, requestHandler: capturing(captured, '{}') as never }));
  await client.send(new GetItemCommand({ TableName: 'switchboard', Key: { pk: { S: 'A' }, sk: { S: 'B' } } }));
  expect(captured).toHaveLength(1);
  return captured[0]!;
}

describe('isLoopback', () => {
  it.each([
    ['http://127.0.0.1:8000', true],
    ['http://127.5.6.7:1', true],
    ['http://localhost:3000/sqs', true],
    ['http://[::1]:8000', true],
    ['http://10.0.0.5:8000', false],
    ['https://dynamodb.eu-west-1.amazonaws.com', false],
    ['http://127.0.0.1.example.com:8000', false],
    ['http://localhost.example.com', false],
    ['not a url', false],
    [undefined, false],
  ])('%s is loopback: %s', (endpoint, expected) => {
    expect(isLoopback(endpoint)).toBe(expected);
  });
});

describe('the requests a client sends', () => {
  it('towards loopback: a fixed unsigned Authorization with its date, and no user-agent header', async () => {
    const request = await dynamoRequest('http://127.0.0.1:8000');

    expect(request.hostname).toBe('127.0.0.1');
    expect(request.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=local\/\d{8}\/local\/local\/aws4_request, SignedHeaders=host, Signature=unsigned$/);
    expect(request.headers['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);
    expect(Math.abs(Date.parse(request.headers['x-amz-date']!.replace(/(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z/, '$1-$2-$3T$4:$5:$6Z')) - Date.now())).toBeLessThan(60_000);
    expect(request.headers['x-amz-user-agent']).toBeUndefined();
  });

  it('towards another host: SigV4 with a real signature and the user agent', async () => {
    const request = await dynamoRequest('http://10.0.0.5:8000');

    expect(request.hostname).toBe('10.0.0.5');
    expect(request.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=local\/\d{8}\/eu-west-1\/dynamodb\/aws4_request, SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}$/);
    expect(request.headers['x-amz-user-agent']).toBeDefined();
  });

  it('with no endpoint: the options are empty, so the SDK finds AWS and the runtime credentials itself', () => {
    for (const endpoint of [undefined, '']) {
      const given: unknown[] = [];
      clientFor(endpoint, (options) => {
        given.push(options);
        return new DynamoDBClient({ region: 'eu-west-1', ...options });
      });
      expect(given).toEqual([{}]);
    }
  });

  it('the same for the queue client on loopback (the local SQS endpoint)', async () => {
    const captured: Captured[] = [];
    const endpoint = 'http://127.0.0.1:3000/sqs';
    const body = JSON.stringify({ MessageId: 'm1', MD5OfMessageBody: createHash('md5').update('hello').digest('hex') });
    const client = clientFor(endpoint, (options) => new SQSClient({ region: 'eu-west-1', ...options, requestHandler: capturing(captured, body) as never }));
    await expect(client.send(new SendMessageCommand({ QueueUrl: `${endpoint}/000000000000/outbound`, MessageBody: 'hello' }))).resolves.toMatchObject({ MessageId: 'm1' });

    expect(captured).toHaveLength(1);
    expect(captured[0]!.headers.authorization).toContain('Signature=unsigned');
    expect(captured[0]!.headers['x-amz-user-agent']).toBeUndefined();
  });
});
