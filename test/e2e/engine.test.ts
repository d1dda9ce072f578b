/**
 * The whole local engine in-process, driven the way clients and the production adapters drive it: HTTP for the
 * API, a real WebSocket client, the production notifier against the local `@connections` API, the production queue
 * adapter against the local SQS endpoint, and a store timer fired through the timers function.
 */
import {
  closeSocket,
  eventually,
  nextMessage,
  openSocket,
  SocketRefusedError,
  useEngine,
  within,
} from '../support/engine';
import type WebSocket from 'ws';
import { signToken } from '../../shared/http/auth';
import { setLogSink } from '../../shared/logger';
import { now } from '../../shared/ports/clock';
import { postToConnection } from '../../shared/ports/notifier';
import { sendMessage } from '../../shared/ports/queue';
import { armTimer, timerName, type TimerEvent } from '../../shared/ports/timers';
import { createAgent } from '../../shared/store/agents';
import { connectionsOf, saveConnection } from '../../shared/store/connections';
import { getPresence, setPresence } from '../../shared/store/presence';
import { notifyAgents } from '../../shared/realtime/notify';
import { onTimer } from '../../shared/timers/dispatch';

// jest reads testTimeout from the global config only, never from a project entry, so the file sets its own.
jest.setTimeout(30_000);

const engine = useEngine();

/** Agents by test name: created on first use (a token of a user who does not exist opens no socket). */
const ids = new Map<string, string>();
async function agentToken(name: string, fields: { disabled?: boolean } = {}): Promise<string> {
  let id = ids.get(name);
  if (!id) {
    const agent = await createAgent({
      username: `u${name.replace(/[^A-Za-z0-9]/g, '')}${ids.size}`,
      fullName: `Agent ${name}`,
      typology: 'webrtc',
      voicemail: false,
      remoteControl: false,
      role: 'agent',
      disabled: fields.disabled ?? false,
    });
    id = agent.id;
    ids.set(name, id);
  }
  return signToken({ sub: id, username: name, role: 'agent' });
}
const idOf = (name: string) => ids.get(name)!;
const wsManagementUrl = () => engine().wsUrl.replace(/^ws:/, 'http:');

describe('HTTP API', () => {
  it('answers GET /health with 503 until the first admin exists, then 200 {status: "ok"}', async () => {
    const before = await fetch(`${engine().httpUrl}/health`);
    expect(before.status).toBe(503);
    expect(await before.json()).toMatchObject({ status: 'starting', bootstrap: 'pending' });

    await engine().bootstrap('Health-Passw0rd');
    const res = await fetch(`${engine().httpUrl}/health`);

    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok' });
  });

  it('answers 404 for a path no route serves', async () => {
    const res = await fetch(`${engine().httpUrl}/no/such/route`);

    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ message: 'Not Found' });
  });
});

describe('WebSocket API', () => {
  const open: WebSocket[] = [];
  afterAll(async () => {
    await Promise.all(open.map(closeSocket));
  });

  async function connect(sub: string): Promise<{ ws: WebSocket; connectionId: string }> {
    const ws = await openSocket(`${engine().wsUrl}/?token=${encodeURIComponent(await agentToken(sub))}`);
    open.push(ws);
    const [connection] = await connectionsOf(idOf(sub));
    if (!connection) throw new Error(`no stored connection for ${sub}`);
    return { ws, connectionId: connection.connectionId };
  }

  it('refuses a connection without a token with 401', async () => {
    const refused = openSocket(`${engine().wsUrl}/`);

    await expect(refused).rejects.toBeInstanceOf(SocketRefusedError);
    await expect(refused).rejects.toMatchObject({ status: 401 });
  });

  it('refuses the still-valid token of a disabled user with 423', async () => {
    const token = await agentToken('disabled', { disabled: true });
    await expect(openSocket(`${engine().wsUrl}/?token=${encodeURIComponent(token)}`)).rejects.toMatchObject({ status: 423 });
  });

  it('refuses a connection with a token that is not valid', async () => {
    await expect(openSocket(`${engine().wsUrl}/?token=not-a-jwt`)).rejects.toMatchObject({ status: 401 });
  });

  it('accepts a connection with a valid token and stores it under the agent', async () => {
    const ws = await openSocket(`${engine().wsUrl}/?token=${encodeURIComponent(await agentToken('a1'))}`);
    open.push(ws);

    const stored = await connectionsOf(idOf('a1'));

    expect(stored).toEqual([
      expect.objectContaining({ agentId: idOf('a1'), role: 'agent', connectionId: expect.any(String) }),
    ]);
    expect(engine().ws.connections.has(stored[0]!.connectionId)).toBe(true);
  });

  it('delivers a notification posted by the production notifier to the connected client', async () => {
    const { ws, connectionId } = await connect('a-notify');
    const received = nextMessage(ws);

    const result = await postToConnection(connectionId, {
      type: 'interaction.offered',
      interactionId: 'i-1',
      version: 4,
    });

    expect(result).toBe('sent');
    expect(await received).toEqual({ type: 'interaction.offered', interactionId: 'i-1', version: 4 });
  });

  it('answers "gone" to the notifier for an unknown connection', async () => {
    await expect(postToConnection('no-such-connection', { type: 'x' })).resolves.toBe('gone');
  });

  it('answers a post to an unknown connection with 410 GoneException on the wire', async () => {
    const res = await fetch(`${wsManagementUrl()}/@connections/no-such-connection`, { method: 'POST', body: '{}' });

    expect(res.status).toBe(410);
    expect(res.headers.get('x-amzn-errortype')).toBe('GoneException');
  });

  it("sets an agent offline when a post answers GoneException for its last connection, as the cloud's clean-up does", async () => {
    await agentToken('a-dead');
    const agentId = idOf('a-dead');
    // A connection the gateway no longer has (its process died without a $disconnect), and the agent still online.
    await saveConnection({ connectionId: 'dead-connection-1', agentId, role: 'agent', connectedAt: new Date().toISOString() });
    await setPresence(agentId, 'online');

    const report = await notifyAgents([agentId], { type: 'interaction.offered', interactionId: 'i-dead', version: 1 });

    expect(report).toEqual({ posted: 0, gone: 1 });
    expect(await connectionsOf(agentId)).toEqual([]);
    expect((await getPresence(agentId, true)).status).toBe('offline');
  });

  it('answers a ping frame with a pong', async () => {
    const { ws } = await connect('a-ping');
    const pong = nextMessage<{ type: string; at: number }>(ws, (m) => m.type === 'pong');

    ws.send(JSON.stringify({ action: 'ping' }));

    expect(await pong).toEqual({ type: 'pong', at: expect.any(Number) });
  });

  it('removes the stored connection when the client closes the socket', async () => {
    const { ws, connectionId } = await connect('a-close');

    await closeSocket(ws);

    await eventually(async () => expect(await connectionsOf(idOf('a-close'))).toEqual([]));
    expect(engine().ws.connections.has(connectionId)).toBe(false);
    await expect(postToConnection(connectionId, { type: 'late' })).resolves.toBe('gone');
  });
});

describe('queues and timers', () => {
  it('lands a message sent by the production queue adapter in the local outbound queue', async () => {
    const outbound = engine().queues.outbound;
    const body = JSON.stringify({ probe: 'queue adapter', n: Math.random() });
    const queued: string[] = [];
    const unsubscribe = outbound.onChange(() => queued.push(...outbound.messages.map((m) => m.body)));
    const send = jest.spyOn(outbound, 'send');
    // The outbound consumer drops this body as a malformed job; keep its log line out of the test output.
    const restoreLog = setLogSink(() => undefined);
    try {
      await sendMessage('outbound', { body, delaySeconds: 0 });

      expect(send).toHaveBeenCalledWith({ body, groupId: undefined, deduplicationId: undefined, delaySeconds: 0 });
      expect(queued).toContain(body);
      await engine().idle();
    } finally {
      restoreLog();
      send.mockRestore();
      unsubscribe();
    }
  });

  it('fires a timer armed through the store adapter through the timers function', async () => {
    const fired = new Promise<{ timer: TimerEvent; at: number }>((resolve) => {
      onTimer('e2e-reminder', async (timer) => resolve({ timer, at: now() }));
    });
    const timer: TimerEvent = {
      name: timerName('int-e2e', 'reminder'),
      kind: 'e2e-reminder',
      dueAt: now() + 300,
      payload: { version: 2 },
    };

    await armTimer(timer);

    const { timer: got, at } = await within(fired, 5000, 'the timer to fire');
    expect(got).toEqual(timer);
    expect(at).toBeGreaterThanOrEqual(timer.dueAt);
  });
});
