/**
 * The console's only door to Switchboard: the public HTTP API (bearer token) and the WebSocket API. A 401 ends the
 * session; the socket reconnects with capped, jittered backoff and reports each (re)open so the app can catch up.
 */

export interface ConsoleConfig {
  /** Base URL of the HTTP API ('' = this origin). */
  apiUrl: string;
  /** WebSocket API URL. */
  wsUrl: string;
}

export interface ApiErrorDetail {
  path: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ApiErrorDetail[] = [],
    readonly body: unknown = undefined,
  ) {
    super(message);
  }
}

const SESSION_KEY = 'switchboard.session';

export interface Session {
  token: string;
  username: string;
}

export function loadSession(): Session | undefined {
  try {
    const raw = sessionStorage.getItem(SESSION_KEY);
    return raw ? (JSON.parse(raw) as Session) : undefined;
  } catch {
    return undefined;
  }
}

export function saveSession(session: Session | undefined): void {
  if (session) sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
  else sessionStorage.removeItem(SESSION_KEY);
}

export async function loadConfig(): Promise<ConsoleConfig> {
  const res = await fetch('config.json', { cache: 'no-store' });
  if (!res.ok) throw new Error(`config.json answered ${res.status}`);
  return (await res.json()) as ConsoleConfig;
}

export class Api {
  constructor(
    private readonly config: ConsoleConfig,
    private token: string | undefined,
    private readonly onUnauthorized: () => void,
  ) {}

  setToken(token: string | undefined): void {
    this.token = token;
  }

  /** The one fetch of every API call: the bearer token, and a JSON body when there is one. */
  private send(method: string, path: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = {};
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    return fetch(`${this.config.apiUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  }

  async request<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.send(method, path, body);
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (res.status === 401 && this.token) this.onUnauthorized();
    if (!res.ok) {
      const error = (parsed as { error?: { code?: string; message?: string; details?: ApiErrorDetail[] } } | undefined)
        ?.error;
      throw new ApiError(
        res.status,
        error?.code ?? `HTTP_${res.status}`,
        error?.message ?? res.statusText,
        error?.details ?? [],
        parsed,
      );
    }
    return parsed as T;
  }

  /** Media needs the bearer token, so it is fetched and shown through an object URL. */
  async blobUrl(path: string): Promise<string> {
    const res = await this.send('GET', path);
    if (!res.ok) throw new ApiError(res.status, `HTTP_${res.status}`, 'media unavailable');
    return URL.createObjectURL(await res.blob());
  }

  /**
   * A file the API answers (a CSV, a zip), fetched with the bearer token as a blob with the name its
   * content-disposition gives; a JSON answer instead (an export job's 202) comes back as `json`.
   */
  async file(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; blob?: Blob; filename?: string; json?: unknown }> {
    const res = await this.send(method, path, body);
    if (res.status === 401 && this.token) this.onUnauthorized();
    const type = res.headers.get('content-type') ?? '';
    if (!res.ok || type.includes('json')) {
      const parsed = (await res.json().catch(() => undefined)) as
        { error?: { code?: string; message?: string; details?: ApiErrorDetail[] } } | undefined;
      if (res.ok) return { status: res.status, json: parsed };
      const error = parsed?.error;
      throw new ApiError(
        res.status,
        error?.code ?? `HTTP_${res.status}`,
        error?.message ?? res.statusText,
        error?.details ?? [],
        parsed,
      );
    }
    const filename = /filename="?([^";]+)"?/.exec(res.headers.get('content-disposition') ?? '')?.[1];
    return { status: res.status, blob: await res.blob(), filename };
  }

  get = <T = unknown>(path: string) => this.request<T>('GET', path);
  del = <T = unknown>(path: string) => this.request<T>('DELETE', path);
  post = <T = unknown>(path: string, body?: unknown) => this.request<T>('POST', path, body ?? {});
  put = <T = unknown>(path: string, body: unknown) => this.request<T>('PUT', path, body);
  patch = <T = unknown>(path: string, body: unknown) => this.request<T>('PATCH', path, body);

  /** Saves what a GET answers (a CSV export) as a file: the bearer token rules out a plain link. */
  async download(path: string, fallbackName: string): Promise<void> {
    const { blob, filename } = await this.file('GET', path);
    if (!blob) return;
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = filename ?? fallbackName;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  }
}

export interface RealtimeEvent {
  type: string;
  accountId?: string;
  interactionId?: string;
  version?: number;
  [field: string]: unknown;
}

export type SocketState = 'connecting' | 'open' | 'closed';

/**
 * A WebSocket that stays connected: on a close it retries after 0.5 s, 1 s, 2 s ... up to 15 s (with jitter), and
 * calls `onOpen` after every successful open so the app can catch up on what it missed.
 */
export class LiveSocket {
  private socket: WebSocket | undefined;
  private attempt = 0;
  private stopped = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private pinger: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly url: string,
    private readonly handlers: {
      onEvent: (event: RealtimeEvent) => void;
      onState: (state: SocketState) => void;
      onOpen: (reconnected: boolean) => void;
    },
  ) {}

  start(): void {
    this.stopped = false;
    this.connect(false);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.pinger);
    this.socket?.close();
    this.socket = undefined;
  }

  send(message: unknown): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  private connect(reconnect: boolean): void {
    this.handlers.onState('connecting');
    const socket = new WebSocket(this.url);
    this.socket = socket;
    socket.onopen = () => {
      this.attempt = 0;
      this.handlers.onState('open');
      this.handlers.onOpen(reconnect);
      // API Gateway closes a connection idle for 10 minutes.
      clearInterval(this.pinger);
      this.pinger = setInterval(() => this.send({ action: 'ping' }), 5 * 60_000);
    };
    socket.onmessage = (message) => {
      try {
        this.handlers.onEvent(JSON.parse(String(message.data)) as RealtimeEvent);
      } catch {
        // Not JSON: not an event of ours.
      }
    };
    socket.onclose = () => {
      clearInterval(this.pinger);
      if (this.socket !== socket) return;
      this.handlers.onState('closed');
      if (this.stopped) return;
      const delay = Math.min(15_000, 500 * 2 ** this.attempt) * (0.5 + Math.random() / 2);
      this.attempt += 1;
      this.timer = setTimeout(() => this.connect(true), delay);
    };
  }
}
