/**
 * What each entity lets the advanced search match: its fields, their types (which decide the operators), and
 * how to read each from an item. The OpenAPI document publishes these catalogs; the handlers parse searches
 * against them. Interactions are read as stored rows; accounts and agents as the views the API returns.
 */
import { matcher, parseSearch, type FieldCatalog } from '../domain/search';
import { ValidationError } from '../errors';
import { paginate, type Page } from '../store/util';
import type { SearchBody } from './search-schema';
import { PROVIDER_TYPES } from '../providers/types';
import { ROLES } from '../http/auth';
import type { AccountView } from './accounts';
import type { AgentView } from '../store/agents';
import type { Contact } from '../store/lists';
import { firstResponseSeconds, handleSeconds, lastMessageAt, type InteractionRow } from '../store/interaction-queries';

const CHANNELS = ['sms', 'whatsapp'] as const;

export const interactionFields: FieldCatalog<InteractionRow> = {
  id: { type: 'string', get: (i) => i.id },
  accountId: { type: 'string', get: (i) => i.accountId },
  channel: { type: 'enum', values: CHANNELS, get: (i) => i.channel },
  contactPhone: { type: 'string', get: (i) => i.contactPhone, description: 'the customer number, E.164' },
  contactId: { type: 'string', get: (i) => i.contactId },
  agentId: { type: 'string', get: (i) => i.agentId },
  queueId: { type: 'string', get: (i) => i.queueId ?? i.routing?.queueId },
  status: { type: 'enum', values: ['open', 'closed'], get: (i) => i.status },
  read: { type: 'boolean', get: (i) => (i.unread ?? 0) === 0, description: 'no unread customer message' },
  unread: { type: 'number', get: (i) => i.unread ?? 0 },
  startedAt: { type: 'date', get: (i) => i.createdAt },
  closedAt: { type: 'date', get: (i) => i.closedAt },
  lastMessageAt: { type: 'date', get: (i) => lastMessageAt(i) },
  disposition: { type: 'string', get: (i) => i.disposition },
  closeReason: { type: 'string', get: (i) => i.closeReason },
  tags: { type: 'tags', get: (i) => i.tags ?? [] },
  messageCount: { type: 'number', get: (i) => i.messageCount },
  firstResponseSeconds: { type: 'number', get: (i) => firstResponseSeconds(i) },
  handleSeconds: { type: 'number', get: (i) => handleSeconds(i) },
};

export const accountFields: FieldCatalog<AccountView> = {
  id: { type: 'string', get: (a) => a.id },
  name: { type: 'string', get: (a) => a.name },
  key: { type: 'string', get: (a) => a.key },
  channel: { type: 'enum', values: CHANNELS, get: (a) => a.channel },
  type: { type: 'enum', values: PROVIDER_TYPES, get: (a) => a.type },
  phone: { type: 'string', get: (a) => a.phone },
  listId: { type: 'string', get: (a) => a.listId },
  domain: { type: 'string', get: (a) => a.domain },
  description: { type: 'string', get: (a) => a.description },
  whitelistEnabled: { type: 'boolean', get: (a) => a.settings.whitelist.enabled },
  createdAt: { type: 'date', get: (a) => a.createdAt },
  updatedAt: { type: 'date', get: (a) => a.updatedAt },
};

export const agentFields: FieldCatalog<AgentView> = {
  id: { type: 'string', get: (a) => a.id },
  username: { type: 'string', get: (a) => a.username },
  fullName: { type: 'string', get: (a) => a.fullName },
  alias: { type: 'string', get: (a) => a.alias },
  email: { type: 'string', get: (a) => a.email },
  extension: { type: 'string', get: (a) => a.extension },
  typology: { type: 'enum', values: ['phonebar', 'external', 'webrtc', 'mobile'], get: (a) => a.typology },
  role: { type: 'enum', values: ROLES, get: (a) => a.role },
  description: { type: 'string', get: (a) => a.description },
  disabled: { type: 'boolean', get: (a) => a.disabled },
  locked: { type: 'boolean', get: (a) => a.locked },
  createdAt: { type: 'date', get: (a) => a.createdAt },
  updatedAt: { type: 'date', get: (a) => a.updatedAt },
};

export const contactFields: FieldCatalog<Contact> = {
  id: { type: 'string', get: (c) => c.id },
  phone: { type: 'string', get: (c) => c.phone },
  firstName: { type: 'string', get: (c) => c.firstName },
  lastName: { type: 'string', get: (c) => c.lastName },
  email: { type: 'string', get: (c) => c.email },
  createdAt: { type: 'date', get: (c) => c.createdAt },
  updatedAt: { type: 'date', get: (c) => c.updatedAt },
};

export const searchCatalogs = { interactions: interactionFields, accounts: accountFields, agents: agentFields, contacts: contactFields };

/**
 * An advanced search over a set already read from one partition (accounts, agents, a list's contacts: hundreds of
 * items): the same conditions as interactions, then sort and cursor paging.
 */
export function searchItems<T extends { id: string }>(items: T[], body: SearchBody, catalog: FieldCatalog<T>): Page<T> {
  const found = items.filter(matcher(parseSearch(body, catalog), catalog));
  const sortable = Object.keys(catalog).filter((f) => catalog[f]!.type !== 'tags');
  if (body.sort && !sortable.includes(body.sort)) throw new ValidationError(`cannot sort by ${body.sort}`, [{ path: 'body.sort', message: `one of ${sortable.join(', ')}` }]);
  const sort = body.sort ?? 'id';
  const keyed = found.map((item) => ({ ...(item as Record<string, unknown>), __sort: String(catalog[sort]!.get(item) ?? '') }));
  const page = paginate(keyed, { sort: '__sort', order: body.order ?? 'asc', limit: body.limit, ...(body.cursor ? { cursor: body.cursor } : {}) }, [], ['__sort']);
  return { ...page, items: page.items.map(({ __sort: _s, ...rest }) => rest as unknown as T) };
}
