/**
 * The AsyncAPI 3.0 document of the WebSocket API (GET /asyncapi.json): what a client sends (actions) and what the
 * engine pushes (events), each with its payload schema (JSON Schema 2020-12) and an example. The event types are
 * RealtimeEventType (shared/realtime/notify.ts) plus the answers of the $default route (pong, subscribed, spy.*,
 * error); test/e2e/openapi-responses.test.ts validates real events against these payloads.
 */
import type { RealtimeEventType } from '../realtime/notify';

type JsonSchema = Record<string, unknown>;

const id: JsonSchema = { type: 'string', pattern: '^[0-9A-HJKMNP-TV-Z]{26}$' };
const str: JsonSchema = { type: 'string' };
const int: JsonSchema = { type: 'integer' };
const bool: JsonSchema = { type: 'boolean' };
const time: JsonSchema = { type: 'string', format: 'date-time' };

/** What every event of an interaction carries: drop one whose version is older than one already seen. */
const interactionEvent = (type: string, properties: Record<string, JsonSchema> = {}, required: string[] = []): JsonSchema => ({
  type: 'object',
  required: ['type', 'accountId', 'interactionId', ...required],
  properties: {
    type: { const: type },
    accountId: id,
    interactionId: id,
    version: { type: 'integer', description: "the interaction's version after the change" },
    sentAt: time,
    spy: { type: 'boolean', description: 'true when received by spying on the interaction' },
    ...properties,
  },
});

const messageFields = { messageId: str, agentId: id, status: str };

interface EventDoc {
  summary: string;
  payload: JsonSchema;
  example: Record<string, unknown>;
}

const EX = { accountId: '01JB7ZQ5M8RS3Y1X9V2K4T6W0A', interactionId: '01JB7ZR2D5N8QF0H3G6J9K2M4P', agentId: '01JB7ZP3C4B5N6M7Q8R9S0T1V2' };

const EVENTS: Record<RealtimeEventType | 'pong' | 'subscribed' | 'spy.started' | 'spy.stopped' | 'error', EventDoc> = {
  'interaction.offered': {
    summary: "An interaction offered to this agent: Accept or Reject before `routing.deadline`; `text` is the account's rendered notification",
    payload: interactionEvent('interaction.offered', { channel: str, contactPhone: str, text: str, sound: bool, shake: bool, routing: { type: 'object' }, queueId: id }, ['version']),
    example: { type: 'interaction.offered', ...EX, version: 2, channel: 'sms', contactPhone: '+393331234567', text: 'Account: Support\nQueue: Support\nFrom: +393331234567', sound: true, shake: false },
  },
  'interaction.assigned': { summary: 'The interaction was assigned (accepted)', payload: interactionEvent('interaction.assigned', { agentId: id }), example: { type: 'interaction.assigned', ...EX, version: 3 } },
  'interaction.transferred': { summary: 'The interaction was transferred to a queue or an agent', payload: interactionEvent('interaction.transferred', { agentId: id, queueId: id }), example: { type: 'interaction.transferred', ...EX, version: 4 } },
  'interaction.returned': { summary: 'A transfer nobody accepted came back to its sender, unread', payload: interactionEvent('interaction.returned', { agentId: id }), example: { type: 'interaction.returned', ...EX, version: 5 } },
  'interaction.closed': { summary: 'The interaction closed (by an agent, for inactivity, or at the end of a WhatsApp session)', payload: interactionEvent('interaction.closed', { disposition: str }), example: { type: 'interaction.closed', ...EX, version: 6, disposition: 'Solved' } },
  'interaction.updated': { summary: 'Tags, read state or routing changed', payload: interactionEvent('interaction.updated'), example: { type: 'interaction.updated', ...EX, version: 3 } },
  'interaction.taken-over': { summary: 'A supervisor or admin took the interaction over', payload: interactionEvent('interaction.taken-over', { agentId: id, previousAgentId: id }), example: { type: 'interaction.taken-over', ...EX, version: 4 } },
  'message.received': { summary: 'A customer message; `messageParts` are its typed content parts', payload: interactionEvent('message.received', { messageId: str, text: str, messageParts: { type: 'array' } }), example: { type: 'message.received', ...EX, version: 2, messageId: '01JB7ZS0000000000000000000', text: 'hello' } },
  'message.sent': { summary: 'The provider accepted an outbound message', payload: interactionEvent('message.sent', { ...messageFields, providerMessageId: str }, ['messageId']), example: { type: 'message.sent', ...EX, messageId: '01JB7ZT0000000000000000000', status: 'sent', providerMessageId: 'SM0123' } },
  'message.status': { summary: 'A delivery status from the provider (delivered, read, failed)', payload: interactionEvent('message.status', { ...messageFields, providerMessageId: str, errorCode: str }, ['messageId']), example: { type: 'message.status', ...EX, messageId: '01JB7ZT0000000000000000000', status: 'delivered' } },
  'message.retrying': {
    summary: "The first attempt to send failed (provider unreachable, 429 or 5xx): it will be retried up to maxAttempts; message.sent or message.failed follows",
    payload: interactionEvent('message.retrying', { ...messageFields, code: str, detail: str, attempt: int, maxAttempts: int, retryInSeconds: int }, ['messageId', 'code', 'attempt']),
    example: { type: 'message.retrying', ...EX, messageId: '01JB7ZT0000000000000000000', status: 'pending', code: 'PROVIDER_UNAVAILABLE', detail: 'the provider could not be reached: ECONNREFUSED', attempt: 1, maxAttempts: 6, retryInSeconds: 2 },
  },
  'message.failed': { summary: 'An outbound message failed for good, with the error vocabulary code', payload: interactionEvent('message.failed', { ...messageFields, code: str, detail: str }, ['messageId', 'code']), example: { type: 'message.failed', ...EX, messageId: '01JB7ZT0000000000000000000', status: 'failed', code: 'INVALID_NUMBER', detail: 'HTTP 400 21211' } },
  'message.translated': {
    summary: "A message's translation, stored beside its original (on demand or the account's automatic translation)",
    payload: interactionEvent(
      'message.translated',
      {
        messageId: id,
        messageText: str,
        translation: { type: 'object', required: ['text', 'sourceLanguage', 'targetLanguage', 'provider'], properties: { text: str, sourceLanguage: str, targetLanguage: str, provider: { enum: ['aws', 'google'] }, at: time, agentId: id } },
      },
      ['messageId', 'translation'],
    ),
    example: { type: 'message.translated', ...EX, messageId: '01JB7ZS0000000000000000000', messageText: 'Ciao, dove è il mio ordine?', translation: { text: 'Hello, where is my order?', sourceLanguage: 'it', targetLanguage: 'en', provider: 'aws', at: '2026-12-01T10:00:00.000Z' } },
  },
  'message.translation-failed': {
    summary: 'The automatic translation of a message failed: it was delivered untranslated',
    payload: interactionEvent('message.translation-failed', { messageId: id, provider: { enum: ['aws', 'google'] }, reason: str }, ['messageId', 'provider']),
    example: { type: 'message.translation-failed', ...EX, messageId: '01JB7ZS0000000000000000000', provider: 'google', reason: 'google translation failed: HTTP 503' },
  },
  'presence.changed': {
    summary: "This agent's presence changed (from any of its connections)",
    payload: { type: 'object', required: ['type', 'status'], properties: { type: { const: 'presence.changed' }, accountId: str, status: { enum: ['online', 'paused', 'offline'] }, reason: str, sentAt: time } },
    example: { type: 'presence.changed', accountId: '', status: 'online' },
  },
  'template.status': { summary: "A WhatsApp template's status or quality changed (admins and supervisors)", payload: { type: 'object', required: ['type'], properties: { type: { const: 'template.status' }, accountId: id, templateId: id, name: str, language: str, status: str, reason: str, quality: str, recontact: { type: 'boolean', description: "the account's recontact template: agents cannot send it unless APPROVED" } } }, example: { type: 'template.status', accountId: EX.accountId, templateId: '01JB7ZV0000000000000000000', status: 'APPROVED' } },
  'campaign.paused': { summary: 'A campaign paused itself (its template stopped being sendable, or Meta restricted the number)', payload: { type: 'object', required: ['type'], properties: { type: { const: 'campaign.paused' }, accountId: id, campaignId: id, reason: str } }, example: { type: 'campaign.paused', accountId: EX.accountId, campaignId: '01JB7ZW0000000000000000000', reason: 'template PAUSED' } },
  'campaign.completed': { summary: 'A campaign sent to every recipient', payload: { type: 'object', required: ['type'], properties: { type: { const: 'campaign.completed' }, accountId: id, campaignId: id } }, example: { type: 'campaign.completed', accountId: EX.accountId, campaignId: '01JB7ZW0000000000000000000' } },
  'note.added': { summary: 'An internal note on an interaction (never sent to the customer)', payload: interactionEvent('note.added', { note: { type: 'object' } }), example: { type: 'note.added', ...EX, note: { text: 'VIP customer' } } },
  'board.updated': { summary: 'The supervisor board (the body of GET /supervisor/board), at most once a second while it changes', payload: { type: 'object', required: ['type', 'board'], properties: { type: { const: 'board.updated' }, accountId: str, board: { type: 'object' }, sentAt: time } }, example: { type: 'board.updated', accountId: '', board: { accounts: [], queues: [], agents: [] } } },
  'queue.waiting': {
    summary: "The waiting counts of this agent's queues changed (its own accounts' interactions only)",
    payload: { type: 'object', required: ['type', 'queues'], properties: { type: { const: 'queue.waiting' }, accountId: str, queues: { type: 'array', items: { type: 'object', required: ['queueId', 'waiting', 'offered'], properties: { queueId: id, name: str, waiting: int, offered: int } } }, sentAt: time } },
    example: { type: 'queue.waiting', queues: [{ queueId: '01JB7ZX0000000000000000000', name: 'Support', waiting: 2, offered: 1 }] },
  },
  pong: { summary: 'The answer to ping', payload: { type: 'object', required: ['type'], properties: { type: { const: 'pong' }, at: int } }, example: { type: 'pong', at: 1764633600000 } },
  subscribed: {
    summary: "The answer to subscribe and unsubscribe (accounts): what the connection now watches, effective within a second",
    payload: { type: 'object', required: ['type', 'all', 'accountIds'], properties: { type: { const: 'subscribed' }, all: bool, accountIds: { type: 'array', items: str }, effectiveWithinMs: int } },
    example: { type: 'subscribed', all: true, accountIds: [], effectiveWithinMs: 1000 },
  },
  'spy.started': {
    summary: 'Spying began: a snapshot of the interaction, its messages and notes; its events follow, marked spy: true',
    payload: interactionEvent('spy.started', { interaction: { type: 'object' }, messages: { type: 'array' }, notes: { type: 'array' } }, ['interaction', 'messages', 'notes']),
    example: { type: 'spy.started', ...EX, version: 3, interaction: {}, messages: [], notes: [] },
  },
  'spy.stopped': { summary: 'The answer to unspy', payload: { type: 'object', required: ['type', 'interactionId'], properties: { type: { const: 'spy.stopped' }, interactionId: id } }, example: { type: 'spy.stopped', interactionId: EX.interactionId } },
  error: {
    summary: 'An action was refused: FORBIDDEN (agents may not subscribe or spy), NOT_FOUND, VALIDATION_FAILED with details',
    payload: { type: 'object', required: ['type', 'code', 'message'], properties: { type: { const: 'error' }, action: str, code: str, message: str, interactionId: str, details: { type: 'array', items: { type: 'object', required: ['path', 'message'], properties: { path: str, message: str } } } } },
    example: { type: 'error', code: 'FORBIDDEN', message: 'only supervisors and admins subscribe to accounts' },
  },
};

const ACTIONS: Record<string, EventDoc> = {
  ping: { summary: 'Keeps the connection alive; answered by pong', payload: { type: 'object', required: ['action'], properties: { action: { const: 'ping' } } }, example: { action: 'ping' } },
  subscribe: {
    summary: "Supervisors and admins: watch accounts' events (accountIds, or 'all' / none for every account), or topic 'board' for board.updated; answered by subscribed (agents: error FORBIDDEN)",
    payload: { type: 'object', required: ['action'], properties: { action: { const: 'subscribe' }, accountIds: { oneOf: [{ type: 'array', items: id }, { const: 'all' }] }, topic: { const: 'board' } } },
    example: { action: 'subscribe', accountIds: [EX.accountId] },
  },
  unsubscribe: { summary: "Stop watching accounts (or topic 'board')", payload: { type: 'object', required: ['action'], properties: { action: { const: 'unsubscribe' }, topic: { const: 'board' } } }, example: { action: 'unsubscribe' } },
  spy: { summary: 'Supervisors and admins: follow one interaction live, read-only (audited); answered by spy.started', payload: { type: 'object', required: ['action', 'interactionId'], properties: { action: { const: 'spy' }, interactionId: id } }, example: { action: 'spy', interactionId: EX.interactionId } },
  unspy: { summary: 'Stop spying; answered by spy.stopped', payload: { type: 'object', required: ['action', 'interactionId'], properties: { action: { const: 'unspy' }, interactionId: id } }, example: { action: 'unspy', interactionId: EX.interactionId } },
};

function server(wsUrl: string): Record<string, unknown> {
  const url = new URL(wsUrl);
  return {
    host: url.host,
    protocol: url.protocol.replace(':', ''),
    ...(url.pathname && url.pathname !== '/' ? { pathname: url.pathname } : {}),
    description: 'The WebSocket API (the engine prints its URL; the cloud stack outputs WebSocketUrl)',
  };
}

const messageName = (type: string) => type.replace(/[^A-Za-z0-9]+(\w)/g, (_, c: string) => c.toUpperCase());

/** The event types documented: every RealtimeEventType and the $default route's answers. */
export const DOCUMENTED_EVENTS = Object.keys(EVENTS);

export function asyncApiDocument(info: { version?: string; wsUrl?: string } = {}) {
  const messages: Record<string, unknown> = {};
  for (const [type, doc] of [...Object.entries(EVENTS), ...Object.entries(ACTIONS)]) {
    messages[messageName(type)] = { name: type, title: type, summary: doc.summary, contentType: 'application/json', payload: doc.payload, examples: [{ payload: doc.example }] };
  }
  const refs = (names: string[]) => names.map((n) => ({ $ref: `#/channels/agent/messages/${messageName(n)}` }));
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Switchboard WebSocket API',
      version: info.version ?? '0.1.0',
      description:
        'The WebSocket API is at the URL the engine prints (ws://127.0.0.1:3001 by default) or the WebSocketUrl output of the cloud stack. Agents, supervisors and admins connect with ?token=<bearer token from POST /auth/login>. Events are JSON objects with a type; those of an interaction carry accountId, interactionId and its version: keep the highest version seen per interaction and drop older events. After a reconnect, read GET /agent/interactions?status=open (every page) and merge by version. A connection that sends nothing for 10 minutes is closed by API Gateway: send ping.',
    },
    ...(info.wsUrl ? { servers: { api: server(info.wsUrl) } } : {}),
    channels: {
      agent: {
        address: '/',
        title: 'The connection of one signed-in user',
        parameters: {},
        bindings: { ws: { query: { type: 'object', required: ['token'], properties: { token: { type: 'string', description: 'the bearer token; a bad or revoked one is refused with 401' } } } } },
        messages,
      },
    },
    operations: {
      receiveEvents: { action: 'receive', channel: { $ref: '#/channels/agent' }, summary: 'What the engine pushes', messages: refs(Object.keys(EVENTS)) },
      sendActions: { action: 'send', channel: { $ref: '#/channels/agent' }, summary: 'What a client sends', messages: refs(Object.keys(ACTIONS)) },
    },
    components: { schemas: Object.fromEntries(Object.entries(EVENTS).map(([type, doc]) => [messageName(type), doc.payload])) },
  };
}
