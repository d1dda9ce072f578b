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
import { replyBodySchema, replyPreviewSchema, templateSchema } from '../outbound/reply-schema';
import { agentInteractionsQuery, agentNoteSchema, assistSchema, cannedQuery, cannedSchema, closeSchema, presenceSchema, tagsSchema, transferSchema } from './agent-api-schema';
import { pageOf, RESPONSE_BODIES } from './openapi-responses';
import { REQUEST_EXAMPLES } from './openapi-examples';
import { CHANNEL_PROVIDERS, providers } from '../providers';
import type { ProviderType } from '../providers/types';
import { knowledgeCreateSchema } from './catalog-schema';
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
import * as z from 'zod/mini';

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
  /** The success body: a key of RESPONSE_SCHEMAS or RESPONSE_BODIES, or `Page:<name>` for a page of them. */
  response?: ResponseName | `Page:${ResponseName}`;
  /** A POST or PUT that reads no body (accept, sync, ...): said explicitly, so a forgotten body is caught. */
  noBody?: true;
  /** The success body is binary (a zip, a media file) of this content type. */
  binary?: string;
  /** The body is the provider's own webhook format (form or JSON, signed as the provider signs), not ours. */
  providerBody?: true;
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

/** A message's translation, stored beside its original text. */
const translationSchema = z.object({
  text: z.string(),
  sourceLanguage: z.string(),
  targetLanguage: z.string(),
  provider: z.enum(['aws', 'google']),
  at: z.string(),
  agentId: z.optional(z.string()),
});

const sourceSchema = z.object({
  type: z.enum(['canned', 'document']),
  id: z.string(),
  name: z.string(),
  scope: z.optional(z.enum(['general', 'account'])),
  section: z.optional(z.string()),
});

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
  translation: z.optional(translationSchema),
  original: z.optional(z.object({ text: z.string(), language: z.string() })),
});

const RESPONSE_SCHEMAS = {
  ContentPart: contentPartSchema,
  Message: messageSchema,
  MessagePage: z.object({ items: z.array(messageSchema) }),
  ReplyTranslation: z.object({
    original: z.object({ text: z.string(), language: z.string() }),
    translation: z.object({ text: z.string(), sourceLanguage: z.string(), targetLanguage: z.string(), provider: z.enum(['aws', 'google']) }),
  }),
  Suggestions: z.object({
    mode: z.enum(['retrieval', 'generative']),
    modelId: z.optional(z.string()),
    query: z.string(),
    suggestions: z.array(z.object({ text: z.string(), score: z.optional(z.number()), sources: z.array(sourceSchema) })),
    fallback: z.optional(z.string()),
  }),
} satisfies Record<string, z.ZodMiniType>;
type ResponseName = keyof typeof RESPONSE_SCHEMAS | keyof typeof RESPONSE_BODIES;

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
  ReplyPreview: replyPreviewSchema,
  Assist: assistSchema,
  KnowledgeCreate: knowledgeCreateSchema,
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
  Presence: presenceSchema,
  Template: templateSchema,
  Canned: cannedSchema,
  Close: closeSchema,
  Transfer: transferSchema,
  Tags: tagsSchema,
  AgentNote: agentNoteSchema,
} satisfies Record<string, z.ZodMiniType>;
type SchemaName = keyof typeof SCHEMAS;

/** The same operations on the general catalog and on an account's own. */
function catalogOperations(base: string, item: string, what: 'Disposition' | 'CannedAnswer'): Record<string, Operation> {
  const label = what === 'Disposition' ? 'dispositions' : 'canned answers';
  return {
    [`GET ${base}`]: { summary: `List ${label}`, query: catalogListQuery, response: 'Page:CatalogItem' },
    [`POST ${base}`]: { summary: `Create one of the ${label}`, body: `${what}Create`, response: 'CatalogItem' },
    [`GET ${base}/{${item}}`]: { summary: `Get one of the ${label}`, response: 'CatalogItem' },
    [`PATCH ${base}/{${item}}`]: { summary: `Update one of the ${label}`, body: `${what}Patch`, response: 'CatalogItem' },
    [`DELETE ${base}/{${item}}`]: { summary: `Delete one of the ${label}` },
  };
}

const OPERATIONS: Record<string, Operation> = {
  'GET /health': { summary: 'The engine and the store answer (503 while the store is not ACTIVE or the first start is not done)', response: 'Health' },
  'GET /openapi.json': { summary: 'This document (OpenAPI 3.1)', response: 'Object' },
  'GET /asyncapi.json': { summary: 'The WebSocket API: actions and events (AsyncAPI 3.0)', response: 'Object' },
  'POST /auth/login': { summary: 'Log in for a bearer token', body: 'Login', success: 200, response: 'Token' },
  'POST /auth/invitation': { summary: 'Set the password once through an invitation link', body: 'Invitation', success: 204 },

  'GET /admin/agents': { summary: 'List agents', query: agentListQuery, response: 'Page:Agent' },
  'POST /admin/agents': { summary: 'Create an agent (the password is write-only)', body: 'AgentCreate', response: 'Agent' },
  'GET /admin/agents/export': { summary: 'CSV export of chosen agents', query: exportQuery, csv: true },
  'POST /admin/agents/bulk-delete': { summary: 'Delete several agents', body: 'Ids', success: 200, response: 'Deleted' },
  'GET /admin/agents/{id}': { summary: 'Get an agent', response: 'Agent' },
  'PATCH /admin/agents/{id}': { summary: 'Update an agent (locked: true locks, false unlocks; a new password, disabling, locking or a new role ends its tokens and sockets)', body: 'AgentPatch', response: 'Agent' },
  'DELETE /admin/agents/{id}': { summary: 'Delete an agent and its memberships' },
  'POST /admin/agents/invitations': {
    summary: 'Invite the selected agents: mailed (SES in the cloud, SMTP locally) where mail is configured and the agent has an email, else the link to pass on; each replaces any earlier invitation',
    body: 'Ids',
    success: 200,
    response: 'InvitationResults',
  },
  'POST /admin/agents/{id}/invitation': { summary: 'A one-time link to set the password', success: 201, noBody: true, response: 'InvitationLink' },
  'GET /admin/agents/{id}/queues': { summary: 'Queues the agent belongs to', response: 'QueueIds' },
  'GET /admin/agents/{id}/accounts': { summary: 'Accounts the agent belongs to', response: 'AccountIds' },

  'GET /admin/accounts': { summary: 'List accounts', query: accountListQuery, response: 'Page:Account' },
  'POST /admin/accounts': { summary: 'Create an account (credentials are write-only; a provider that signs nothing needs webhook authentication in credentials or allowUnauthenticatedWebhooks: true)', body: 'AccountCreate', response: 'Account' },
  'GET /admin/accounts/export': { summary: 'CSV export of chosen accounts', query: exportQuery, csv: true },
  'POST /admin/accounts/bulk-delete': { summary: 'Delete several accounts', body: 'Ids', success: 200, response: 'Deleted' },
  'GET /admin/accounts/{id}': { summary: 'Get an account (credentials: only the names of the fields set)', response: 'Account' },
  'PATCH /admin/accounts/{id}': { summary: 'Update an account; credentials merge field by field, settings section by section (null clears a field of a section)', body: 'AccountPatch', response: 'Account' },
  'DELETE /admin/accounts/{id}': { summary: 'Delete an account, its memberships and its own catalog' },
  'GET /admin/accounts/{id}/agents': { summary: 'Agents of an account', response: 'AgentIds' },
  'PUT /admin/accounts/{id}/agents/{agentId}': { summary: 'Add an agent to an account', noBody: true },
  'DELETE /admin/accounts/{id}/agents/{agentId}': { summary: 'Remove an agent from an account (ends its tokens and sockets)' },
  'GET /admin/accounts/{id}/whitelist': { summary: 'Whitelist settings of an account', response: 'WhitelistSettings' },
  'PUT /admin/accounts/{id}/whitelist': { summary: 'Replace the whitelist lists of an account', body: 'Whitelist', success: 200, response: 'WhitelistSettings' },

  'GET /admin/queues': { summary: 'List queues', query: queueListQuery, response: 'Page:Queue' },
  'POST /admin/queues': { summary: 'Create a queue', body: 'QueueCreate', response: 'Queue' },
  'GET /admin/queues/{id}': { summary: 'Get a queue', response: 'Queue' },
  'PATCH /admin/queues/{id}': { summary: 'Update a queue', body: 'QueuePatch', response: 'Queue' },
  'DELETE /admin/queues/{id}': { summary: 'Delete a queue and its memberships' },
  'GET /admin/queues/{id}/agents': { summary: 'Agents of a queue', response: 'AgentIds' },
  'PUT /admin/queues/{id}/agents/{agentId}': { summary: 'Add an agent to a queue (it is offered what waits there at once)', noBody: true },
  'DELETE /admin/queues/{id}/agents/{agentId}': { summary: 'Remove an agent from a queue' },
  'GET /agent/queues/{id}/waiting': {
    summary: "The queue's waiting line, longest waiting first: position, interactionId, contact, accountId, channel, enteredAt, waitedSeconds, offered (members and supervisors)",
    query: waitingLineQuery,
    response: 'WaitingLine',
  },
  'GET /supervisor/board': {
    summary:
      'The live board (supervisors, admins): per account and queue waiting, longestWaitSeconds, offered, inProgress, closedToday, averageWaitToAcceptSeconds, averageHandleSeconds, serviceLevel; per agent presence, load, capacity, handledToday',
    query: boardQuery,
    response: 'Board',
  },

  'GET /admin/lists': { summary: 'List contact lists', query: listListQuery, response: 'Page:List' },
  'POST /admin/lists': { summary: 'Create a contact list', body: 'ListCreate', response: 'List' },
  'GET /admin/lists/{id}': { summary: 'Get a contact list', response: 'List' },
  'PATCH /admin/lists/{id}': { summary: 'Update a contact list', body: 'ListPatch', response: 'List' },
  'DELETE /admin/lists/{id}': { summary: 'Delete a contact list and its contacts (409 while an account uses it)' },
  'GET /admin/lists/{id}/contacts': { summary: 'Search the contacts of a list', query: contactListQuery, response: 'Page:Contact' },
  'POST /admin/lists/{id}/contacts': { summary: 'Add a contact (phone unique within the list)', body: 'ContactCreate', response: 'Contact' },
  'GET /admin/lists/{id}/contacts/{contactId}': { summary: 'Get a contact', response: 'Contact' },
  'PATCH /admin/lists/{id}/contacts/{contactId}': { summary: 'Update a contact', body: 'ContactPatch', response: 'Contact' },

  'POST /admin/accounts/search': { summary: 'Advanced search of accounts (fields: components.x-searchable-fields.accounts)', body: 'AccountSearch', success: 200, response: 'Page:Account' },
  'POST /admin/agents/search': { summary: 'Advanced search of agents (fields: components.x-searchable-fields.agents)', body: 'AgentSearch', success: 200, response: 'Page:Agent' },
  'POST /admin/lists/{id}/contacts/search': { summary: 'Advanced search of a list’s contacts (fields: components.x-searchable-fields.contacts)', body: 'ContactSearch', success: 200, response: 'Page:Contact' },
  'DELETE /admin/lists/{id}/contacts/{contactId}': { summary: 'Delete a contact; ?erase=true also deletes its interactions', query: z.object({ erase: z.optional(z.enum(['true', 'false'])) }) },

  'GET /admin/teams': { summary: 'List teams', query: teamListQuery, response: 'Page:Team' },
  'POST /admin/teams': { summary: 'Create a team', body: 'TeamCreate', response: 'Team' },
  'GET /admin/teams/{id}': { summary: 'Get a team', response: 'Team' },
  'PATCH /admin/teams/{id}': { summary: 'Update a team', body: 'TeamPatch', response: 'Team' },
  'DELETE /admin/teams/{id}': { summary: 'Delete a team and its memberships' },
  'GET /admin/teams/{id}/agents': { summary: 'Agents of a team', response: 'AgentIds' },
  'PUT /admin/teams/{id}/agents/{agentId}': { summary: 'Add an agent to a team', noBody: true },
  'DELETE /admin/teams/{id}/agents/{agentId}': { summary: 'Remove an agent from a team' },

  'GET /admin/interactions': { summary: 'Interactions across accounts, by start time, with the list filters (x-items-read tells what the page read)', query: interactionListQuery, response: 'Page:Interaction' },
  'GET /admin/accounts/{id}/interactions': { summary: 'The interactions of one account, with the list filters', query: interactionListQuery, response: 'Page:Interaction' },
  'POST /admin/interactions/search': { summary: 'Advanced search of interactions (fields: components.x-searchable-fields.interactions); ignores the list filters', body: 'InteractionSearch', success: 200, response: 'Page:Interaction' },
  'POST /admin/accounts/{id}/interactions/search': { summary: 'Advanced search of one account’s interactions', body: 'InteractionSearch', success: 200, response: 'Page:Interaction' },
  'POST /admin/interactions/export': { summary: 'CSV of chosen ids or of a whole search: answered directly up to 1000 rows, else 202 with an export job', body: 'InteractionExport', success: 200, csv: true },
  'POST /admin/accounts/{id}/interactions/export': { summary: 'CSV export within one account (as above)', body: 'InteractionExport', success: 200, csv: true },
  'POST /admin/interactions/bulk-delete': { summary: 'Delete several interactions with everything that belongs to them', body: 'InteractionIds', success: 200, response: 'Deleted' },
  'POST /admin/interactions/transcripts': { summary: 'One zip of several transcripts (202 with an export job past 20)', body: 'Transcripts', success: 200, binary: 'application/zip' },
  'GET /admin/interactions/{id}': { summary: 'An interaction with its messages and internal notes', response: 'Interaction' },
  'DELETE /admin/interactions/{id}': { summary: 'Delete an interaction (closed first if open) with its messages, notes, pointers and timers' },
  'GET /admin/interactions/{id}/transcript': { summary: 'A zip: readable and JSON transcript, internal notes, and optionally the attachments', query: transcriptQuery, binary: 'application/zip' },
  'GET /admin/interactions/{id}/notes': { summary: 'Internal notes of an interaction', response: 'Page:InteractionNote' },
  'POST /admin/interactions/{id}/notes': { summary: 'Add an internal note (agents of the account see it; the customer never does)', body: 'Note', response: 'InteractionNote' },
  'POST /admin/exports': { summary: 'Start an export job (interactions CSV or transcripts zip)', body: 'ExportJob', success: 202, response: 'ExportJobStatus' },
  'GET /admin/exports/{id}': { summary: 'An export job: status, counts and, once done, an expiring download link', response: 'ExportJobStatus' },
  'GET /exports/{id}/download': { summary: 'The local engine’s signed download link (expires, signature)', query: z.object({ expires: z.string(), signature: z.string() }), binary: 'application/octet-stream' },

  'GET /admin/audit': {
    summary: 'The audit log, newest first: who did what, when, to which ids (action ending in * matches a prefix)',
    query: auditListQuery,
    response: 'Page:AuditRow',
  },

  'GET /agent/me': { summary: 'The signed-in user: its view, presence and accounts', response: 'Me' },
  'PUT /agent/presence': { summary: 'Set presence: online (offered the longest-waiting interactions of its queues at once), paused with a reason, offline', body: 'Presence', success: 200, response: 'PresenceState' },
  'GET /agent/interactions': {
    summary:
      'Interactions the caller may see: an agent its accounts’, supervisors and admins every account’s (accountId narrows to one); account by account, each newest first, paged with limit and cursor (nextCursor while more follow)',
    query: agentInteractionsQuery,
    response: 'Page:Interaction',
  },
  'GET /agent/interactions/{id}': { summary: 'An interaction (404 for an account the agent does not belong to)', response: 'Interaction' },
  'GET /agent/interactions/{id}/messages': { summary: 'The messages of an interaction, oldest first, each with its content parts', response: 'MessagePage' },
  'GET /agent/interactions/{id}/messages/{messageId}/media/{index}': { summary: 'The n-th media item of a message, fetched from the provider with the account’s credentials', binary: 'application/octet-stream' },
  'POST /agent/interactions/{id}/accept': { summary: 'Accept an offer (409 AT_CAPACITY when the agent has no room)', success: 200, noBody: true, response: 'Interaction' },
  'POST /agent/interactions/{id}/reject': { summary: 'Reject an offer: it goes on to the next agent or step', success: 200, noBody: true, response: 'Interaction' },
  'POST /agent/interactions/{id}/read': { summary: 'Mark read (unread = 0)', success: 200, noBody: true, response: 'Interaction' },
  'POST /agent/interactions/{id}/unread': { summary: 'Mark unread', success: 200, noBody: true, response: 'Interaction' },
  'POST /agent/interactions/{id}/reply': {
    summary: 'Reply with text, media by URL, a location or (WhatsApp) reply buttons or a list; queued for sending (message.sent, message.retrying or message.failed follow on the WebSocket)',
    body: 'Reply',
    success: 202,
    response: 'OutboundMessage',
    unsupportedContent: true,
  },
  'POST /agent/interactions/{id}/template': { summary: 'Send an approved WhatsApp template by name and language with its parameters (also after the 24 h window)', body: 'Template', success: 202, response: 'OutboundMessage' },
  'POST /agent/interactions/{id}/canned': { summary: 'Send one of the canned answers (general or the account’s)', body: 'Canned', success: 202, response: 'OutboundMessage' },
  'POST /agent/interactions/{id}/video': { summary: 'Start a video call and send its link (accounts with video enabled)', success: 201, noBody: true, response: 'VideoCall' },
  'POST /agent/interactions/{id}/close': { summary: 'Close with a disposition (required when the account says so)', body: 'Close', success: 204 },
  'POST /agent/interactions/{id}/transfer': { summary: 'Transfer to a queue (queueId) or an agent (agentId); it returns unread if nobody accepts in time', body: 'Transfer', success: 200, response: 'Interaction' },
  'POST /agent/interactions/{id}/reply/preview': {
    summary: "Translate a reply into the customer's language without sending it: the agent sees both texts (409 unless the account's translation is on)",
    body: 'ReplyPreview',
    success: 200,
    response: 'ReplyTranslation',
  },
  'POST /agent/interactions/{id}/messages/{messageId}/translate': {
    summary: "Translate a message into the agent's language with the account's provider; stored beside the original, with the detected source language, and sent as message.translated",
    success: 200,
    noBody: true,
    response: 'Message',
  },
  'POST /agent/interactions/{id}/assist': {
    summary: "Suggested replies for the conversation so far, each with its sources (retrieval over the account's knowledge, or Bedrock when the account enables it); nothing is sent",
    body: 'Assist',
    success: 200,
    response: 'Suggestions',
  },
  'GET /admin/accounts/{id}/knowledge': { summary: "The assistant's documents of an account (without their text)", response: 'Object' },
  'POST /admin/accounts/{id}/knowledge': { summary: 'Upload a plain text or Markdown document the assistant draws on', body: 'KnowledgeCreate', success: 201, response: 'Object' },
  'GET /admin/accounts/{id}/knowledge/{documentId}': { summary: 'One document with its text', response: 'Object' },
  'DELETE /admin/accounts/{id}/knowledge/{documentId}': { summary: 'Delete a document' },
  'POST /agent/interactions/{id}/take-over': {
    summary: 'Take the interaction over: it is assigned to the calling supervisor or admin, audited, and its agents are told',
    success: 200,
    noBody: true,
    response: 'Interaction',
  },
  'PUT /agent/interactions/{id}/tags': { summary: 'Replace the tags', body: 'Tags', success: 200, response: 'Interaction' },
  'GET /agent/interactions/{id}/notes': { summary: 'Internal notes of an interaction', response: 'Page:InteractionNote' },
  'POST /agent/interactions/{id}/notes': { summary: 'Add an internal note (never sent to the customer)', body: 'AgentNote', response: 'InteractionNote' },
  'GET /agent/canned-answers': { summary: 'Canned answers the caller may send: the general ones and, with accountId, the account’s (scope: general or account)', query: cannedQuery, response: 'Page:CatalogItem' },
  'GET /agent/accounts': { summary: 'The caller’s accounts as a workspace needs them (never credentials or tokens)', response: 'Page:WorkspaceAccount' },
  'GET /agent/directory': { summary: 'Transfer targets: queues, and the agents sharing an account with the caller, with their presence', response: 'Directory' },

  'POST /webhooks/{accountId}/{token}': { summary: "A provider's inbound message or status webhook (in the provider's own format, signed as it signs)", success: 200, binary: '*/*', providerBody: true },
  'POST /webhooks/{accountId}/{token}/status': { summary: "A provider's delivery status webhook", success: 200, binary: '*/*', providerBody: true },
  'GET /webhooks/{accountId}/{token}': { summary: 'A webhook delivered by GET, or a verification handshake (Meta hub.challenge, answered as text/plain)', binary: '*/*' },
  'GET /webhooks/{accountId}/{token}/status': { summary: 'A delivery status delivered by GET (Skebby and providers configured for GET)', binary: '*/*' },

  'GET /admin/whatsapp/templates': { summary: 'List WhatsApp templates (filter by accountId and status)', query: templateListQuery, response: 'Page:WhatsAppTemplate' },
  'POST /admin/whatsapp/templates': { summary: 'Create a WhatsApp template: checked, then submitted to Meta, Kaleyra or Twilio (422 when the provider refuses it)', body: 'WhatsAppTemplateCreate', response: 'WhatsAppTemplate' },
  'POST /admin/whatsapp/templates/sync': { summary: "Ask the providers for every template's status now", success: 200, noBody: true, response: 'Object' },
  'GET /admin/whatsapp/templates/{id}': { summary: 'Get a WhatsApp template with its provider status', response: 'WhatsAppTemplate' },
  'DELETE /admin/whatsapp/templates/{id}': { summary: 'Delete a WhatsApp template, at the provider too (409 while an unfinished campaign uses it)' },
  'POST /admin/whatsapp/templates/{id}/sync': { summary: "Ask the provider for this template's status now", success: 200, noBody: true, response: 'WhatsAppTemplate' },

  'GET /admin/whatsapp/campaigns': { summary: 'List WhatsApp campaigns (filter by accountId and status)', query: campaignListQuery, response: 'Page:Campaign' },
  'POST /admin/whatsapp/campaigns': { summary: 'Create a WhatsApp campaign (a draft)', body: 'WhatsAppCampaignCreate', response: 'Campaign' },
  'GET /admin/whatsapp/campaigns/{id}': { summary: 'Get a campaign with its recipient counts per status', response: 'Campaign' },
  'PATCH /admin/whatsapp/campaigns/{id}': { summary: 'Edit a campaign (409 while running)', body: 'WhatsAppCampaignPatch', response: 'Campaign' },
  'DELETE /admin/whatsapp/campaigns/{id}': { summary: 'Delete a draft, completed or cancelled campaign and its recipients' },
  'POST /admin/whatsapp/campaigns/{id}/start': { summary: 'Start a draft: scheduled until its start time, then running (409 unless the template is APPROVED)', success: 200, noBody: true, response: 'Campaign' },
  'POST /admin/whatsapp/campaigns/{id}/pause': { summary: 'Pause a scheduled or running campaign', success: 200, noBody: true, response: 'Campaign' },
  'POST /admin/whatsapp/campaigns/{id}/resume': { summary: 'Resume a paused campaign', success: 200, noBody: true, response: 'Campaign' },
  'POST /admin/whatsapp/campaigns/{id}/cancel': { summary: 'Cancel a campaign; recipients not yet sent stay pending', success: 200, noBody: true, response: 'Campaign' },
  'GET /admin/whatsapp/campaigns/{id}/recipients': { summary: 'Recipients in campaign order, with status filter (pending, sent, delivered, read, failed, replied, skipped)', query: recipientListQuery, response: 'Page:Recipient' },
  'GET /admin/whatsapp/campaigns/{id}/recipients/export': { summary: 'CSV export of the recipients and their statuses', query: recipientExportQuery, csv: true },

  ...catalogOperations('/admin/dispositions', 'id', 'Disposition'),
  ...catalogOperations('/admin/canned-answers', 'id', 'CannedAnswer'),
  ...catalogOperations('/admin/accounts/{id}/dispositions', 'dispositionId', 'Disposition'),
  ...catalogOperations('/admin/accounts/{id}/canned-answers', 'cannedAnswerId', 'CannedAnswer'),
};

/** The route keys with an operation of their own (summary, body or noBody, response): the completeness test reads it. */
export function describedRoutes(): { key: string; body?: string; noBody?: boolean; providerBody?: boolean; response?: string; csv?: boolean; binary?: string; success?: number }[] {
  return Object.entries(OPERATIONS).map(([key, op]) => ({
    key,
    ...(op.body ? { body: op.body } : {}),
    ...(op.noBody ? { noBody: true } : {}),
    ...(op.response ? { response: op.response } : {}),
    ...(op.csv ? { csv: true } : {}),
    ...(op.binary ? { binary: op.binary } : {}),
    ...(op.providerBody ? { providerBody: true } : {}),
    ...(op.success ? { success: op.success } : {}),
  }));
}

const PUBLIC = [/^\/health$/, /^\/openapi\.json$/, /^\/asyncapi\.json$/, /^\/auth\//, /^\/webhooks\//, /^\/exports\//];

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
  const reads = route.method === 'GET';
  const responses: Record<string, unknown> = {};
  const description = status === 201 ? 'Created' : status === 202 ? 'Accepted' : 'OK';
  if (status === 204) responses['204'] = { description: 'Done; no body' };
  else if (op.csv) responses[String(status)] = { description: 'CSV (RFC 4180, a header row first)', content: { 'text/csv': { schema: { type: 'string' } } } };
  else if (op.binary) responses[String(status)] = { description, content: { [op.binary]: { schema: { type: 'string', contentMediaType: op.binary } } } };
  else {
    const body = op.response?.startsWith('Page:')
      ? ref('schemas', `${op.response.slice(5)}Page`)
      : op.response
        ? ref('schemas', op.response)
        : route.method === 'GET' && op.query?.shape && 'cursor' in op.query.shape
          ? ref('schemas', 'Page')
          : { type: 'object' };
    responses[String(status)] = { description, content: { 'application/json': { schema: body } } };
  }
  // Exports past what one answer holds become a job.
  if (op.csv && !reads) responses['202'] = { description: 'Too many rows for one answer: an export job (GET /admin/exports/{id})', content: { 'application/json': { schema: ref('schemas', 'ExportJobStatus') } } };
  if (key === 'POST /admin/interactions/transcripts') responses['202'] = { description: 'Past 20 transcripts: an export job', content: { 'application/json': { schema: ref('schemas', 'ExportJobStatus') } } };
  if (op.body || op.query || !reads || pathParams.length > 0) responses['400'] = ref('responses', 'BadRequest');
  if (secured || route.path.startsWith('/auth/')) responses['401'] = ref('responses', 'Unauthorized');
  if (secured) responses['403'] = ref('responses', 'Forbidden');
  if (pathParams.length > 0 || route.path === '/auth/invitation') responses['404'] = ref('responses', 'NotFound');
  if (!reads && route.path !== '/auth/login') responses['409'] = ref('responses', 'Conflict');
  if (op.unsupportedContent) responses['422'] = ref('responses', 'UnsupportedContent');
  if (secured || route.path === '/auth/login') responses['423'] = ref('responses', 'Locked');
  if (route.path === '/auth/login') responses['429'] = ref('responses', 'TooManyAttempts');
  if (route.path === '/health') responses['503'] = { description: 'Not ready: the store is not ACTIVE (degraded) or the first start is not done (starting)', content: { 'application/json': { schema: ref('schemas', 'Health') } } };
  return {
    operationId: `${route.method.toLowerCase()}${route.path.replace(/\{(\w+)\+?\}/g, 'By-$1').replace(/[^A-Za-z0-9]+(\w)?/g, (_, c?: string) => (c ?? '').toUpperCase())}`,
    summary: op.summary ?? key,
    ...(access ? { description: `Who: ${describeAccess(access)}.`, 'x-access': access } : {}),
    tags: [route.path.split('/').filter(Boolean).slice(0, route.path.startsWith('/admin/') ? 2 : 1).join('/')],
    security: secured ? [{ bearer: [] }] : [],
    ...(parameters.length ? { parameters } : {}),
    ...(op.body ? { requestBody: { required: true, content: { 'application/json': { schema: ref('schemas', op.body), ...requestExamples(op.body) } } } } : {}),
    ...(op.providerBody
      ? {
          requestBody: {
            required: true,
            description: "The provider's own webhook body, verified against its signature on the raw bytes (see shared/reference)",
            content: { 'application/x-www-form-urlencoded': { schema: { type: 'string' } }, 'application/json': { schema: { type: 'object' } } },
          },
        }
      : {}),
    responses,
  };
}

const errorResponse = (description: string, example: { code: string; message: string; details?: { path: string; message: string }[] }) => ({
  description,
  content: { 'application/json': { schema: ref('schemas', 'Error'), example: { error: { details: [], ...example } } } },
});

function requestExamples(body: SchemaName): Record<string, unknown> {
  const examples = REQUEST_EXAMPLES[body];
  if (!examples) return {};
  return { examples: Object.fromEntries(Object.entries(examples).map(([name, value]) => [name, { value }])) };
}

/** Each provider's credential fields, from its module's own schema; every one write-only (never returned or logged). */
function credentialsOf(type: ProviderType): JsonSchema {
  const schema = toJsonSchema(providers[type].credentials as z.ZodMiniType);
  const properties = Object.fromEntries(
    Object.entries((schema.properties as Record<string, JsonSchema> | undefined) ?? {}).map(([name, prop]) => [name, { ...prop, writeOnly: true }]),
  );
  return { ...schema, properties, writeOnly: true, description: `${type} credentials: write-only; answers name only the fields set (credentials.set)` };
}

const WHATSAPP_KEY = { type: 'string', pattern: '^[A-Za-z0-9]{1,5}$', minLength: 1, maxLength: 5, description: 'a WhatsApp account’s key is 1 to 5 letters or digits' };
const KEY_DESCRIPTION = 'the account’s short code shown to agents: up to 20 characters for SMS; 1 to 5 letters or digits for WhatsApp';

/**
 * AccountCreate as a oneOf discriminated by `type`: each variant is the common body with that provider's channels
 * and credential fields; a WhatsApp key is 1 to 5 letters or digits whatever the provider.
 */
function accountCreateVariants(base: JsonSchema): Record<string, JsonSchema> {
  const out: Record<string, JsonSchema> = {};
  const baseProps = base.properties as Record<string, JsonSchema>;
  const mapping: Record<string, string> = {};
  for (const type of Object.keys(providers) as ProviderType[]) {
    const channels = (['sms', 'whatsapp'] as const).filter((c) => CHANNEL_PROVIDERS[c].includes(type));
    const name = `AccountCreate_${type}`;
    mapping[type] = `#/components/schemas/${name}`;
    out[name] = {
      ...base,
      title: `${type} account`,
      properties: {
        ...baseProps,
        type: { const: type },
        channel: { enum: channels },
        key: { ...baseProps.key, description: KEY_DESCRIPTION },
        credentials: credentialsOf(type),
      },
      ...(channels.includes('whatsapp') ? { if: { properties: { channel: { const: 'whatsapp' } }, required: ['channel'] }, then: { properties: { key: WHATSAPP_KEY } } } : {}),
    };
  }
  out.AccountCreate = {
    description: 'An SMS or WhatsApp account; `type` picks the provider, which decides the channels it serves and its credential fields',
    oneOf: Object.values(mapping).map(($ref) => ({ $ref })),
    discriminator: { propertyName: 'type', mapping },
  };
  return out;
}

/** PATCH: credentials of the account's type, merged field by field; every field any provider has, write-only. */
function accountPatch(base: JsonSchema): JsonSchema {
  const props = base.properties as Record<string, JsonSchema>;
  const fields: Record<string, JsonSchema> = {};
  for (const type of Object.keys(providers) as ProviderType[]) Object.assign(fields, (credentialsOf(type).properties as Record<string, JsonSchema>) ?? {});
  return {
    ...base,
    properties: {
      ...props,
      key: { ...props.key, description: KEY_DESCRIPTION },
      credentials: { type: 'object', writeOnly: true, properties: fields, description: "fields of the account type's credentials (AccountCreate_<type>), merged into the stored ones field by field; write-only" },
    },
  };
}

/** Builds the document for the given routes (the wiring's `httpRoutes`). */
export function openApiDocument(routes: readonly DocumentedRoute[], info: { title?: string; version?: string; serverUrl?: string } = {}) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const item = (paths[route.path] ??= {});
    item[route.method.toLowerCase()] = operationFor(route);
  }
  const schemas: Record<string, JsonSchema> = { Error: toJsonSchema(errorBodySchema), Page: toJsonSchema(pageSchema) };
  for (const [name, schema] of Object.entries({ ...SCHEMAS, ...RESPONSE_SCHEMAS })) schemas[name] = toJsonSchema(schema);
  for (const [name, schema] of Object.entries(RESPONSE_BODIES)) {
    if (schemas[name]) throw new Error(`response schema ${name} would replace the request schema of that name`);
    schemas[name] = schema;
    schemas[`${name}Page`] = pageOf(ref('schemas', name));
  }
  Object.assign(schemas, accountCreateVariants(schemas.AccountCreate!));
  schemas.AccountPatch = accountPatch(schemas.AccountPatch!);
  for (const [name, examples] of Object.entries(REQUEST_EXAMPLES)) if (schemas[name] && examples) schemas[name] = { ...schemas[name], examples: Object.values(examples) };
  return {
    openapi: '3.1.0',
    info: {
      title: info.title ?? 'Switchboard HTTP API',
      version: info.version ?? '0.1.0',
      description:
        'Every HTTP route of Switchboard: auth, the admin and supervision API, the agent API, provider webhooks and health. Errors share one body: { error: { code, message, details: [{ path, message }] } }; details name each offending field (body.x, query.y, path.z). The WebSocket API is described by GET /asyncapi.json (AsyncAPI 3.0).',
    },
    ...(info.serverUrl ? { servers: [{ url: info.serverUrl }] } : {}),
    paths,
    components: {
      schemas,
      responses: {
        BadRequest: errorResponse('Invalid input; details name every offending field (body.x, query.y)', { code: 'VALIDATION_FAILED', message: 'invalid input', details: [{ path: 'body.name', message: 'Too small: expected string to have >=1 characters' }] }),
        Unauthorized: errorResponse('A missing, expired or invalid bearer token (or wrong credentials at login)', { code: 'UNAUTHORIZED', message: 'missing or invalid bearer token' }),
        Forbidden: errorResponse('The role does not allow this', { code: 'FORBIDDEN', message: 'admins only' }),
        NotFound: errorResponse('No such item', { code: 'NOT_FOUND', message: 'interaction 01JB7ZR2D5N8QF0H3G6J9K2M4P not found' }),
        Conflict: errorResponse('A unique value is taken, the item is in use, or it changed meanwhile', { code: 'TAKEN', message: "body.key 'SUP' is already taken", details: [{ path: 'body.key', message: 'already taken' }] }),
        Locked: errorResponse('The user is locked or disabled', { code: 'LOCKED', message: 'the user is locked' }),
        TooManyAttempts: {
          ...errorResponse('Too many login attempts for this username from this address, or from this address; the same answer whatever the password', { code: 'TOO_MANY_ATTEMPTS', message: 'too many login attempts; wait and try again' }),
          headers: { 'Retry-After': { description: 'Seconds until the next attempt may be made', schema: { type: 'integer' } } },
        },
        UnsupportedContent: errorResponse("UNSUPPORTED_CONTENT: a part the account's provider cannot carry; details name it (parts.N, media.N, text)", { code: 'UNSUPPORTED_CONTENT', message: 'sms cannot carry a location', details: [{ path: 'parts.0', message: 'a location cannot be sent over SMS' }] }),
      },
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      /** What each entity's advanced search may match: field -> type, operators, enum values. */
      'x-searchable-fields': Object.fromEntries(Object.entries(searchCatalogs).map(([entity, catalog]) => [entity, describeCatalog(catalog as never)])),
    },
  };
}
