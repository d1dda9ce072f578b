/**
 * Dispositions and canned answers: /admin/dispositions and /admin/canned-answers for the general ones,
 * /admin/accounts/{id}/dispositions and /admin/accounts/{id}/canned-answers for an account's own (404 when the
 * account does not exist). Each list shows its own scope only.
 */
import {
  cannedAnswerCreateSchema,
  cannedAnswerPatchSchema,
  catalogListQuery,
  dispositionCreateSchema,
  dispositionPatchSchema,
  knowledgeCreateSchema,
} from '../shared/admin/catalog-schema';
import { NotFoundError } from '../shared/errors';
import { createKnowledgeDocument, deleteKnowledgeDocument, getKnowledgeDocument, listKnowledgeDocuments } from '../shared/store/knowledge';
import { httpApi, json, noContent, type HttpRequest, type RouteHandler } from '../shared/http/api';
import { adminAccess } from '../shared/http/guard';
import { requireAccount } from '../shared/store/accounts';
import {
  createCatalogItem,
  deleteCatalogItem,
  listCatalogItems,
  requireCatalogItem,
  updateCatalogItem,
  type CannedAnswer,
  type CatalogScope,
  type Disposition,
} from '../shared/store/catalog';
import { paginate, type ListQuery } from '../shared/store/util';
import { parseInput } from '../shared/validation';

const guarded =
  (route: RouteHandler): RouteHandler =>
  async (req) => {
    await adminAccess(req);
    return route(req);
  };

/** The scope of the request: an account's own items (after checking the account) or the general catalog. */
async function scopeOf(req: HttpRequest, perAccount: boolean): Promise<CatalogScope> {
  if (!perAccount) return {};
  await requireAccount(req.params.id!);
  return { accountId: req.params.id! };
}

/** Copies a PATCH onto the current item; null clears an optional field. */
function applyPatch<T extends object>(current: T, patch: Record<string, unknown>): T {
  const next = { ...current } as Record<string, unknown>;
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete next[k];
    else if (v !== undefined) next[k] = v;
  }
  return next as T;
}

function dispositionRoutes(base: string, itemParam: string, perAccount: boolean): Record<string, RouteHandler> {
  const one = `${base}/{${itemParam}}`;
  return {
    [`GET ${base}`]: guarded(async (req) => {
      const query = parseInput(catalogListQuery, req.query, 'query');
      const all = await listCatalogItems('disposition', await scopeOf(req, perAccount));
      return json(200, paginate(all as unknown as Record<string, unknown>[], query as ListQuery, ['name', 'description'], ['name', 'createdAt', 'updatedAt']));
    }),
    [`POST ${base}`]: guarded(async (req) => {
      const input = parseInput(dispositionCreateSchema, req.json());
      return json(201, await createCatalogItem('disposition', await scopeOf(req, perAccount), input));
    }),
    [`GET ${one}`]: guarded(async (req) => json(200, await requireCatalogItem('disposition', await scopeOf(req, perAccount), req.params[itemParam]!))),
    [`PATCH ${one}`]: guarded(async (req) => {
      const patch = parseInput(dispositionPatchSchema, req.json());
      const current = await requireCatalogItem('disposition', await scopeOf(req, perAccount), req.params[itemParam]!);
      return json(200, await updateCatalogItem('disposition', current, applyPatch<Disposition>(current, patch)));
    }),
    [`DELETE ${one}`]: guarded(async (req) => {
      await deleteCatalogItem('disposition', await requireCatalogItem('disposition', await scopeOf(req, perAccount), req.params[itemParam]!));
      return noContent();
    }),
  };
}

function cannedAnswerRoutes(base: string, itemParam: string, perAccount: boolean): Record<string, RouteHandler> {
  const one = `${base}/{${itemParam}}`;
  return {
    [`GET ${base}`]: guarded(async (req) => {
      const query = parseInput(catalogListQuery, req.query, 'query');
      const all = await listCatalogItems('canned', await scopeOf(req, perAccount));
      return json(200, paginate(all as unknown as Record<string, unknown>[], query as ListQuery, ['name', 'text', 'shortcut'], ['name', 'createdAt', 'updatedAt']));
    }),
    [`POST ${base}`]: guarded(async (req) => {
      const input = parseInput(cannedAnswerCreateSchema, req.json());
      return json(201, await createCatalogItem('canned', await scopeOf(req, perAccount), input));
    }),
    [`GET ${one}`]: guarded(async (req) => json(200, await requireCatalogItem('canned', await scopeOf(req, perAccount), req.params[itemParam]!))),
    [`PATCH ${one}`]: guarded(async (req) => {
      const patch = parseInput(cannedAnswerPatchSchema, req.json());
      const current = await requireCatalogItem('canned', await scopeOf(req, perAccount), req.params[itemParam]!);
      return json(200, await updateCatalogItem('canned', current, applyPatch<CannedAnswer>(current, patch)));
    }),
    [`DELETE ${one}`]: guarded(async (req) => {
      await deleteCatalogItem('canned', await requireCatalogItem('canned', await scopeOf(req, perAccount), req.params[itemParam]!));
      return noContent();
    }),
  };
}

/** The assistant's documents of an account: listed without their text, read and deleted one by one. */
const knowledgeRoutes: Record<string, RouteHandler> = {
  'GET /admin/accounts/{id}/knowledge': guarded(async (req) => {
    const account = await requireAccount(req.params.id!);
    const items = (await listKnowledgeDocuments(account.id)).map(({ text: _t, ...summary }) => summary);
    return json(200, { items });
  }),
  'POST /admin/accounts/{id}/knowledge': guarded(async (req) => {
    const input = parseInput(knowledgeCreateSchema, req.json());
    const account = await requireAccount(req.params.id!);
    return json(201, await createKnowledgeDocument({ accountId: account.id, ...input, createdBy: req.actor?.id ?? 'unknown' }));
  }),
  'GET /admin/accounts/{id}/knowledge/{documentId}': guarded(async (req) => {
    const account = await requireAccount(req.params.id!);
    const doc = await getKnowledgeDocument(account.id, req.params.documentId!);
    if (!doc) throw new NotFoundError(`document ${req.params.documentId}`);
    return json(200, doc);
  }),
  'DELETE /admin/accounts/{id}/knowledge/{documentId}': guarded(async (req) => {
    const account = await requireAccount(req.params.id!);
    if (!(await deleteKnowledgeDocument(account.id, req.params.documentId!))) throw new NotFoundError(`document ${req.params.documentId}`);
    return noContent();
  }),
};

export const handler = httpApi({
  ...knowledgeRoutes,
  ...dispositionRoutes('/admin/dispositions', 'id', false),
  ...cannedAnswerRoutes('/admin/canned-answers', 'id', false),
  ...dispositionRoutes('/admin/accounts/{id}/dispositions', 'dispositionId', true),
  ...cannedAnswerRoutes('/admin/accounts/{id}/canned-answers', 'cannedAnswerId', true),
});
