/**
 * A small contact desk for queue tests: agents with a token and a live WebSocket that records every event, calls to
 * the agent API, and signed Twilio webhooks sent to the engine, all against one running engine.
 */
import type WebSocket from 'ws';
import { nextMessage, openSocket } from './engine';
import { createAccount, receiveUrl } from '../../shared/admin/accounts';
import { accountCreateSchema } from '../../shared/admin/account-schema';
import { signToken } from '../../shared/http/auth';
import { twilioProvider } from '../../shared/providers/twilio';
import type { Account } from '../../shared/store/accounts';
import { createAgent } from '../../shared/store/agents';
import { createList } from '../../shared/store/lists';
import type { Capacity } from '../../shared/domain/queueing';

export interface Event {
  type: string;
  interactionId?: string;
  [k: string]: unknown;
}

export interface DeskAgent {
  id: string;
  token: string;
  socket: WebSocket;
  received: Event[];
}

export const twilioCredentials = { accountSid: 'AC0123456789abcdef0123456789abcdef', authToken: 'queue-test-token' };

export function desk(urls: () => { httpUrl: string; wsUrl: string }) {
  async function api(token: string, method: string, path: string, body?: unknown) {
    const res = await fetch(`${urls().httpUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read bodies loosely and assert the shape they read
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as any };
  }

  async function user(name: string, role: 'agent' | 'supervisor' | 'admin' = 'agent', capacity?: Capacity, connect = true): Promise<DeskAgent> {
    const agent = await createAgent({
      username: `${name}${Math.random().toString(36).slice(2, 8)}`,
      fullName: `User ${name}`,
      typology: 'webrtc',
      voicemail: false,
      remoteControl: false,
      role,
      disabled: false,
      ...(capacity ? { capacity } : {}),
    });
    const token = await signToken({ sub: agent.id, username: agent.username, role });
    const handle: DeskAgent = { id: agent.id, token, socket: undefined as unknown as WebSocket, received: [] };
    if (connect) await reconnect(handle);
    return handle;
  }

  async function reconnect(handle: DeskAgent): Promise<void> {
    handle.socket = await openSocket(`${urls().wsUrl}?token=${handle.token}`);
    handle.socket.on('message', (data) => handle.received.push(JSON.parse(data.toString()) as Event));
  }

  async function presence(agent: DeskAgent, status: 'online' | 'paused' | 'offline'): Promise<void> {
    const res = await api(agent.token, 'PUT', '/agent/presence', { status, ...(status === 'paused' ? { reason: 'break' } : {}) });
    if (res.status !== 200) throw new Error(`presence answered ${res.status}: ${JSON.stringify(res.body)}`);
  }

  async function account(name: string, key: string, settings: Record<string, unknown>): Promise<Account> {
    const list = await createList({ name: `${name} customers` });
    return createAccount(
      accountCreateSchema.parse({ channel: 'sms', name, key, type: 'twilio', phone: '+14155550199', listId: list.id, credentials: twilioCredentials, settings }),
    );
  }

  async function inbound(acc: Account, from: string, text: string): Promise<void> {
    const request = twilioProvider.simulateInbound(
      { url: receiveUrl(acc), providerMessageId: `SM${Math.random().toString(16).slice(2).padEnd(32, '0')}`, from, to: acc.phone, text, timestampMs: Date.now() },
      twilioCredentials,
      { id: acc.id, channel: acc.channel, phone: acc.phone, proxyToken: acc.proxyToken },
    );
    // Like a provider, try again when the connection drops (the webhook is idempotent: the message id dedupes it).
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await fetch(`${urls().httpUrl}${new URL(request.url).pathname}`, { method: request.method, headers: request.headers, body: request.body });
        await res.text();
        if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
        return;
      } catch (error) {
        if (attempt >= 4 || (error as Error).message.startsWith('webhook answered')) throw error;
        await new Promise((r) => setTimeout(r, 200 * (attempt + 1)));
      }
    }
  }

  /** The first event of `type` matching `match` (already received or still to come). */
  function waitFor(agent: DeskAgent, type: string, match: (e: Event) => boolean = () => true, timeoutMs = 8000): Promise<Event> {
    const ok = (e: Event) => e.type === type && match(e);
    const already = agent.received.find(ok);
    if (already) return Promise.resolve(already);
    return nextMessage<Event>(agent.socket, ok, timeoutMs);
  }

  return { api, user, reconnect, presence, account, inbound, waitFor };
}

let phoneSeq = 0;
export const newPhone = (prefix = '39334') => `+${prefix}${String(1000000 + ++phoneSeq * 41 + Math.floor(Math.random() * 30)).padStart(7, '0')}`;
