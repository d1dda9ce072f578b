/** /admin/lists: contact lists and their contacts (E.164 phone unique within a list, names, email, custom fields). */
import { normaliseE164 } from '../shared/domain/phone';
import { contactCreateSchema, contactListQuery, contactPatchSchema, listCreateSchema, listListQuery, listPatchSchema } from '../shared/admin/list-schema';
import { NotFoundError, ValidationError } from '../shared/errors';
import { httpApi, json, noContent, type RouteHandler } from '../shared/http/api';
import { adminAccess } from '../shared/http/guard';
import {
  createContact,
  createList,
  deleteContact,
  deleteList,
  getContact,
  listContacts,
  listLists,
  requireList,
  updateContact,
  updateList,
  type Contact,
  type NewContact,
} from '../shared/store/lists';
import { paginate, type ListQuery } from '../shared/store/util';
import { parseInput } from '../shared/validation';
import { contactFields, searchItems } from '../shared/admin/search-fields';
import { searchSchema } from '../shared/admin/search-schema';
import { deleteInteraction, interactionsOfContact } from '../shared/store/interaction-erase';

const guarded =
  (route: RouteHandler): RouteHandler =>
  async (req) => {
    await adminAccess(req);
    return route(req);
  };

async function requireContact(listId: string, contactId: string): Promise<Contact> {
  await requireList(listId);
  const contact = await getContact(listId, contactId);
  if (!contact) throw new NotFoundError(`contact ${contactId}`);
  return contact;
}

export const handler = httpApi({
  'GET /admin/lists': guarded(async (req) => {
    const query = parseInput(listListQuery, req.query, 'query');
    const all = await listLists();
    return json(200, paginate(all as unknown as Record<string, unknown>[], query as ListQuery, ['name', 'description'], ['name', 'createdAt', 'updatedAt']));
  }),

  'POST /admin/lists': guarded(async (req) => json(201, await createList(parseInput(listCreateSchema, req.json())))),

  'GET /admin/lists/{id}': guarded(async (req) => json(200, await requireList(req.params.id!))),

  'PATCH /admin/lists/{id}': guarded(async (req) => {
    const patch = parseInput(listPatchSchema, req.json());
    const current = await requireList(req.params.id!);
    const description = patch.description === undefined ? current.description : (patch.description ?? undefined);
    const next = await updateList(current, { name: patch.name ?? current.name, description });
    if (next.description === undefined || next.description === null) delete next.description;
    return json(200, next);
  }),

  'DELETE /admin/lists/{id}': guarded(async (req) => {
    await deleteList(req.params.id!);
    return noContent();
  }),

  'GET /admin/lists/{id}/contacts': guarded(async (req) => {
    const query = parseInput(contactListQuery, req.query, 'query');
    await requireList(req.params.id!);
    const all = await listContacts(req.params.id!);
    const page = paginate(all as unknown as Record<string, unknown>[], query as ListQuery, ['phone', 'firstName', 'lastName', 'email'], [
      'phone',
      'firstName',
      'lastName',
      'email',
      'createdAt',
      'updatedAt',
    ]);
    return json(200, page);
  }),

  'POST /admin/lists/{id}/contacts': guarded(async (req) => {
    const input = parseInput(contactCreateSchema, req.json());
    return json(201, await createContact({ ...input, phone: normaliseE164(input.phone), listId: req.params.id! }));
  }),

  'GET /admin/lists/{id}/contacts/{contactId}': guarded(async (req) => json(200, await requireContact(req.params.id!, req.params.contactId!))),

  'PATCH /admin/lists/{id}/contacts/{contactId}': guarded(async (req) => {
    const patch = parseInput(contactPatchSchema, req.json());
    const current = await requireContact(req.params.id!, req.params.contactId!);
    const changes: Partial<NewContact> = {};
    if (patch.phone !== undefined) changes.phone = normaliseE164(patch.phone);
    // null clears: the key is kept with undefined so the spread in updateContact drops the old value.
    for (const field of ['firstName', 'lastName', 'email', 'fields'] as const) {
      if (patch[field] !== undefined) Object.assign(changes, { [field]: patch[field] ?? undefined });
    }
    return json(200, await updateContact(current, changes));
  }),

  'POST /admin/lists/{id}/contacts/search': guarded(async (req) => {
    await requireList(req.params.id!);
    return json(200, searchItems(await listContacts(req.params.id!), parseInput(searchSchema, req.json()), contactFields));
  }),

  /** `?erase=true` also deletes every interaction of the contact (with their messages, notes and pointers). */
  'DELETE /admin/lists/{id}/contacts/{contactId}': guarded(async (req) => {
    const contact = await requireContact(req.params.id!, req.params.contactId!);
    const erased: string[] = [];
    if (req.query.erase === 'true') {
      for (const id of await interactionsOfContact(contact.listId, contact.id)) if (await deleteInteraction(id)) erased.push(id);
      req.audit = { action: 'contact.erase', targetType: 'contact', targetIds: [contact.listId, contact.id, ...erased], details: { interactions: erased.length } };
    } else if (req.query.erase !== undefined && req.query.erase !== 'false') {
      throw new ValidationError('erase is true or false', [{ path: 'query.erase', message: 'true or false' }]);
    }
    await deleteContact(contact);
    return noContent();
  }),
});
