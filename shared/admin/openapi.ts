/**
 * The OpenAPI 3.1 document of the HTTP API, generated from the route table and the zod schemas the handlers parse
 * with (`z.toJSONSchema`, input side: what a client sends, defaults included). Every route gets a path item even
 * when nothing more is known about it, so a route added to the wiring is documented from the start; what is known
 * (request bodies, query parameters, success status) comes from `OPERATIONS`.
 */
import { accountListQuery } from './accounts';
import { auditListQuery } from './audit-schema';
import { describeCatalog } from '../domain/search';
import { exportJobBody, exportSource, idsBody, interactionListQuery, noteBody, transcriptQuery, transcriptsBody } from './interaction-schema';
import { searchCatalogs } from './search-fields';
import { searchSchema } from './search-schema';
import { teamCreateSchema, teamListQuery, teamPatchSchema } from './team-schema';
import { accountCreateSchema, accountPatchSchema, whitelistSchema } from './account-schema';
import { agentCreateSchema, agentListQuery, agentPatchSchema, idsSchema, invitationSchema, loginSchema } from './agent-schema';
import {
  cannedAnswerCreateSchema,
  cannedAnswerPatchSchema,
  catalogListQuery,
  dispositionCreateSchema,
  dispositionPatchSchema,
} from './catalog-schema';
import { contactCreateSchema, contactListQuery, contactPatchSchema, listCreateSchema, listListQuery, listPatchSchema } from './list-schema';
import { boardQuery, queueCreateSchema, queueListQuery, queuePatchSchema, waitingLineQuery } from './queue-schema';
import { contentPartSchema } from '../domain/content';
import { replyBodySchema } from '../outbound/reply-schema';
import {
  campaignCreateSchema,
  campaignListQuery,
  campaignPatchSchema,
  recipientExportQuery,
  recipientListQuery,
  templateCreateSchema,
  templateListQuery,
} from './whatsapp-schema';
import { accessOf, describeAccess } from '../http/roles';
import { paramSchema } from '../http/params';
import { z } from '../validation';

export interface DocumentedRoute {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
}

type JsonSchema = Record<string, unknown>;

interface Operation {
  summary?: string;
  /** A named request body schema (a key of SCHEMAS). */
  body?: SchemaName;
  query?: z.ZodMiniObject;
  /** The success status; by default 201 for a POST to a collection, 204 for DELETE and PUT, else 200. */
  success?: 200 | 201 | 202 | 204;
  /** A named success body schema (a key of RESPONSE_SCHEMAS). */
  response?: keyof typeof RESPONSE_SCHEMAS;
  /** The route may answer 422 UNSUPPORTED_CONTENT (a part the account's provider cannot carry). */
  unsupportedContent?: boolean;
  /** The success body is CSV, not JSON. */
  csv?: boolean;
}

const errorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.array(z.object({ path: z.string(), message: z.string() })),
  }),
});

const pageSchema = z.object({ items: z.array(z.record(z.string(), z.unknown())), nextCursor: z.optional(z.string()) });

const exportQuery = z.object({ ids: z.string().check(z.minLength(1)) });

/** A stored message as the agent API returns it: `text` renders `parts`; the n-th media part is `/media/{n}`. */
const messageSchema = z.object({
  id: z.string(),
  interactionId: z.string(),
  direction: z.enum(['in', 'out']),
  text: z.string(),
  parts: z.array(contentPartSchema),
  media: z.array(z.object({ url: z.string(), contentType: z.optional(z.string()), id: z.optional(z.string()) })),
  replyTo: z.optional(z.object({ providerMessageId: z.string(), messageId: z.optional(z.string()) })),
  providerMessageId: z.optional(z.string()),
  providerTimestamp: z.optional(z.string()),
  receivedAt: z.optional(z.string()),
  status: z.string(),
});

const RESPONSE_SCHEMAS = {
  ContentPart: contentPartSchema,
  Message: messageSchema,
  MessagePage: z.object({ items: z.array(messageSchema) }),
} satisfies Record<string, z.ZodMiniType>;

const SCHEMAS = {
  Login: loginSchema,
  Invitation: invitationSchema,
  Ids: idsSchema,
  AccountCreate: accountCreateSchema,
  AccountPatch: accountPatchSchema,
  Whitelist: whitelistSchema,
  AgentCreate: agentCreateSchema,
  AgentPatch: agentPatchSchema,
  QueueCreate: queueCreateSchema,
  QueuePatch: queuePatchSchema,
  ListCreate: listCreateSchema,
  ListPatch: listPatchSchema,
  ContactCreate: contactCreateSchema,
  ContactPatch: contactPatchSchema,
  DispositionCreate: dispositionCreateSchema,
  DispositionPatch: dispositionPatchSchema,
  CannedAnswerCreate: cannedAnswerCreateSchema,
  CannedAnswerPatch: cannedAnswerPatchSchema,
  Reply: replyBodySchema,
  WhatsAppTemplateCreate: templateCreateSchema,
  WhatsAppCampaignCreate: campaignCreateSchema,
  WhatsAppCampaignPatch: campaignPatchSchema,
  TeamCreate: teamCreateSchema,
  TeamPatch: teamPatchSchema,
  InteractionSearch: searchSchema,
  AccountSearch: searchSchema,
  AgentSearch: searchSchema,
  ContactSearch: searchSchema,
  InteractionExport: exportSource,
  ExportJob: exportJobBody,
  InteractionIds: idsBody,
  Transcripts: transcriptsBody,
  Note: noteBody,
} satisfies Record<string, z.ZodMiniType>;
type SchemaName = keyof typeof SCHEMAS;

/** The same operations on the general catalog and on an account's own. */
function catalogOperations(base: string, item: string, what: 'Disposition' | 'CannedAnswer'): Record<string, Operation> {
  const label = what === 'Disposition' ? 'dispositions' : 'canned answers';
  return {
    [`GET ${base}`]: { summary: `List ${label}`, query: catalogListQuery },
    [`POST ${base}`]: { summary: `Create one of the ${label}`, body: `${what}Create` },
    [`GET ${base}/{${item}}`]: { summary: `Get one of the ${label}` },
    [`PATCH ${base}/{${item}}`]: { summary: `Update one of the ${label}`, body: `${what}Patch` },
    [`DELETE ${base}/{${item}}`]: { summary: `Delete one of the ${label}` },
  };
}

const OPERATIONS: Record<string, Operation> = {
  'GET /health': { summary: 'The engine and the store answer' },
  'GET /openapi.json': { summary: 'This document' },
  'POST /auth/login': { summary: 'Log in for a bearer token', body: 'Login', success: 200 },
  'POST /auth/invitation': { summary: 'Set the password once through an invitation link', body: 'Invitation', success: 204 },

  'GET /admin/agents': { summary: 'List agents', query: agentListQuery },
  'POST /admin/agents': { summary: 'Create an agent', body: 'AgentCreate' },
  'GET /admin/agents/export': { summary: 'CSV export of chosen agents', query: exportQuery, csv: true },
  'POST /admin/agents/bulk-delete': { summary: 'Delete several agents', body: 'Ids', success: 200 },
  'GET /admin/agents/{id}': { summary: 'Get an agent' },
  'PATCH /admin/agents/{id}': { summary: 'Update an agent (locked: true locks, false unlocks; a new password, disabling, locking or a new role ends its tokens and sockets)', body: 'AgentPatch' },
  'DELETE /admin/agents/{id}': { summary: 'Delete an agent and its memberships' },
  'POST /admin/agents/{id}/invitation': { summary: 'A one-time link to set the password', success: 201 },
  'GET /admin/agents/{id}/queues': { summary: 'Queues the agent belongs to' },
  'GET /admin/agents/{id}/accounts': { summary: 'Accounts the agent belongs to' },

  'GET /admin/accounts': { summary: 'List accounts', query: accountListQuery },
  'POST /admin/accounts': { summary: 'Create an account (credentials are write-only; a provider that signs nothing needs webhook authentication in credentials or allowUnauthenticatedWebhooks: true)', body: 'AccountCreate' },
  'GET /admin/accounts/export': { summary: 'CSV export of chosen accounts', query: exportQuery, csv: true },
  'POST /admin/accounts/bulk-delete': { summary: 'Delete several accounts', body: 'Ids', success: 200 },
  'GET /admin/accounts/{id}': { summary: 'Get an account' },
  'PATCH /admin/accounts/{id}': { summary: 'Update an account; credentials merge field by field', body: 'AccountPatch' },
  'DELETE /admin/accounts/{id}': { summary: 'Delete an account, its memberships and its own catalog' },
  'GET /admin/accounts/{id}/agents': { summary: 'Agents of an account' },
  'PUT /admin/accounts/{id}/agents/{agentId}': { summary: 'Add an agent to an account' },
  'DELETE /admin/accounts/{id}/agents/{agentId}': { summary: 'Remove an agent from an account' },
  'GET /admin/accounts/{id}/whitelist': { summary: 'Whitelist settings of an account' },
  'PUT /admin/accounts/{id}/whitelist': { summary: 'Replace the whitelist lists of an account', body: 'Whitelist', success: 200 },

  'GET /admin/queues': { summary: 'List queues', query: queueListQuery },
  'POST /admin/queues': { summary: 'Create a queue', body: 'QueueCreate' },
  'GET /admin/queues/{id}': { summary: 'Get a queue' },
  'PATCH /admin/queues/{id}': { summary: 'Update a queue', body: 'QueuePatch' },
  'DELETE /admin/queues/{id}': { summary: 'Delete a queue and its memberships' },
  'GET /admin/queues/{id}/agents': { summary: 'Agents of a queue' },
  'PUT /admin/queues/{id}/agents/{agentId}': { summary: 'Add an agent to a queue' },
  'DELETE /admin/queues/{id}/agents/{agentId}': { summary: 'Remove an agent from a queue' },
  'GET /agent/queues/{id}/waiting': {
    summary: "The queue's waiting line, longest waiting first: position, interactionId, contact, accountId, channel, enteredAt, waitedSeconds, offered (members and supervisors)",
    query: waitingLineQuery,
  },
  'GET /supervisor/board': {
    summary:
      'The live board (supervisors, admins): per account and queue waiting, longestWaitSeconds, offered, inProgress, closedToday, averageWaitToAcceptSeconds, averageHandleSeconds, serviceLevel; per agent presence, load, capacity, handledToday',
    query: boardQuery,
  },

  'GET /admin/lists': { summary: 'List contact lists', query: listListQuery },
  'POST /admin/lists': { summary: 'Create a contact list', body: 'ListCreate' },
  'GET /admin/lists/{id}': { summary: 'Get a contact list' },
  'PATCH /admin/lists/{id}': { summary: 'Update a contact list', body: 'ListPatch' },
  'DELETE /admin/lists/{id}': { summary: 'Delete a contact list and its contacts (409 while an account uses it)' },
  'GET /admin/lists/{id}/contacts': { summary: 'Search the contacts of a list', query: contactListQuery },
  'POST /admin/lists/{id}/contacts': { summary: 'Add a contact (phone unique within the list)', body: 'ContactCreate' },
  'GET /admin/lists/{id}/contacts/{contactId}': { summary: 'Get a contact' },
  'PATCH /admin/lists/{id}/contacts/{contactId}': { summary: 'Update a contact', body: 'ContactPatch' },

  'POST /admin/accounts/search': { summary: 'Advanced search of accounts (fields: components.x-searchable-fields.accounts)', body: 'AccountSearch', success: 200 },
  'POST /admin/agents/search': { summary: 'Advanced search of agents (fields: components.x-searchable-fields.agents)', body: 'AgentSearch', success: 200 },
  'POST /admin/lists/{id}/contacts/search': { summary: 'Advanced search of a list’s contacts (fields: components.x-searchable-fields.contacts)', body: 'ContactSearch', success: 200 },
  'DELETE /admin/lists/{id}/contacts/{contactId}': { summary: 'Delete a contact; ?erase=true also deletes its interactions', query: z.object({ erase: z.optional(z.enum(['true', 'false'])) }) },

  'GET /admin/teams': { summary: 'List teams', query: teamListQuery },
  'POST /admin/teams': { summary: 'Create a team', body: 'TeamCreate' },
  'GET /admin/teams/{id}': { summary: 'Get a team' },
  'PATCH /admin/teams/{id}': { summary: 'Update a team', body: 'TeamPatch' },
  'DELETE /admin/teams/{id}': { summary: 'Delete a team and its memberships' },
  'GET /admin/teams/{id}/agents': { summary: 'Agents of a team' },
  'PUT /admin/teams/{id}/agents/{agentId}': { summary: 'Add an agent to a team' },
  'DELETE /admin/teams/{id}/agents/{agentId}': { summary: 'Remove an agent from a team' },

  'GET /admin/interactions': { summary: 'Interactions across accounts, by start time, with the list filters (x-items-read tells what the page read)', query: interactionListQuery },
  'GET /admin/accounts/{id}/interactions': { summary: 'The interactions of one account, with the list filters', query: interactionListQuery },
  'POST /admin/interactions/search': { summary: 'Advanced search of interactions (fields: components.x-searchable-fields.interactions); ignores the list filters', body: 'InteractionSearch', success: 200 },
  'POST /admin/accounts/{id}/interactions/search': { summary: 'Advanced search of one account’s interactions', body: 'InteractionSearch', success: 200 },
  'POST /admin/interactions/export': { summary: 'CSV of chosen ids or of a whole search: answered directly up to 1000 rows, else 202 with an export job', body: 'InteractionExport', success: 200, csv: true },
  'POST /admin/accounts/{id}/interactions/export': { summary: 'CSV export within one account (as above)', body: 'InteractionExport', success: 200, csv: true },
  'POST /admin/interactions/bulk-delete': { summary: 'Delete several interactions with everything that belongs to them', body: 'InteractionIds', success: 200 },
  'POST /admin/interactions/transcripts': { summary: 'One zip of several transcripts (a job past 20)', body: 'Transcripts', success: 200 },
  'GET /admin/interactions/{id}': { summary: 'An interaction with its messages and internal notes' },
  'DELETE /admin/interactions/{id}': { summary: 'Delete an interaction (closed first if open) with its messages, notes, pointers and timers' },
  'GET /admin/interactions/{id}/transcript': { summary: 'A zip: readable and JSON transcript, internal notes, and optionally the attachments', query: transcriptQuery },
  'GET /admin/interactions/{id}/notes': { summary: 'Internal notes of an interaction' },
  'POST /admin/interactions/{id}/notes': { summary: 'Add an internal note (agents of the account see it; the customer never does)', body: 'Note' },
  'POST /admin/exports': { summary: 'Start an export job (interactions CSV or transcripts zip)', body: 'ExportJob', success: 201 },
  'GET /admin/exports/{id}': { summary: 'An export job: status, counts and, once done, an expiring download link' },
  'GET /exports/{id}/download': { summary: 'The local engine’s signed download link (expires, signature)' },

  'GET /admin/audit': {
    summary: 'The audit log, newest first: who did what, when, to which ids (action ending in * matches a prefix)',
    query: auditListQuery,
  },
  'GET /agent/interactions/{id}/messages': { summary: 'The messages of an interaction, oldest first, each with its content parts', response: 'MessagePage' },
  'POST /agent/interactions/{id}/reply': {
    summary: 'Reply with text, media by URL, a location or (WhatsApp) reply buttons or a list; queued for sending',
    body: 'Reply',
    success: 202,
    response: 'Message',
    unsupportedContent: true,
  },
  'POST /webhooks/{accountId}/{token}': { summary: "A provider's inbound message or status webhook", success: 200 },
  'POST /webhooks/{accountId}/{token}/status': { summary: "A provider's delivery status webhook", success: 200 },
  'GET /webhooks/{accountId}/{token}': { summary: 'A webhook delivered by GET, or a verification handshake (Meta hub.challenge)' },
  'GET /webhooks/{accountId}/{token}/status': { summary: 'A delivery status delivered by GET (Skebby and providers configured for GET)' },
  'POST /agent/interactions/{id}/take-over': {
    summary: 'Take the interaction over: it is assigned to the calling supervisor or admin, audited, and its agents are told',
    success: 200,
  },

  'GET /admin/whatsapp/templates': { summary: 'List WhatsApp templates (filter by accountId and status)', query: templateListQuery },
  'POST /admin/whatsapp/templates': { summary: 'Create a WhatsApp template: checked, then submitted to Meta, Kaleyra or Twilio (422 when the provider refuses it)', body: 'WhatsAppTemplateCreate' },
  'POST /admin/whatsapp/templates/sync': { summary: "Ask the providers for every template's status now", success: 200 },
  'GET /admin/whatsapp/templates/{id}': { summary: 'Get a WhatsApp template with its provider status' },
  'DELETE /admin/whatsapp/templates/{id}': { summary: 'Delete a WhatsApp template, at the provider too (409 while an unfinished campaign uses it)' },
  'POST /admin/whatsapp/templates/{id}/sync': { summary: "Ask the provider for this template's status now", success: 200 },

  'GET /admin/whatsapp/campaigns': { summary: 'List WhatsApp campaigns (filter by accountId and status)', query: campaignListQuery },
  'POST /admin/whatsapp/campaigns': { summary: 'Create a WhatsApp campaign (a draft)', body: 'WhatsAppCampaignCreate' },
  'GET /admin/whatsapp/campaigns/{id}': { summary: 'Get a campaign with its recipient counts per status' },
  'PATCH /admin/whatsapp/campaigns/{id}': { summary: 'Edit a campaign (409 while running)', body: 'WhatsAppCampaignPatch' },
  'DELETE /admin/whatsapp/campaigns/{id}': { summary: 'Delete a draft, completed or cancelled campaign and its recipients' },
  'POST /admin/whatsapp/campaigns/{id}/start': { summary: 'Start a draft: scheduled until its start time, then running (409 unless the template is APPROVED)', success: 200 },
  'POST /admin/whatsapp/campaigns/{id}/pause': { summary: 'Pause a scheduled or running campaign', success: 200 },
  'POST /admin/whatsapp/campaigns/{id}/resume': { summary: 'Resume a paused campaign', success: 200 },
  'POST /admin/whatsapp/campaigns/{id}/cancel': { summary: 'Cancel a campaign; recipients not yet sent stay pending', success: 200 },
  'GET /admin/whatsapp/campaigns/{id}/recipients': { summary: 'Recipients in campaign order, with status filter (pending, sent, delivered, read, failed, replied, skipped)', query: recipientListQuery },
  'GET /admin/whatsapp/campaigns/{id}/recipients/export': { summary: 'CSV export of the recipients and their statuses', query: recipientExportQuery, csv: true },

  ...catalogOperations('/admin/dispositions', 'id', 'Disposition'),
  ...catalogOperations('/admin/canned-answers', 'id', 'CannedAnswer'),
  ...catalogOperations('/admin/accounts/{id}/dispositions', 'dispositionId', 'Disposition'),
  ...catalogOperations('/admin/accounts/{id}/canned-answers', 'cannedAnswerId', 'CannedAnswer'),
};

const PUBLIC = [/^\/health$/, /^\/openapi\.json$/, /^\/auth\//, /^\/webhooks\//, /^\/exports\//];

export function isPublicPath(path: string): boolean {
  return PUBLIC.some((p) => p.test(path));
}

function toJsonSchema(schema: z.ZodMiniType): JsonSchema {
  const { $schema: _s, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
  return rest;
}

const ref = (kind: 'schemas' | 'responses', name: string) => ({ $ref: `#/components/${kind}/${name}` });

function successStatus(route: DocumentedRoute, op: Operation): 200 | 201 | 202 | 204 {
  if (op.success) return op.success;
  if (route.method === 'DELETE' || route.method === 'PUT') return 204;
  if (route.method === 'POST') return 201;
  return 200;
}

function operationFor(route: DocumentedRoute): Record<string, unknown> {
  const key = `${route.method} ${route.path}`;
  const op = OPERATIONS[key] ?? {};
  const secured = !isPublicPath(route.path);
  const access = accessOf(key);
  const pathParams = [...route.path.matchAll(/\{(\w+)\+?\}/g)].map((m) => m[1]!);
  const parameters: Record<string, unknown>[] = pathParams.map((name) => ({ name, in: 'path', required: true, schema: { type: 'string', ...paramSchema(name) } }));
  if (op.query) {
    const schema = toJsonSchema(op.query);
    const required = (schema.required as string[] | undefined) ?? [];
    for (const [name, prop] of Object.entries((schema.properties as Record<string, JsonSchema> | undefined) ?? {})) {
      parameters.push({ name, in: 'query', required: required.includes(name), schema: prop });
    }
  }
  const status = successStatus(route, op);
  const responses: Record<string, unknown> = {};
  if (status === 204) responses['204'] = { description: 'Done; no body' };
  else if (op.csv) responses[String(status)] = { description: 'CSV', content: { 'text/csv': { schema: { type: 'string' } } } };
  else {
    const body = op.response
      ? ref('schemas', op.response)
      : route.method === 'GET' && op.query?.shape && 'cursor' in op.query.shape
        ? ref('schemas', 'Page')
        : { type: 'object' };
    const description = status === 201 ? 'Created' : status === 202 ? 'Accepted' : 'OK';
    responses[String(status)] = { description, content: { 'application/json': { schema: body } } };
  }
  const reads = route.method === 'GET';
  if (op.body || op.query || !reads || pathParams.length > 0) responses['400'] = ref('responses', 'BadRequest');
  if (secured || route.path.startsWith('/auth/')) responses['401'] = ref('responses', 'Unauthorized');
  if (secured) responses['403'] = ref('responses', 'Forbidden');
  if (pathParams.length > 0 || route.path === '/auth/invitation') responses['404'] = ref('responses', 'NotFound');
  if (!reads && route.path !== '/auth/login') responses['409'] = ref('responses', 'Conflict');
  if (op.unsupportedContent) responses['422'] = ref('responses', 'UnsupportedContent');
  if (secured || route.path === '/auth/login') responses['423'] = ref('responses', 'Locked');
  if (route.path === '/auth/login') responses['429'] = ref('responses', 'TooManyAttempts');
  return {
    operationId: `${route.method.toLowerCase()}${route.path.replace(/\{(\w+)\+?\}/g, 'By-$1').replace(/[^A-Za-z0-9]+(\w)?/g, (_, c?: string) => (c ?? '').toUpperCase())}`,
    summary: op.summary ?? key,
    ...(access ? { description: `Who: ${describeAccess(access)}.`, 'x-access': access } : {}),
    tags: [route.path.split('/').filter(Boolean).slice(0, route.path.startsWith('/admin/') ? 2 : 1).join('/')],
    security: secured ? [{ bearer: [] }] : [],
    ...(parameters.length ? { parameters } : {}),
    ...(op.body ? { requestBody: { required: true, content: { 'application/json': { schema: ref('schemas', op.body) } } } } : {}),
    responses,
  };
}

const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: ref('schemas', 'Error') } } });

/** Builds the document for the given routes (the wiring's `httpRoutes`). */
export function openApiDocument(routes: readonly DocumentedRoute[], info: { title?: string; version?: string; serverUrl?: string } = {}) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const item = (paths[route.path] ??= {});
    item[route.method.toLowerCase()] = operationFor(route);
  }
  const schemas: Record<string, JsonSchema> = { Error: toJsonSchema(errorBodySchema), Page: toJsonSchema(pageSchema) };
  for (const [name, schema] of Object.entries({ ...SCHEMAS, ...RESPONSE_SCHEMAS })) schemas[name] = toJsonSchema(schema);
  return {
    openapi: '3.1.0',
    info: {
      title: info.title ?? 'Switchboard HTTP API',
      version: info.version ?? '0.1.0',
      description: 'Admin, auth and health routes of Switchboard. Errors share one body: { error: { code, message, details: [{ path, message }] } }.',
    },
    ...(info.serverUrl ? { servers: [{ url: info.serverUrl }] } : {}),
    paths,
    components: {
      schemas,
      responses: {
        BadRequest: errorResponse('Invalid input; details name every offending field (body.x, query.y)'),
        Unauthorized: errorResponse('A missing, expired or invalid bearer token (or wrong credentials at login)'),
        Forbidden: errorResponse('The role does not allow this'),
        NotFound: errorResponse('No such item'),
        Conflict: errorResponse('A unique value is taken, the item is in use, or it changed meanwhile'),
        Locked: errorResponse('The user is locked or disabled'),
        TooManyAttempts: {
          ...errorResponse('Too many login attempts for this username from this address, or from this address; the same answer whatever the password'),
          headers: { 'Retry-After': { description: 'Seconds until the next attempt may be made', schema: { type: 'integer' } } },
        },
        UnsupportedContent: errorResponse("UNSUPPORTED_CONTENT: a part the account's provider cannot carry; details name it (parts.N, media.N, text)"),
      },
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      /** What each entity's advanced search may match: field -> type, operators, enum values. */
      'x-searchable-fields': Object.fromEntries(Object.entries(searchCatalogs).map(([entity, catalog]) => [entity, describeCatalog(catalog as never)])),
    },
  };
}
