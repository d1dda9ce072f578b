/**
 * The response bodies of the HTTP API as JSON Schema (2020-12, as OpenAPI 3.1 takes it): what a client can rely on.
 * Each names the fields every answer carries (`required`) and leaves room for more (`additionalProperties` is open), so
 * a field added to a view is not a breaking change. Credentials, password hashes and token versions never appear:
 * the schemas that could carry them forbid them (`not required`). test/e2e/openapi-responses.test.ts validates real
 * answers of the local engine against these.
 */
type JsonSchema = Record<string, unknown>;

const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });
const str: JsonSchema = { type: 'string' };
const id: JsonSchema = { type: 'string', pattern: '^[0-9A-HJKMNP-TV-Z]{26}$', description: 'a ULID' };
const time: JsonSchema = { type: 'string', format: 'date-time' };
const int: JsonSchema = { type: 'integer' };
const bool: JsonSchema = { type: 'boolean' };
const strings: JsonSchema = { type: 'array', items: str };
const obj = (required: string[], properties: Record<string, JsonSchema>, extra: JsonSchema = {}): JsonSchema => ({ type: 'object', required, properties, ...extra });
const never = (...fields: string[]): JsonSchema => ({ not: { anyOf: fields.map((f) => ({ required: [f] })) } });

/** `{ items, nextCursor }`: a page; `nextCursor` only while more follow. */
export const pageOf = (item: JsonSchema): JsonSchema => obj(['items'], { items: { type: 'array', items: item }, nextCursor: { type: 'string', description: 'pass as `cursor` for the next page' } });

const channel: JsonSchema = { type: 'string', enum: ['sms', 'whatsapp'] };
const capacity = obj(['sms', 'whatsapp'], { sms: int, whatsapp: int });

export const RESPONSE_BODIES: Record<string, JsonSchema> = {
  Health: obj(['status'], { status: { enum: ['ok', 'degraded', 'starting'] }, store: obj([], { status: str, latencyMs: int }), bootstrap: str }),
  Token: obj(['token', 'tokenType', 'expiresIn', 'user'], {
    token: { type: 'string', description: 'the bearer token (HS256 JWT)' },
    tokenType: { const: 'Bearer' },
    expiresIn: { type: 'integer', description: 'seconds' },
    user: obj(['id', 'username', 'role'], { id, username: str, role: { enum: ['admin', 'supervisor', 'agent'] } }),
  }),
  Agent: {
    ...obj(['id', 'username', 'fullName', 'role', 'capacity', 'passwordSet'], {
      id,
      username: str,
      fullName: str,
      role: { enum: ['admin', 'supervisor', 'agent'] },
      extension: str,
      disabled: bool,
      locked: bool,
      capacity,
      passwordSet: { type: 'boolean', description: 'whether a password is set (the password itself is write-only)' },
      createdAt: time,
      updatedAt: time,
    }),
    allOf: [never('password', 'passwordHash', 'tokenVersion', 'inviteId')],
  },
  Me: {
    allOf: [ref('Agent'), obj(['accountIds'], { accountIds: { type: 'array', items: id }, presence: { oneOf: [ref('PresenceState'), { type: 'null' }] } })],
  },
  PresenceState: {
    ...obj(['agentId', 'status'], { agentId: id, status: { enum: ['online', 'paused', 'offline'] }, reason: str, since: time, capacity }),
    allOf: [never('pk', 'sk')],
  },
  InvitationLink: obj(['url', 'token', 'expiresIn'], { url: str, token: str, expiresIn: int }),
  InvitationResults: obj(['results'], {
    results: {
      type: 'array',
      items: {
        oneOf: [
          obj(['id', 'sent', 'to'], { id: str, sent: { type: 'boolean', const: true }, to: str }),
          obj(['id', 'sent', 'reason', 'url', 'expiresIn'], {
            id: str,
            sent: { type: 'boolean', const: false },
            reason: { type: 'string', enum: ['mail-not-configured', 'no-email', 'mail-failed'] },
            url: str,
            expiresIn: int,
          }),
        ],
      },
    },
  }),
  Account: {
    ...obj(['id', 'channel', 'name', 'key', 'type', 'phone', 'listId', 'credentials', 'settings'], {
      id,
      channel,
      name: str,
      key: str,
      type: str,
      phone: str,
      listId: str,
      domain: str,
      description: str,
      credentials: obj(['set'], { set: { ...strings, description: 'the names of the credential fields that are set; their values are write-only' } }),
      allowUnauthenticatedWebhooks: bool,
      webhookAuthentication: str,
      settings: { type: 'object' },
      proxyToken: { type: 'string', description: 'admins only' },
      receiveUrl: { type: 'string', description: 'admins only: the URL to give the provider' },
      statusUrl: { type: 'string', description: 'admins only' },
      createdAt: time,
      updatedAt: time,
    }),
    allOf: [never('credentialsBlob', 'credentialFields')],
  },
  Queue: obj(['id', 'name', 'strategy', 'offerTimeoutSeconds'], { id, name: str, strategy: { enum: ['ring-all', 'round-robin', 'least-recent', 'fewest-handled'] }, description: str, offerTimeoutSeconds: int, reofferDeclined: bool, createdAt: time }),
  List: obj(['id', 'name'], { id, name: str, description: str, createdAt: time }),
  Contact: obj(['id', 'listId', 'phone'], { id, listId: id, phone: str, firstName: str, lastName: str, email: str, createdAt: time }),
  Team: obj(['id', 'name'], { id, name: str, description: str, createdAt: time }),
  CatalogItem: obj(['id', 'name'], { id, name: str, description: str, text: str, shortcut: str, accountId: id, createdAt: time }),
  Interaction: obj(['id', 'accountId', 'channel', 'contactPhone', 'status', 'createdAt', 'version'], {
    id,
    accountId: id,
    channel,
    contactPhone: str,
    status: { enum: ['open', 'closed'] },
    agentId: id,
    queueId: id,
    tags: strings,
    unread: int,
    messageCount: int,
    disposition: str,
    createdAt: time,
    updatedAt: time,
    closedAt: time,
    lastInboundAt: time,
    version: { type: 'integer', description: 'raised by every change; WebSocket events carry it' },
    routing: { type: 'object', description: 'the routing state: phase (offered, waiting, assigned, unassigned), step, offeredTo, queueId, deadline' },
  }),
  InteractionNote: obj(['id', 'interactionId', 'text', 'createdAt'], { id, interactionId: id, text: str, authorId: id, authorUsername: str, createdAt: time }),
  WaitingLine: obj(['queueId', 'total', 'items'], {
    queueId: id,
    total: int,
    items: {
      type: 'array',
      items: obj(['position', 'interactionId', 'contact', 'accountId', 'channel', 'enteredAt', 'waitedSeconds', 'offered'], {
        position: int,
        interactionId: id,
        contact: str,
        accountId: id,
        channel,
        enteredAt: time,
        waitedSeconds: int,
        offered: bool,
      }),
    },
  }),
  Board: obj(['accounts', 'queues', 'agents'], { accounts: { type: 'array' }, queues: { type: 'array' }, agents: { type: 'array' } }),
  WorkspaceAccount: {
    ...obj(['id', 'name', 'key', 'channel', 'type', 'settings'], { id, name: str, key: str, channel, type: str, settings: { type: 'object' } }),
    allOf: [never('credentials', 'proxyToken', 'receiveUrl')],
  },
  Directory: obj([], { queues: { type: 'array' }, agents: { type: 'array' } }),
  WhatsAppTemplate: obj(['id', 'accountId', 'name', 'language', 'status'], { id, accountId: id, name: str, language: str, category: str, status: str, reason: str }),
  Campaign: obj(['id', 'name', 'accountId', 'status'], {
    id,
    name: str,
    accountId: id,
    templateId: id,
    status: str,
    counts: { type: 'object' },
    slowedDownAt: { type: 'string', format: 'date-time', description: 'when the provider last asked to slow down (HTTP 429, Meta 130429): the pace halved then, and recovers' },
    resumedAt: { type: 'string', format: 'date-time' },
  }),
  Recipient: obj(['phone', 'status'], { phone: str, status: str, skipReason: str, errorCode: str }),
  ExportJobStatus: obj(['id', 'status'], { id, kind: str, status: str, download: obj(['url'], { url: str, expiresAt: time }) }),
  AuditRow: obj(['id', 'at', 'action', 'outcome'], { id, at: time, actorId: str, actorUsername: str, actorRole: str, action: str, targetType: str, targetIds: strings, outcome: str, details: { type: 'object' } }),
  Deleted: obj(['deleted'], { deleted: { type: ['integer', 'array'], description: 'what was deleted: a count or the ids' }, ids: strings }),
  AgentIds: obj(['agentIds'], { agentIds: { type: 'array', items: id } }),
  QueueIds: obj(['queueIds'], { queueIds: { type: 'array', items: id } }),
  AccountIds: obj(['accountIds'], { accountIds: { type: 'array', items: id } }),
  WhitelistSettings: obj(['enabled', 'listIds'], { enabled: bool, listIds: strings, autoReply: str }),
  VideoCall: obj([], { url: str, messageId: str }),
  OutboundMessage: obj(['id', 'interactionId', 'accountId', 'direction', 'kind', 'status', 'createdAt'], {
    id: str,
    interactionId: id,
    accountId: id,
    direction: { const: 'out' },
    kind: { type: 'string', description: 'reply, template, canned, video, autoreply or campaign' },
    to: str,
    text: str,
    media: { type: 'array' },
    parts: { type: 'array' },
    agentId: id,
    status: { type: 'string', description: 'pending until the sender calls the provider; then sending, sent, delivered, read, failed or unconfirmed' },
    attempts: int,
    createdAt: time,
  }),
  Object: { type: 'object' },
};
