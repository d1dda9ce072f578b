/**
 * The console's state, in signals: who is signed in, the accounts, the interactions by id (never older than a
 * version already seen), the messages of the open conversation, and the offers. Every change from the WebSocket
 * is confirmed by a read of the API, so a missed or reordered event cannot leave the screen wrong for long.
 */
import { batch, computed, signal } from '@preact/signals';
import type { Message, MessagePart } from './types';
import {
  Api,
  ApiError,
  LiveSocket,
  loadSession,
  saveSession,
  type ConsoleConfig,
  type RealtimeEvent,
  type Session,
  type SocketState,
} from './client';

export type PresenceStatus = 'online' | 'paused' | 'offline';

export interface Me {
  id: string;
  username: string;
  fullName: string;
  role: 'admin' | 'supervisor' | 'agent';
  presence: { status: PresenceStatus; reason?: string };
  accountIds: string[];
}

export interface Template {
  name: string;
  language: string;
  parameters: string[];
}

export interface WorkspaceAccount {
  id: string;
  name: string;
  key: string;
  channel: 'sms' | 'whatsapp';
  type: string;
  settings: {
    notification: { sound: boolean; shake: boolean };
    disposition: { mandatory: boolean; pauseId?: string };
    recontactTemplate?: Template;
    video: { enabled: boolean };
    transfer: { enabled: boolean };
  };
  dispositions: { id: string; name: string }[];
}

export interface Interaction {
  id: string;
  accountId: string;
  channel: 'sms' | 'whatsapp';
  contactPhone: string;
  status: 'open' | 'closed';
  createdAt: string;
  updatedAt: string;
  lastInboundAt?: string;
  windowExpiresAt?: string;
  messageCount: number;
  unread: number;
  version: number;
  agentId?: string;
  queueId?: string;
  tags?: string[];
  disposition?: string;
  routing?: { phase: string; offeredTo: string[]; deadline?: string; queueId?: string };
  /** The last message's text, kept by the console for the inbox preview. */
  preview?: string;
}

export interface Note {
  id: string;
  agentId: string;
  /** The author's role when written: a supervisor's note from the spy view says so. */
  authorRole?: string;
  text: string;
  createdAt: string;
}

export interface Offer {
  interactionId: string;
  text: string;
  sound: boolean;
  shake: boolean;
  deadline?: string;
}

export type { Message, MessagePart };

export const config = signal<ConsoleConfig | undefined>(undefined);
export const session = signal<Session | undefined>(loadSession());
export const me = signal<Me | undefined>(undefined);
export const accounts = signal<Map<string, WorkspaceAccount>>(new Map());
export const interactions = signal<Map<string, Interaction>>(new Map());
export const selectedId = signal<string | undefined>(undefined);
export const messages = signal<Message[]>([]);
export const notes = signal<Note[]>([]);
export const offerTexts = signal<Map<string, Offer>>(new Map());
export const socketState = signal<SocketState>('closed');
export const waitingCount = signal(0);
export const notice = signal<{ kind: 'error' | 'info'; text: string } | undefined>(undefined);
export const tab = signal<'mine' | 'offered' | 'waiting'>('mine');

let api: Api | undefined;
let socket: LiveSocket | undefined;

export function client(): Api {
  if (!api) throw new Error('the console has no configuration yet');
  return api;
}

const OFFERED_PHASES = new Set(['offered', 'waiting-agent', 'waiting-queue', 'transfer']);

export const offers = computed<Interaction[]>(() => {
  const mine = me.value?.id;
  if (!mine) return [];
  return [...interactions.value.values()]
    .filter(
      (i) =>
        i.status === 'open' &&
        i.agentId !== mine &&
        OFFERED_PHASES.has(i.routing?.phase ?? '') &&
        (i.routing?.offeredTo ?? []).includes(mine),
    )
    .sort((a, b) => (a.updatedAt < b.updatedAt ? -1 : 1));
});

export const assigned = computed<Interaction[]>(() => {
  const mine = me.value?.id;
  return [...interactions.value.values()]
    .filter(
      (i) =>
        i.status === 'open' &&
        i.agentId === mine &&
        !(i.routing?.phase === 'transfer' && !(i.routing.offeredTo ?? []).includes(mine ?? '')),
    )
    .sort((a, b) => ((a.lastInboundAt ?? a.updatedAt) < (b.lastInboundAt ?? b.updatedAt) ? 1 : -1));
});

export const waiting = computed<Interaction[]>(() =>
  [...interactions.value.values()].filter(
    (i) => i.status === 'open' && !i.agentId && i.routing?.phase === 'unassigned',
  ),
);

export const selected = computed(() => (selectedId.value ? interactions.value.get(selectedId.value) : undefined));

/** The list the inbox shows for the current tab, in the order Alt+J / Alt+K walk. */
export const visibleList = computed<Interaction[]>(() =>
  tab.value === 'mine' ? assigned.value : tab.value === 'offered' ? offers.value : waiting.value,
);

export function showError(error: unknown): void {
  const text =
    error instanceof ApiError
      ? `${error.message}${error.details.length ? `: ${error.details.map((d) => d.message).join('; ')}` : ''}`
      : String(error);
  notice.value = { kind: 'error', text };
}

/** Keeps the newer of two copies of an interaction (by version); a stale copy never replaces a fresher one. */
export function upsert(next: Interaction): void {
  const current = interactions.value.get(next.id);
  if (current && current.version > next.version) return;
  const map = new Map(interactions.value);
  map.set(next.id, { ...next, preview: next.preview ?? current?.preview });
  interactions.value = map;
}

export async function configure(loaded: ConsoleConfig): Promise<void> {
  config.value = loaded;
  api = new Api(loaded, session.value?.token, () => signOut('Your session has ended. Sign in again.'));
  if (session.value) await enterWorkspace().catch(() => undefined);
}

export async function signIn(username: string, password: string): Promise<void> {
  const { token } = await client().post<{ token: string }>('/auth/login', { username, password });
  session.value = { token, username };
  saveSession(session.value);
  client().setToken(token);
  await enterWorkspace();
}

export function signOut(message?: string): void {
  socket?.stop();
  socket = undefined;
  saveSession(undefined);
  sessionStorage.removeItem(PRESENCE_KEY);
  api?.setToken(undefined);
  batch(() => {
    session.value = undefined;
    me.value = undefined;
    interactions.value = new Map();
    selectedId.value = undefined;
    messages.value = [];
    notes.value = [];
    notice.value = message ? { kind: 'info', text: message } : undefined;
  });
}

async function enterWorkspace(): Promise<void> {
  const [profile, list] = await Promise.all([
    client().get<Me>('/agent/me'),
    client().get<{ items: WorkspaceAccount[] }>('/agent/accounts'),
  ]);
  batch(() => {
    me.value = profile;
    accounts.value = new Map(list.items.map((a) => [a.id, a]));
  });
  await catchUp();
  const token = session.value?.token ?? '';
  socket = new LiveSocket(`${config.value?.wsUrl ?? ''}?token=${encodeURIComponent(token)}`, {
    onEvent: (event) => {
      for (const l of liveListeners) guarded(() => l.event?.(event));
      void onEvent(event);
    },
    onState: (state) => (socketState.value = state),
    onOpen: (reconnected) => {
      for (const l of liveListeners) guarded(() => l.open?.());
      void (reconnected ? catchUp() : Promise.resolve()).then(restorePresence);
    },
  });
  socket.start();
}

/** Reads every open interaction the agent may see and merges by version: what a gap in the socket missed. */
export async function catchUp(): Promise<void> {
  try {
    // Every page: the list is paged (a cursor per page), and an open interaction may be on any of them.
    const items: Interaction[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 50; page += 1) {
      const path = `/agent/interactions?status=open&limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const body = await client().get<{ items: Interaction[]; nextCursor?: string }>(path);
      items.push(...body.items);
      cursor = body.nextCursor;
      if (!cursor) break;
    }
    const fresh = new Map(interactions.value);
    const open = new Set(items.map((i) => i.id));
    for (const item of items) {
      const current = fresh.get(item.id);
      if (!current || current.version <= item.version) fresh.set(item.id, { ...item, preview: current?.preview });
    }
    // What was open here and is no longer in the open list has closed meanwhile.
    for (const [id, current] of fresh)
      if (current.status === 'open' && !open.has(id)) fresh.set(id, { ...current, status: 'closed' });
    interactions.value = fresh;
    waitingCount.value = waiting.value.length;
    if (selectedId.value) await loadConversation(selectedId.value);
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 401)) showError(error);
  }
}

async function refreshInteraction(id: string): Promise<void> {
  try {
    upsert(await client().get<Interaction>(`/agent/interactions/${id}`));
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      const map = new Map(interactions.value);
      map.delete(id);
      interactions.value = map;
    }
  }
}

export async function loadConversation(id: string): Promise<void> {
  const [list, noteList] = await Promise.all([
    client().get<{ items: Message[] }>(`/agent/interactions/${id}/messages`),
    client()
      .get<{ items: Note[] }>(`/agent/interactions/${id}/notes`)
      .catch(() => ({ items: [] as Note[] })),
  ]);
  if (selectedId.value !== id) return;
  batch(() => {
    messages.value = list.items;
    notes.value = noteList.items;
  });
  const last = list.items[list.items.length - 1];
  const current = interactions.value.get(id);
  if (last && current) upsert({ ...current, preview: last.text });
}

export async function select(id: string | undefined): Promise<void> {
  selectedId.value = id;
  messages.value = [];
  notes.value = [];
  if (!id) return;
  await loadConversation(id).catch(showError);
  const current = interactions.value.get(id);
  if (current && current.agentId === me.value?.id && current.unread > 0) {
    await client()
      .post<Interaction>(`/agent/interactions/${id}/read`)
      .then(upsert)
      .catch(() => undefined);
  }
}

export const events = signal<RealtimeEvent[]>([]);

interface LiveListener {
  event?: (event: RealtimeEvent) => void;
  /** Called on every (re)open: a page re-sends its subscriptions (board, spy) here. */
  open?: () => void;
}
const liveListeners = new Set<LiveListener>();

/** A page's listener that throws must not keep the workspace (or the other pages) from the event. */
function guarded(run: () => void): void {
  try {
    run();
  } catch (error) {
    showError(error);
  }
}

/**
 * A page's own use of the socket (the supervisor's board and spy): its listener sees every event, and its `open`
 * runs now if the socket is open and again after each reconnect. Returns the function that removes it.
 */
export function listenLive(listener: LiveListener): () => void {
  liveListeners.add(listener);
  if (socketState.value === 'open') listener.open?.();
  return () => liveListeners.delete(listener);
}

/** Sends a message on the socket (dropped while it is not open: the listener's `open` sends it again). */
export function sendLive(message: unknown): void {
  socket?.send(message);
}

async function onEvent(event: RealtimeEvent): Promise<void> {
  if (event.type === 'pong') return;
  if (event.type === 'presence.changed' && me.value) {
    me.value = {
      ...me.value,
      presence: { status: event.status as PresenceStatus, ...(event.reason ? { reason: String(event.reason) } : {}) },
    };
    return;
  }
  if (event.type === 'queue.waiting' && typeof event.count === 'number') {
    waitingCount.value = event.count;
    return;
  }
  const id = event.interactionId;
  if (!id) return;
  if (event.type === 'interaction.offered' || event.type === 'interaction.transferred') {
    const map = new Map(offerTexts.value);
    map.set(id, {
      interactionId: id,
      text: typeof event.text === 'string' ? event.text : '',
      sound: event.sound === true,
      shake: event.shake === true,
      deadline: (event.routing as { deadline?: string } | undefined)?.deadline,
    });
    offerTexts.value = map;
    alertOffer(map.get(id)!);
  }
  const known = interactions.value.get(id);
  if (event.type.startsWith('message.') && known && typeof event.messageText === 'string')
    upsert({ ...known, preview: event.messageText });
  if (!known || event.version === undefined || event.version >= known.version) await refreshInteraction(id);
  if (
    selectedId.value === id &&
    (event.type.startsWith('message.') || event.type === 'interaction.updated' || event.type === 'note.added')
  )
    await loadConversation(id).catch(() => undefined);
}

/** Sound, shake and a browser notification when the tab is hidden, as the account's settings ask. */
function alertOffer(offer: Offer): void {
  if (offer.sound) beep();
  if (document.hidden && 'Notification' in window && Notification.permission === 'granted') {
    new Notification('New interaction offered', { body: offer.text, tag: offer.interactionId });
  }
}

function beep(): void {
  try {
    const audio = new AudioContext();
    const tone = audio.createOscillator();
    const gain = audio.createGain();
    tone.frequency.value = 880;
    gain.gain.value = 0.08;
    tone.connect(gain).connect(audio.destination);
    tone.start();
    tone.stop(audio.currentTime + 0.25);
  } catch {
    // No audio (a headless browser, or autoplay refused): the offer still shows.
  }
}

const PRESENCE_KEY = 'switchboard.presence';

export async function setPresence(status: PresenceStatus, reason?: string): Promise<void> {
  const presence = await client().put<Me['presence']>('/agent/presence', { status, ...(reason ? { reason } : {}) });
  sessionStorage.setItem(PRESENCE_KEY, JSON.stringify(presence));
  if (me.value) me.value = { ...me.value, presence };
}

/**
 * The engine sets an agent offline when its last socket closes (a reload, a network drop). A console that is
 * connected again restores the presence its agent chose in this tab, so a reload does not silently stop offers.
 */
async function restorePresence(): Promise<void> {
  let wanted: Me['presence'] | undefined;
  try {
    wanted = JSON.parse(sessionStorage.getItem(PRESENCE_KEY) ?? 'null') as Me['presence'] | undefined;
  } catch {
    wanted = undefined;
  }
  if (!wanted || wanted.status === 'offline') return;
  const current = await client()
    .get<Me>('/agent/me')
    .catch(() => undefined);
  if (current?.presence.status === 'offline') await setPresence(wanted.status, wanted.reason).catch(showError);
  else if (current && me.value) me.value = { ...me.value, presence: current.presence };
}

export async function act(id: string, action: string, body?: unknown): Promise<void> {
  const result = await client().post<Interaction | undefined>(`/agent/interactions/${id}/${action}`, body);
  if (result && typeof result === 'object' && 'version' in result) upsert(result);
  else await refreshInteraction(id);
}

export function windowLeftMs(interaction: Interaction, now: number): number | undefined {
  if (interaction.channel !== 'whatsapp') return undefined;
  const closes = interaction.windowExpiresAt
    ? Date.parse(interaction.windowExpiresAt)
    : interaction.lastInboundAt
      ? Date.parse(interaction.lastInboundAt) + 86_400_000
      : -Infinity;
  return closes - now;
}
