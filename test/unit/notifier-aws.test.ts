/**
 * The notifier adapter as it runs in the cloud: the exact API Gateway management API requests it makes. A post is
 * one PostToConnection with the event as JSON bytes, to the stage's callback URL, signed with the function's own
 * credentials (never the local engine's fixed ones); a gone connection answers 'gone' so the caller forgets it; a
 * revoked user's connection is closed with DeleteConnection. The local engine serves the same @connections API
 * over the wire (test/e2e); here API Gateway is the boundary, so the client is mocked.
 */
import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  ForbiddenException,
  GoneException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { mockClient } from 'aws-sdk-client-mock';

const CALLBACK = 'https://abcdef1234.execute-api.eu-west-1.amazonaws.com/live';

type NotifierPort = typeof import('../../shared/ports/notifier');
let notifier: NotifierPort;
const savedEnv = { ...process.env };
const api = mockClient(ApiGatewayManagementApiClient);

beforeAll(() => {
  Object.assign(process.env, { WS_CALLBACK_URL: CALLBACK, STAGE: 'prod', AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'AKIAFUNCTIONROLE', AWS_SECRET_ACCESS_KEY: 'function-secret' });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  notifier = require('../../shared/ports/notifier') as NotifierPort;
});
afterAll(() => {
  process.env = savedEnv;
  api.restore();
});
beforeEach(() => {
  api.reset();
  api.on(PostToConnectionCommand).resolves({});
  api.on(DeleteConnectionCommand).resolves({});
});

const gone = () => new GoneException({ message: 'gone', $metadata: { httpStatusCode: 410 } });

it('posts the event as JSON bytes to exactly the connection, and counts the post', async () => {
  const before = notifier.notifierStats.posts;
  const event = { type: 'message.received', accountId: 'A1', interactionId: 'I1', version: 3, messageText: 'ciao è' };

  await expect(notifier.postToConnection('Zk3xAcL8oAMCJfQ=', event)).resolves.toBe('sent');

  const calls = api.commandCalls(PostToConnectionCommand);
  expect(calls).toHaveLength(1);
  const input = calls[0]!.args[0].input;
  expect(Object.keys(input).sort()).toEqual(['ConnectionId', 'Data']);
  expect(input.ConnectionId).toBe('Zk3xAcL8oAMCJfQ=');
  expect(Buffer.from(input.Data as Uint8Array).toString('utf8')).toBe(JSON.stringify(event));
  expect(notifier.notifierStats.posts).toBe(before + 1);
});

it("sends to the stage's callback URL in the function's region, with the function's credentials", async () => {
  await notifier.postToConnection('c1', { type: 'pong' });

  const client = api.commandCalls(PostToConnectionCommand)[0]!.thisValue as ApiGatewayManagementApiClient;
  const endpoint = await client.config.endpoint?.();
  expect(`${endpoint?.protocol}//${endpoint?.hostname}${endpoint?.path}`).toBe(CALLBACK);
  expect(await client.config.region()).toBe('eu-west-1');
  expect((await client.config.credentials()).accessKeyId).toBe('AKIAFUNCTIONROLE');
});

it("answers 'gone' for a connection that is gone (410), so the caller removes it, and throws anything else", async () => {
  api.on(PostToConnectionCommand, { ConnectionId: 'old' }).rejects(gone());
  api.on(PostToConnectionCommand, { ConnectionId: 'denied' }).rejects(new ForbiddenException({ message: 'Forbidden', $metadata: { httpStatusCode: 403 } }));

  await expect(notifier.postToConnection('old', { type: 'x' })).resolves.toBe('gone');
  await expect(notifier.postToConnection('denied', { type: 'x' })).rejects.toThrow('Forbidden');
});

it('closes a connection with exactly one DeleteConnection, a gone one included', async () => {
  await expect(notifier.closeConnection('c2')).resolves.toBe('sent');
  api.on(DeleteConnectionCommand).rejects(gone());
  await expect(notifier.closeConnection('c3')).resolves.toBe('gone');

  expect(api.commandCalls(DeleteConnectionCommand).map((c) => c.args[0].input)).toEqual([{ ConnectionId: 'c2' }, { ConnectionId: 'c3' }]);
  expect(api.commandCalls(PostToConnectionCommand)).toHaveLength(0);
});
