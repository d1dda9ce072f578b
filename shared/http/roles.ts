/**
 * Who may do what: the one role table. Every HTTP route key has exactly one access rule here, and the HTTP edge
 * (`httpApi`) enforces it before any handler runs: a route with no rule is refused, so a new route cannot slip
 * through unguarded (the role × route matrix test fails on it too). The README's role table is this table.
 *
 * What a rule grants each role:
 *   - `all`: the role may call the route;
 *   - `member`: only for interactions of accounts the caller belongs to (others answer 404, so ids of other
 *     accounts are not confirmed), enforced where the interaction is read (`interactionAccess`); for a queue's
 *     line, only for the queue's members (others 403);
 *   - `taken-over`: a supervisor, only on an interaction it took over with `POST /agent/interactions/{id}/take-over`;
 *   - `none`: 403.
 */
import { ForbiddenError } from '../errors';
import type { Role } from './auth';

export type Grant = 'all' | 'member' | 'taken-over' | 'none';

export type Access =
  /** Anyone, no token: login, invitation, health, the OpenAPI document. */
  | 'public'
  /** Providers: the account's unguessable proxy token in the URL plus the provider's signature, no bearer token. */
  | 'provider'
  /** A link the engine signed and dated (an export download): the signature is the credential, no bearer token. */
  | 'signed-link'
  /** Any signed-in user, about itself (its profile, presence, lists narrowed to what it may see). */
  | 'signed-in'
  /** Admins and supervisors: reading the configuration. */
  | 'staff'
  /** Admins only: changing the configuration. */
  | 'admin'
  /** Reading an interaction, its messages, media and notes; a supervisor's spying. */
  | 'interaction.read'
  /** What a supervisor may do without handling: internal notes, tags, transfers. */
  | 'interaction.supervise'
  /** Answering an offer (accept, reject): offers go to the account's agents; staff take over instead. */
  | 'interaction.offer'
  /** Handling: read marks, replies, templates, canned answers, video, close. */
  | 'interaction.handle'
  /** Taking an interaction over (audited). */
  | 'interaction.take-over'
  /** A queue's waiting line: the queue's members (403 for other agents) and staff. */
  | 'queue.member';

export const ACCESS_RULES: Record<Access, { anonymous: boolean; grants: Record<Role, Grant> }> = {
  public: { anonymous: true, grants: { admin: 'all', supervisor: 'all', agent: 'all' } },
  provider: { anonymous: true, grants: { admin: 'all', supervisor: 'all', agent: 'all' } },
  'signed-link': { anonymous: true, grants: { admin: 'all', supervisor: 'all', agent: 'all' } },
  'signed-in': { anonymous: false, grants: { admin: 'all', supervisor: 'all', agent: 'all' } },
  staff: { anonymous: false, grants: { admin: 'all', supervisor: 'all', agent: 'none' } },
  admin: { anonymous: false, grants: { admin: 'all', supervisor: 'none', agent: 'none' } },
  'interaction.read': { anonymous: false, grants: { admin: 'all', supervisor: 'all', agent: 'member' } },
  'interaction.supervise': { anonymous: false, grants: { admin: 'all', supervisor: 'all', agent: 'member' } },
  'interaction.offer': { anonymous: false, grants: { admin: 'none', supervisor: 'none', agent: 'member' } },
  'interaction.handle': { anonymous: false, grants: { admin: 'all', supervisor: 'taken-over', agent: 'member' } },
  'interaction.take-over': { anonymous: false, grants: { admin: 'all', supervisor: 'all', agent: 'none' } },
  'queue.member': { anonymous: false, grants: { admin: 'all', supervisor: 'all', agent: 'member' } },
};

const interaction = (access: Access, ...actions: string[]) => Object.fromEntries(actions.map((a) => [a, access]));

/** Admin resources: reads for staff, writes for admins. */
function adminResource(base: string, extra: Record<string, Access> = {}): Record<string, Access> {
  return {
    [`GET ${base}`]: 'staff',
    [`POST ${base}`]: 'admin',
    [`GET ${base}/{id}`]: 'staff',
    [`PATCH ${base}/{id}`]: 'admin',
    [`DELETE ${base}/{id}`]: 'admin',
    ...extra,
  };
}

/** Route key (`METHOD /path` as in lib/wiring.ts) → its access rule. */
export const ROUTE_ACCESS: Record<string, Access> = {
  'GET /health': 'public',
  'GET /openapi.json': 'public',
  'GET /asyncapi.json': 'public',
  'POST /auth/login': 'public',
  'POST /auth/invitation': 'public',

  'POST /webhooks/{accountId}/{token}': 'provider',
  'POST /webhooks/{accountId}/{token}/status': 'provider',
  'GET /webhooks/{accountId}/{token}': 'provider',
  'GET /webhooks/{accountId}/{token}/status': 'provider',

  'GET /agent/me': 'signed-in',
  'PUT /agent/presence': 'signed-in',
  // Lists only what the caller may see: an agent its accounts' interactions and canned answers, staff all.
  'GET /agent/interactions': 'signed-in',
  'GET /agent/canned-answers': 'signed-in',
  // The workspace's accounts and transfer targets, narrowed the same way.
  'GET /agent/accounts': 'signed-in',
  'GET /agent/directory': 'signed-in',
  // A queue's waiting line: its members (narrowed to their accounts' interactions) and staff; other agents 403.
  'GET /agent/queues/{id}/waiting': 'queue.member',
  'GET /supervisor/board': 'staff',

  ...interaction(
    'interaction.read',
    'GET /agent/interactions/{id}',
    'GET /agent/interactions/{id}/messages',
    'GET /agent/interactions/{id}/messages/{messageId}/media/{index}',
    'GET /agent/interactions/{id}/notes',
    // Translating a message is reading it (in the reader's language).
    'POST /agent/interactions/{id}/messages/{messageId}/translate',
  ),
  ...interaction('interaction.supervise', 'POST /agent/interactions/{id}/notes', 'PUT /agent/interactions/{id}/tags', 'POST /agent/interactions/{id}/transfer'),
  ...interaction('interaction.offer', 'POST /agent/interactions/{id}/accept', 'POST /agent/interactions/{id}/reject'),
  ...interaction(
    'interaction.handle',
    'POST /agent/interactions/{id}/read',
    'POST /agent/interactions/{id}/unread',
    'POST /agent/interactions/{id}/reply',
    'POST /agent/interactions/{id}/template',
    'POST /agent/interactions/{id}/canned',
    'POST /agent/interactions/{id}/video',
    'POST /agent/interactions/{id}/close',
    // The tools that prepare a reply: its translation preview, the assistant's suggestions.
    'POST /agent/interactions/{id}/reply/preview',
    'POST /agent/interactions/{id}/assist',
  ),
  'POST /agent/interactions/{id}/take-over': 'interaction.take-over',

  ...adminResource('/admin/agents', {
    'GET /admin/agents/export': 'staff',
    'POST /admin/agents/bulk-delete': 'admin',
    'POST /admin/agents/invitations': 'admin',
    'POST /admin/agents/{id}/invitation': 'admin',
    'GET /admin/agents/{id}/queues': 'staff',
    'GET /admin/agents/{id}/accounts': 'staff',
  }),
  ...adminResource('/admin/accounts', {
    'GET /admin/accounts/export': 'staff',
    'POST /admin/accounts/bulk-delete': 'admin',
    'GET /admin/accounts/{id}/agents': 'staff',
    'PUT /admin/accounts/{id}/agents/{agentId}': 'admin',
    'DELETE /admin/accounts/{id}/agents/{agentId}': 'admin',
    'GET /admin/accounts/{id}/whitelist': 'staff',
    'PUT /admin/accounts/{id}/whitelist': 'admin',
  }),
  ...adminResource('/admin/queues', {
    'GET /admin/queues/{id}/agents': 'staff',
    'PUT /admin/queues/{id}/agents/{agentId}': 'admin',
    'DELETE /admin/queues/{id}/agents/{agentId}': 'admin',
  }),
  ...adminResource('/admin/lists', {
    'GET /admin/lists/{id}/contacts': 'staff',
    'POST /admin/lists/{id}/contacts': 'admin',
    'GET /admin/lists/{id}/contacts/{contactId}': 'staff',
    'PATCH /admin/lists/{id}/contacts/{contactId}': 'admin',
    'DELETE /admin/lists/{id}/contacts/{contactId}': 'admin',
  }),
  'POST /admin/agents/search': 'staff',
  'POST /admin/accounts/search': 'staff',
  'POST /admin/lists/{id}/contacts/search': 'staff',
  ...adminResource('/admin/teams', {
    'GET /admin/teams/{id}/agents': 'staff',
    'PUT /admin/teams/{id}/agents/{agentId}': 'admin',
    'DELETE /admin/teams/{id}/agents/{agentId}': 'admin',
  }),
  'GET /admin/whatsapp/templates': 'staff',
  'POST /admin/whatsapp/templates': 'admin',
  'POST /admin/whatsapp/templates/sync': 'admin',
  'GET /admin/whatsapp/templates/{id}': 'staff',
  'DELETE /admin/whatsapp/templates/{id}': 'admin',
  'POST /admin/whatsapp/templates/{id}/sync': 'admin',
  ...adminResource('/admin/whatsapp/campaigns', {
    'POST /admin/whatsapp/campaigns/{id}/start': 'admin',
    'POST /admin/whatsapp/campaigns/{id}/pause': 'admin',
    'POST /admin/whatsapp/campaigns/{id}/resume': 'admin',
    'POST /admin/whatsapp/campaigns/{id}/cancel': 'admin',
    'GET /admin/whatsapp/campaigns/{id}/recipients': 'staff',
    'GET /admin/whatsapp/campaigns/{id}/recipients/export': 'staff',
  }),
  // Supervision (seed 004's interactions section): supervisors and admins alike list, search, export, read
  // transcripts, write internal notes and delete; agents never.
  ...Object.fromEntries(
    [
      'GET /admin/interactions',
      'POST /admin/interactions/search',
      'POST /admin/interactions/export',
      'POST /admin/interactions/bulk-delete',
      'POST /admin/interactions/transcripts',
      'GET /admin/interactions/{id}',
      'DELETE /admin/interactions/{id}',
      'GET /admin/interactions/{id}/transcript',
      'GET /admin/interactions/{id}/notes',
      'POST /admin/interactions/{id}/notes',
      'GET /admin/accounts/{id}/interactions',
      'POST /admin/accounts/{id}/interactions/search',
      'POST /admin/accounts/{id}/interactions/export',
      'POST /admin/exports',
      'GET /admin/exports/{id}',
    ].map((k) => [k, 'staff' as Access]),
  ),
  'GET /exports/{id}/download': 'signed-link',
  'GET /admin/audit': 'staff',
  ...adminResource('/admin/dispositions'),
  ...adminResource('/admin/canned-answers'),
  'GET /admin/accounts/{id}/dispositions': 'staff',
  'POST /admin/accounts/{id}/dispositions': 'admin',
  'GET /admin/accounts/{id}/dispositions/{dispositionId}': 'staff',
  'PATCH /admin/accounts/{id}/dispositions/{dispositionId}': 'admin',
  'DELETE /admin/accounts/{id}/dispositions/{dispositionId}': 'admin',
  'GET /admin/accounts/{id}/canned-answers': 'staff',
  'POST /admin/accounts/{id}/canned-answers': 'admin',
  'GET /admin/accounts/{id}/canned-answers/{cannedAnswerId}': 'staff',
  'PATCH /admin/accounts/{id}/canned-answers/{cannedAnswerId}': 'admin',
  'DELETE /admin/accounts/{id}/canned-answers/{cannedAnswerId}': 'admin',
  'GET /admin/accounts/{id}/knowledge': 'staff',
  'POST /admin/accounts/{id}/knowledge': 'admin',
  'GET /admin/accounts/{id}/knowledge/{documentId}': 'staff',
  'DELETE /admin/accounts/{id}/knowledge/{documentId}': 'admin',
};

const GRANT_WORDS: Record<Grant, string> = {
  all: 'yes',
  member: 'its accounts only',
  'taken-over': 'after taking it over',
  none: 'no',
};

/** The rule in words, for the OpenAPI document. */
export function describeAccess(access: Access): string {
  const rule = ACCESS_RULES[access];
  if (access === 'public') return 'anyone, no token';
  if (access === 'provider') return "providers: the account's proxy token in the URL and the provider's signature";
  if (access === 'signed-link') return 'anyone holding the signed link, until it expires';
  const words = (grant: Grant) => (grant === 'member' && access === 'queue.member' ? "the queue's members only" : GRANT_WORDS[grant]);
  return (['admin', 'supervisor', 'agent'] as const).map((role) => `${role}: ${words(rule.grants[role])}`).join('; ');
}

export function accessOf(routeKey: string): Access | undefined {
  return Object.hasOwn(ROUTE_ACCESS, routeKey) ? ROUTE_ACCESS[routeKey] : undefined;
}

const REFUSALS: Partial<Record<Access, string>> = {
  admin: 'admins only',
  staff: 'admins and supervisors only',
  'interaction.offer': "offers go to the account's agents; admins and supervisors take the interaction over instead (POST /agent/interactions/{id}/take-over)",
  'interaction.take-over': 'only supervisors and admins take an interaction over',
};

/** The role-level check (before any resource is read): 403 for a role the rule grants nothing. */
export function requireGrant(access: Access, role: Role): Grant {
  const grant = ACCESS_RULES[access].grants[role];
  if (grant === 'none') throw new ForbiddenError(REFUSALS[access] ?? 'your role does not allow this');
  return grant;
}

export class TakeOverRequiredError extends ForbiddenError {
  constructor() {
    super('supervisors reply, close and handle an interaction only after taking it over (POST /agent/interactions/{id}/take-over)');
  }
}

/**
 * The interaction-level check, once the interaction is read: whether the caller may act on this one.
 * 'hidden' means answer 404 (an agent outside the account); a supervisor who has not taken it over gets a 403.
 */
export function interactionAccess(
  grant: Grant,
  caller: { id: string },
  interaction: { agentId?: string },
  isMemberOfAccount: boolean,
): 'ok' | 'hidden' {
  switch (grant) {
    case 'all':
      return 'ok';
    case 'member':
      return isMemberOfAccount ? 'ok' : 'hidden';
    case 'taken-over':
      if (interaction.agentId !== caller.id) throw new TakeOverRequiredError();
      return 'ok';
    case 'none':
      throw new ForbiddenError();
  }
}
