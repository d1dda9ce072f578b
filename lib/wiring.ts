/**
 * The one source of truth for how Switchboard is wired: the table, the queues, the functions (and what each may
 * touch), the HTTP routes and the WebSocket routes. The CDK stacks and the local engine both read this module,
 * so the two hosts cannot drift apart. Adding a capability means adding a function and its routes here.
 */

export const table = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** gsi1: listings and inverse relations (by parent); gsi2: look-ups by a second key (by agent, by due time). */
  indexes: [
    { name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    { name: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
  ],
  ttlAttribute: 'expiresAt',
} as const;

export type QueueName = 'inbound' | 'outbound' | 'timers' | 'exports';

export interface QueueSpec {
  fifo: boolean;
  visibilityTimeoutSeconds: number;
  /** Receives before a message goes to the dead-letter queue. */
  maxReceiveCount: number;
  /** Messages per consumer invocation. */
  batchSize: number;
  /** How long the DLQ keeps what failed for good. */
  dlqRetentionDays: number;
}

export const queues: Record<QueueName, QueueSpec> = {
  /** FIFO, grouped by account#contact, deduplicated by the provider's message id. */
  inbound: { fifo: true, visibilityTimeoutSeconds: 60, maxReceiveCount: 5, batchSize: 10, dlqRetentionDays: 14 },
  /** Standard: agents' replies; retries with backoff are re-sends with DelaySeconds. */
  outbound: { fifo: false, visibilityTimeoutSeconds: 60, maxReceiveCount: 5, batchSize: 5, dlqRetentionDays: 14 },
  /** Standard: timers due within the SQS threshold, as messages with DelaySeconds. */
  timers: { fifo: false, visibilityTimeoutSeconds: 30, maxReceiveCount: 5, batchSize: 10, dlqRetentionDays: 14 },
  /** Standard: export jobs (large CSVs, transcript zips); one per invocation, longer than the exporter may run. */
  exports: { fifo: false, visibilityTimeoutSeconds: 960, maxReceiveCount: 10, batchSize: 1, dlqRetentionDays: 14 },
};

/** What a function may touch. Grants in the cloud and nothing else come from this. */
export interface Access {
  table?: 'RO' | 'RW';
  /** Queues the function sends to. */
  sendTo?: QueueName[];
  /** Dead-letter queues the function sends to directly (a final failure, with its reason). */
  sendToDeadLetter?: QueueName[];
  /** Creates and updates Scheduler schedules in the group (passes the Scheduler role). */
  scheduler?: boolean;
  /** Posts to WebSocket connections through the management API. */
  websocket?: boolean;
  /** Reads the token-signing secret. */
  tokenSecret?: boolean;
  /** Uses the credentials key: encrypt when admins write credentials, decrypt when a function uses them. */
  credentials?: 'encrypt' | 'decrypt' | 'both';
  /** The exports bucket (blob port): `RW` writes files and signs links, `RO` signs links only. */
  blobs?: 'RO' | 'RW';
  /** Calls Amazon Translate (translate:TranslateText, and the language detection it uses with source `auto`). */
  translate?: boolean;
  /** Sends mail through Amazon SES (ses:SendEmail from the stage's `mailFrom` identity only). */
  mail?: boolean;
  /** Calls the assistant's Bedrock model (bedrock:InvokeModel on BEDROCK_MODEL_ID only) through the Converse API. */
  generative?: boolean;
}

export interface FunctionSpec {
  /** Path of the handler file from the project root; the export is always `handler`. */
  entry: string;
  memoryMb: number;
  timeoutSeconds: number;
  access: Access;
  /** A queue this function consumes (an SQS event source with partial batch responses). */
  consumes?: QueueName;
  /** EventBridge Scheduler invokes it with a timer event. */
  schedulerTarget?: boolean;
  /** Runs on its own every so many minutes: an EventBridge rule in the cloud, the engine's interval locally. */
  everyMinutes?: number;
  /**
   * The most its minified bundle may weigh, as a multiple of its floor: a bundle of only the AWS SDK clients its
   * `access` grants (lib/cloud/bundles.ts; DEFAULT_BUNDLE_BUDGET, 1.25, when unset). test/infra/bundles.test.ts fails a
   * bundle over it; the bench's phase z prints each bundle's size and load time beside its floor's.
   */
  bundleBudget?: number;
  /** For a function that calls no AWS service (its floor is an empty handler): a cap in KB instead of a ratio. */
  bundleBudgetKb?: number;
  /**
   * Files the handler reads beside itself (`join(__dirname, name)`), from the project root: the cloud copies each next
   * to the bundle; locally the handler runs from its source, where they already sit.
   */
  files?: string[];
  description: string;
}

export const functions = {
  health: {
    entry: 'functions/health.ts',
    memoryMb: 256,
    timeoutSeconds: 5,
    access: { table: 'RO' },
    description: 'GET /health: the engine and the store answer',
  },
  'ws-connect': {
    entry: 'functions/ws-connect.ts',
    memoryMb: 256,
    timeoutSeconds: 10,
    access: { table: 'RW', tokenSecret: true },
    description: 'WebSocket $connect: checks the token and stores the connection',
  },
  'ws-disconnect': {
    entry: 'functions/ws-disconnect.ts',
    memoryMb: 256,
    timeoutSeconds: 10,
    access: { table: 'RW' },
    description: 'WebSocket $disconnect: removes the connection; the last one sets the agent offline',
  },
  'ws-default': {
    entry: 'functions/ws-default.ts',
    memoryMb: 256,
    timeoutSeconds: 10,
    access: { table: 'RW', websocket: true },
    description: 'WebSocket $default: pings, supervisors subscribing to accounts and to the board, spying',
  },
  auth: {
    entry: 'functions/auth.ts',
    memoryMb: 512,
    timeoutSeconds: 10,
    // websocket: a redeemed invitation sets a new password, which closes the user's sockets.
    access: { table: 'RW', tokenSecret: true, websocket: true },
    description: 'Login and invitation redemption; memory for the scrypt password hash',
  },
  'admin-agents': {
    entry: 'functions/admin-agents.ts',
    memoryMb: 512,
    timeoutSeconds: 15,
    // websocket: revoking a user (password, disable, lock, role, delete) closes its sockets; a raised capacity offers
    // waiting interactions at once (it tells the agent and arms the offer's timer). mail: invitations by mail.
    access: { table: 'RW', tokenSecret: true, websocket: true, sendTo: ['timers'], scheduler: true, mail: true },
    description: 'Admin API: agents, invitations, memberships',
  },
  'admin-accounts': {
    entry: 'functions/admin-accounts.ts',
    memoryMb: 512,
    timeoutSeconds: 15,
    // websocket: removing an agent from an account closes the agent's sockets.
    access: { table: 'RW', tokenSecret: true, credentials: 'both', websocket: true },
    bundleBudget: 1.70,
    description: 'Admin API: SMS and WhatsApp accounts with write-only, encrypted credentials',
  },
  'admin-queues': {
    entry: 'functions/admin-queues.ts',
    memoryMb: 512,
    timeoutSeconds: 15,
    // A new member is offered what waits in the queue at once: it tells the agent and arms the offer's timer.
    access: { table: 'RW', tokenSecret: true, websocket: true, sendTo: ['timers'], scheduler: true },
    description: 'Admin API: queues, their strategy and member agents',
  },
  'admin-lists': {
    entry: 'functions/admin-lists.ts',
    memoryMb: 512,
    timeoutSeconds: 15,
    // Erasing a contact deletes its interactions, whose timers it cancels.
    access: { table: 'RW', tokenSecret: true, scheduler: true },
    bundleBudget: 1.30,
    description: 'Admin API: contact lists and their contacts',
  },
  'admin-catalog': {
    entry: 'functions/admin-catalog.ts',
    memoryMb: 512,
    timeoutSeconds: 15,
    access: { table: 'RW', tokenSecret: true },
    description: "Admin API: dispositions and canned answers, general and per account; the assistant's documents per account",
  },
  'admin-audit': {
    entry: 'functions/admin-audit.ts',
    memoryMb: 512,
    timeoutSeconds: 15,
    access: { table: 'RO', tokenSecret: true },
    description: 'Admin API: the audit log of admin and supervisor actions, with filters',
  },
  'admin-teams': {
    entry: 'functions/admin-teams.ts',
    memoryMb: 512,
    timeoutSeconds: 15,
    access: { table: 'RW', tokenSecret: true },
    description: 'Admin API: teams of agents and their members',
  },
  'admin-interactions': {
    entry: 'functions/admin-interactions.ts',
    memoryMb: 1024,
    timeoutSeconds: 29,
    // Transcripts fetch attachments with the account's credentials; deletes cancel timers; notes notify agents.
    access: { table: 'RW', tokenSecret: true, websocket: true, sendTo: ['exports', 'timers'], scheduler: true, credentials: 'decrypt' },
    bundleBudget: 1.50,
    description: 'Supervision API: interaction lists, advanced search, CSV export, transcripts, notes and delete',
  },
  'admin-exports': {
    entry: 'functions/admin-exports.ts',
    memoryMb: 512,
    timeoutSeconds: 15,
    access: { table: 'RW', tokenSecret: true, sendTo: ['exports'], blobs: 'RO' },
    description: 'Export jobs: start one, read its status and expiring download link',
  },
  'export-download': {
    entry: 'functions/export-download.ts',
    memoryMb: 512,
    timeoutSeconds: 15,
    access: { table: 'RO', tokenSecret: true },
    description: 'The local engine\'s signed export links (in the cloud, links are presigned S3 URLs)',
  },
  exporter: {
    entry: 'functions/exporter.ts',
    memoryMb: 1024,
    timeoutSeconds: 900,
    access: { table: 'RO', tokenSecret: true, blobs: 'RW', credentials: 'decrypt' },
    consumes: 'exports',
    bundleBudget: 1.30,
    description: 'Runs export jobs: streams CSVs and transcript zips into the exports bucket',
  },
  supervisor: {
    entry: 'functions/supervisor.ts',
    memoryMb: 512,
    timeoutSeconds: 10,
    access: { table: 'RO', tokenSecret: true },
    description: 'Supervisor API: the live board of queues, accounts and agents, read from counters',
  },
  openapi: {
    entry: 'functions/openapi.ts',
    memoryMb: 256,
    timeoutSeconds: 5,
    access: {},
    // The document itself is generated at build time (bin/openapi.ts) and read from beside the bundle.
    files: ['functions/openapi.json'],
    bundleBudgetKb: 45,
    description: 'GET /openapi.json: the OpenAPI 3.1 document of the HTTP API, generated from the zod schemas at build time',
  },
  asyncapi: {
    entry: 'functions/asyncapi.ts',
    memoryMb: 256,
    timeoutSeconds: 5,
    access: {},
    bundleBudgetKb: 56,
    description: 'GET /asyncapi.json: the AsyncAPI 3.0 document of the WebSocket API (actions and events)',
  },
  'admin-whatsapp': {
    entry: 'functions/admin-whatsapp.ts',
    memoryMb: 512,
    timeoutSeconds: 30,
    // Submits templates with the account's credentials; start and resume arm the campaign's tick.
    access: { table: 'RW', tokenSecret: true, credentials: 'decrypt', sendTo: ['timers'], scheduler: true, websocket: true },
    bundleBudget: 1.45,
    description: 'Admin API: WhatsApp templates (submitted to Meta, Kaleyra or Twilio) and outbound campaigns',
  },
  'whatsapp-sync': {
    entry: 'functions/whatsapp-sync.ts',
    memoryMb: 512,
    timeoutSeconds: 300,
    access: { table: 'RW', credentials: 'decrypt', sendTo: ['timers'], scheduler: true, websocket: true },
    everyMinutes: 15,
    bundleBudget: 1.35,
    description: 'Periodic WhatsApp sync: template statuses from the providers, and a lost campaign tick re-armed',
  },
  'agent-api': {
    entry: 'functions/agent-api.ts',
    memoryMb: 512,
    timeoutSeconds: 15,
    // translate and generative: the agents' tools (message and reply translation, the assistant's generative mode).
    access: { table: 'RW', tokenSecret: true, websocket: true, sendTo: ['outbound', 'timers'], scheduler: true, credentials: 'decrypt', translate: true, generative: true },
    bundleBudget: 1.65,
    description: 'Agent API: interactions, accept/reject, reply, close, transfer, presence, translation and the assistant',
  },
  sender: {
    entry: 'functions/sender.ts',
    memoryMb: 512,
    timeoutSeconds: 30,
    // Scheduler: a campaign the provider restricts (Meta 131048) is paused and its tick cancelled from here.
    access: { table: 'RW', sendTo: ['outbound'], sendToDeadLetter: ['outbound'], websocket: true, credentials: 'decrypt', scheduler: true },
    consumes: 'outbound',
    bundleBudget: 1.35,
    description: 'Sends outbound messages through the account provider, with retries, the WhatsApp window and the DLQ',
  },
  timers: {
    entry: 'functions/timers.ts',
    memoryMb: 512,
    timeoutSeconds: 30,
    access: { table: 'RW', websocket: true, sendTo: ['timers', 'outbound'], scheduler: true },
    consumes: 'timers',
    schedulerTarget: true,
    bundleBudget: 1.45,
    description: 'Fires timers (from the timers queue or Scheduler) after re-checking the interaction version',
  },
  webhook: {
    entry: 'functions/webhook.ts',
    memoryMb: 512,
    timeoutSeconds: 10,
    access: { table: 'RO', sendTo: ['inbound'], credentials: 'decrypt' },
    bundleBudget: 1.35,
    description: 'Provider webhooks: token and signature check, parse, enqueue to the inbound FIFO queue, then acknowledge',
  },
  inbound: {
    entry: 'functions/inbound.ts',
    memoryMb: 512,
    timeoutSeconds: 30,
    // Routing runs here too: it arms offer and session timers and tells agents. Then the account's automatic
    // translation (Amazon Translate, or Google with the account's sealed key).
    access: { table: 'RW', sendTo: ['outbound', 'timers'], scheduler: true, websocket: true, translate: true, credentials: 'decrypt' },
    consumes: 'inbound',
    bundleBudget: 1.55,
    description: 'Inbound processor: dedupe, contact, whitelist, threading, delivery statuses, then routing',
  },
} satisfies Record<string, FunctionSpec>;

export type FunctionName = keyof typeof functions;

export interface HttpRoute {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** API Gateway path syntax: `{name}` parameters. */
  path: string;
  fn: FunctionName;
}

const crud = (base: string, fn: FunctionName, extra: Omit<HttpRoute, 'fn'>[] = []): HttpRoute[] =>
  [
    { method: 'GET', path: base },
    { method: 'POST', path: base },
    { method: 'GET', path: `${base}/{id}` },
    { method: 'PATCH', path: `${base}/{id}` },
    { method: 'DELETE', path: `${base}/{id}` },
    ...extra,
  ].map((r) => ({ ...(r as Omit<HttpRoute, 'fn'>), fn }));

const agent = (method: HttpRoute['method'], path: string): HttpRoute => ({ method, path: `/agent${path}`, fn: 'agent-api' });

export const httpRoutes: HttpRoute[] = [
  agent('GET', '/me'),
  agent('PUT', '/presence'),
  agent('GET', '/interactions'),
  agent('GET', '/interactions/{id}'),
  agent('GET', '/interactions/{id}/messages'),
  agent('GET', '/interactions/{id}/messages/{messageId}/media/{index}'),
  agent('POST', '/interactions/{id}/accept'),
  agent('POST', '/interactions/{id}/reject'),
  agent('POST', '/interactions/{id}/read'),
  agent('POST', '/interactions/{id}/unread'),
  agent('POST', '/interactions/{id}/reply'),
  agent('POST', '/interactions/{id}/reply/preview'),
  agent('POST', '/interactions/{id}/messages/{messageId}/translate'),
  agent('POST', '/interactions/{id}/assist'),
  agent('POST', '/interactions/{id}/template'),
  agent('POST', '/interactions/{id}/canned'),
  agent('POST', '/interactions/{id}/video'),
  agent('POST', '/interactions/{id}/close'),
  agent('POST', '/interactions/{id}/transfer'),
  agent('POST', '/interactions/{id}/take-over'),
  agent('PUT', '/interactions/{id}/tags'),
  agent('GET', '/interactions/{id}/notes'),
  agent('POST', '/interactions/{id}/notes'),
  agent('GET', '/canned-answers'),
  agent('GET', '/accounts'),
  agent('GET', '/directory'),
  agent('GET', '/queues/{id}/waiting'),
  { method: 'GET', path: '/supervisor/board', fn: 'supervisor' },
  { method: 'GET', path: '/health', fn: 'health' },
  { method: 'POST', path: '/auth/login', fn: 'auth' },
  { method: 'POST', path: '/auth/invitation', fn: 'auth' },
  ...crud('/admin/agents', 'admin-agents', [
    { method: 'GET', path: '/admin/agents/export' },
    { method: 'POST', path: '/admin/agents/search' },
    { method: 'POST', path: '/admin/agents/bulk-delete' },
    { method: 'POST', path: '/admin/agents/invitations' },
    { method: 'POST', path: '/admin/agents/{id}/invitation' },
    { method: 'GET', path: '/admin/agents/{id}/queues' },
    { method: 'GET', path: '/admin/agents/{id}/accounts' },
  ]),
  ...crud('/admin/accounts', 'admin-accounts', [
    { method: 'GET', path: '/admin/accounts/export' },
    { method: 'POST', path: '/admin/accounts/search' },
    { method: 'POST', path: '/admin/accounts/bulk-delete' },
    { method: 'GET', path: '/admin/accounts/{id}/agents' },
    { method: 'PUT', path: '/admin/accounts/{id}/agents/{agentId}' },
    { method: 'DELETE', path: '/admin/accounts/{id}/agents/{agentId}' },
    { method: 'GET', path: '/admin/accounts/{id}/whitelist' },
    { method: 'PUT', path: '/admin/accounts/{id}/whitelist' },
  ]),
  ...crud('/admin/queues', 'admin-queues', [
    { method: 'GET', path: '/admin/queues/{id}/agents' },
    { method: 'PUT', path: '/admin/queues/{id}/agents/{agentId}' },
    { method: 'DELETE', path: '/admin/queues/{id}/agents/{agentId}' },
  ]),
  ...crud('/admin/lists', 'admin-lists', [
    { method: 'GET', path: '/admin/lists/{id}/contacts' },
    { method: 'POST', path: '/admin/lists/{id}/contacts' },
    { method: 'POST', path: '/admin/lists/{id}/contacts/search' },
    { method: 'GET', path: '/admin/lists/{id}/contacts/{contactId}' },
    { method: 'PATCH', path: '/admin/lists/{id}/contacts/{contactId}' },
    { method: 'DELETE', path: '/admin/lists/{id}/contacts/{contactId}' },
  ]),
  ...[
    { method: 'GET', path: '/admin/whatsapp/templates' },
    { method: 'POST', path: '/admin/whatsapp/templates' },
    { method: 'POST', path: '/admin/whatsapp/templates/sync' },
    { method: 'GET', path: '/admin/whatsapp/templates/{id}' },
    { method: 'DELETE', path: '/admin/whatsapp/templates/{id}' },
    { method: 'POST', path: '/admin/whatsapp/templates/{id}/sync' },
  ].map((r) => ({ ...(r as Omit<HttpRoute, 'fn'>), fn: 'admin-whatsapp' as const })),
  ...crud('/admin/whatsapp/campaigns', 'admin-whatsapp', [
    { method: 'POST', path: '/admin/whatsapp/campaigns/{id}/start' },
    { method: 'POST', path: '/admin/whatsapp/campaigns/{id}/pause' },
    { method: 'POST', path: '/admin/whatsapp/campaigns/{id}/resume' },
    { method: 'POST', path: '/admin/whatsapp/campaigns/{id}/cancel' },
    { method: 'GET', path: '/admin/whatsapp/campaigns/{id}/recipients' },
    { method: 'GET', path: '/admin/whatsapp/campaigns/{id}/recipients/export' },
  ]),
  ...crud('/admin/dispositions', 'admin-catalog'),
  ...crud('/admin/canned-answers', 'admin-catalog'),
  ...crud('/admin/accounts/{id}/dispositions', 'admin-catalog').map((r) => ({ ...r, path: r.path.replace('/dispositions/{id}', '/dispositions/{dispositionId}') })),
  ...crud('/admin/accounts/{id}/canned-answers', 'admin-catalog').map((r) => ({ ...r, path: r.path.replace('/canned-answers/{id}', '/canned-answers/{cannedAnswerId}') })),
  { method: 'GET', path: '/admin/accounts/{id}/knowledge', fn: 'admin-catalog' },
  { method: 'POST', path: '/admin/accounts/{id}/knowledge', fn: 'admin-catalog' },
  { method: 'GET', path: '/admin/accounts/{id}/knowledge/{documentId}', fn: 'admin-catalog' },
  { method: 'DELETE', path: '/admin/accounts/{id}/knowledge/{documentId}', fn: 'admin-catalog' },
  { method: 'GET', path: '/admin/audit', fn: 'admin-audit' },
  ...crud('/admin/teams', 'admin-teams', [
    { method: 'GET', path: '/admin/teams/{id}/agents' },
    { method: 'PUT', path: '/admin/teams/{id}/agents/{agentId}' },
    { method: 'DELETE', path: '/admin/teams/{id}/agents/{agentId}' },
  ]),
  ...(
    [
      ['GET', '/admin/interactions'],
      ['POST', '/admin/interactions/search'],
      ['POST', '/admin/interactions/export'],
      ['POST', '/admin/interactions/bulk-delete'],
      ['POST', '/admin/interactions/transcripts'],
      ['GET', '/admin/interactions/{id}'],
      ['DELETE', '/admin/interactions/{id}'],
      ['GET', '/admin/interactions/{id}/transcript'],
      ['GET', '/admin/interactions/{id}/notes'],
      ['POST', '/admin/interactions/{id}/notes'],
      ['GET', '/admin/accounts/{id}/interactions'],
      ['POST', '/admin/accounts/{id}/interactions/search'],
      ['POST', '/admin/accounts/{id}/interactions/export'],
    ] as const
  ).map(([method, path]): HttpRoute => ({ method, path, fn: 'admin-interactions' })),
  { method: 'POST', path: '/admin/exports', fn: 'admin-exports' },
  { method: 'GET', path: '/admin/exports/{id}', fn: 'admin-exports' },
  { method: 'GET', path: '/exports/{id}/download', fn: 'export-download' },
  { method: 'GET', path: '/openapi.json', fn: 'openapi' },
  { method: 'GET', path: '/asyncapi.json', fn: 'asyncapi' },
  { method: 'POST', path: '/webhooks/{accountId}/{token}', fn: 'webhook' },
  { method: 'POST', path: '/webhooks/{accountId}/{token}/status', fn: 'webhook' },
  { method: 'GET', path: '/webhooks/{accountId}/{token}', fn: 'webhook' },
  { method: 'GET', path: '/webhooks/{accountId}/{token}/status', fn: 'webhook' },
];

export const wsRoutes: { route: '$connect' | '$disconnect' | '$default'; fn: FunctionName }[] = [
  { route: '$connect', fn: 'ws-connect' },
  { route: '$disconnect', fn: 'ws-disconnect' },
  { route: '$default', fn: 'ws-default' },
];

export function routeKey(route: HttpRoute): string {
  return `${route.method} ${route.path}`;
}

export function functionSpec(name: FunctionName): FunctionSpec {
  return functions[name];
}

export function consumerOf(queue: QueueName): FunctionName | undefined {
  return (Object.keys(functions) as FunctionName[]).find((name) => (functions[name] as FunctionSpec).consumes === queue);
}
