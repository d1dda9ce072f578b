/**
 * WhatsApp template use cases: create (checked here first, then submitted to the account's provider: Meta, Kaleyra
 * or Twilio's Content API), keep the status in step with the provider (its webhook, the sync endpoint, the periodic
 * sync), and delete (at the provider too). A template the provider pauses or disables pauses the campaigns that
 * use it, and the admins are told.
 */
import { accountCredentials } from '../admin/account-credentials';
import type { TemplateCreate } from '../admin/whatsapp-schema';
import { config } from '../config';
import { templateParameters, validateTemplate, type TemplateDefinition } from '../domain/templates';
import { AppError, ConflictError, ValidationError } from '../errors';
import { log } from '../logger';
import { nowIso } from '../ports/clock';
import { providerFor } from '../providers';
import {
  buildApprovalRequest,
  buildDelete,
  buildFetch,
  buildSubmit,
  parseFetch,
  parseSubmit,
  providerError,
  TEMPLATE_PROVIDERS,
  TWILIO_CONTENT_BASE_URL,
  type TemplateApiContext,
} from '../providers/template-api';
import type { HttpRequestSpec, HttpResponseSpec } from '../providers/types';
import { requireAccount, type Account } from '../store/accounts';
import { campaignsUsingTemplate } from '../store/campaigns';
import { isRecontactOf } from './template-status';
import {
  findTemplateByName,
  getTemplate,
  insertTemplate,
  listTemplates,
  removeTemplate,
  type WhatsAppTemplate,
} from '../store/templates';
import { ulid } from '../ids';
import { applyTemplateState } from './template-status';

export { applyTemplateState, handleTemplateEvent } from './template-status';

const TIMEOUT_MS = 10_000;

async function call(spec: HttpRequestSpec): Promise<HttpResponseSpec> {
  let res: Response;
  try {
    res = await fetch(spec.url, { method: spec.method, headers: spec.headers, ...(spec.body !== undefined ? { body: spec.body } : {}), signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (error) {
    throw new AppError(502, 'PROVIDER_UNAVAILABLE', `the provider could not be reached: ${(error as Error).message}`);
  }
  const headers: Record<string, string> = {};
  res.headers.forEach((v, k) => (headers[k] = v));
  return { status: res.status, headers, body: await res.text() };
}

/** A refused call: the provider's 4xx is the admin's to fix (422 with its words); anything else is a 502. */
function refused(res: HttpResponseSpec, what: string): AppError {
  const message = `the provider refused to ${what}: ${providerError(res)}`;
  if (res.status >= 400 && res.status < 500 && res.status !== 401 && res.status !== 403 && res.status !== 429) {
    return new AppError(422, 'PROVIDER_REJECTED', message, [{ path: 'body', message: providerError(res) }]);
  }
  return new AppError(502, res.status === 429 ? 'RATE_LIMITED' : res.status === 401 || res.status === 403 ? 'AUTH_FAILED' : 'PROVIDER_ERROR', message);
}

const ok = (res: HttpResponseSpec) => res.status >= 200 && res.status < 300;

async function apiContext(account: Account): Promise<TemplateApiContext> {
  const credentials = await accountCredentials(account);
  const own = typeof credentials.baseUrl === 'string' && credentials.baseUrl ? credentials.baseUrl : undefined;
  const baseUrl =
    account.type === 'twilio'
      ? (config.providerBaseUrls.twiliocontent ?? TWILIO_CONTENT_BASE_URL)
      : (config.providerBaseUrls[account.type] ?? own ?? providerFor(account.type).defaultBaseUrl);
  return { type: account.type, credentials, baseUrl };
}

/** The account a template belongs to: a WhatsApp account of a provider that approves templates. */
async function templateAccount(accountId: string): Promise<Account> {
  const account = await requireAccount(accountId);
  if (account.channel !== 'whatsapp' || !TEMPLATE_PROVIDERS.includes(account.type)) {
    throw new ValidationError('templates need a WhatsApp account of Meta, Kaleyra or Twilio', [
      { path: 'body.accountId', message: `a ${account.channel} account of ${account.type} has no WhatsApp templates` },
    ]);
  }
  return account;
}

export async function createTemplate(input: TemplateCreate): Promise<WhatsAppTemplate> {
  const definition: TemplateDefinition = {
    name: input.name,
    language: input.language,
    category: input.category,
    parameterFormat: input.parameterFormat,
    components: input.components as TemplateDefinition['components'],
  };
  const problems = validateTemplate(definition).map((p) => ({ path: `body.${p.path}`, message: p.message }));
  if (problems.length) throw new ValidationError(`invalid template: ${problems.map((p) => p.path).join(', ')}`, problems);
  const account = await templateAccount(input.accountId);
  if (account.type === 'twilio' && definition.parameterFormat === 'NAMED') {
    throw new ValidationError('Twilio Content templates take positional variables', [{ path: 'body.parameterFormat', message: 'POSITIONAL for Twilio accounts' }]);
  }
  // Refused before the provider hears of it: the provider would refuse a second one of this name and language.
  if (await findTemplateByName(account.id, definition.name, definition.language)) throw new ConflictError('TAKEN', `template '${definition.name}' (${definition.language}) already exists`, [{ path: 'body.name', message: 'already taken for this language' }]);

  const ctx = await apiContext(account);
  const res = await call(buildSubmit(ctx, definition));
  if (!ok(res)) throw refused(res, 'create the template');
  const state = parseSubmit(account.type, res);
  if (account.type === 'twilio' && state.providerTemplateId) {
    const approval = await call(buildApprovalRequest(ctx, state.providerTemplateId, definition));
    if (!ok(approval)) log.warn('the Twilio approval request was refused; the template stays unsubmitted', { status: approval.status, detail: providerError(approval) });
  }
  const at = nowIso();
  const template: WhatsAppTemplate = {
    id: ulid(),
    accountId: account.id,
    provider: account.type,
    ...definition,
    parameters: templateParameters(definition),
    status: state.status ?? 'PENDING',
    ...(state.providerTemplateId ? { providerTemplateId: state.providerTemplateId } : {}),
    statusAt: at,
    createdAt: at,
    updatedAt: at,
    version: 1,
  };
  await insertTemplate(template);
  return template;
}

/** Asks the provider for the template's status now. */
export async function syncTemplate(template: WhatsAppTemplate): Promise<WhatsAppTemplate> {
  const account = await requireAccount(template.accountId);
  if (account.type === 'twilio' && !template.providerTemplateId) return template;
  const res = await call(buildFetch(await apiContext(account), template));
  if (res.status === 404) return applyTemplateState(template, { status: 'DELETED' }, 'sync');
  if (!ok(res)) throw refused(res, 'report the template status');
  const state = parseFetch(account.type, res, { language: template.language, ...(template.providerTemplateId ? { providerTemplateId: template.providerTemplateId } : {}) });
  return applyTemplateState(template, state ?? { status: 'DELETED' }, 'sync');
}

/** The periodic sync: every template not deleted, one at a time; one that fails does not stop the others. */
export async function syncAllTemplates(): Promise<{ synced: number; failed: number }> {
  let synced = 0;
  let failed = 0;
  for (const template of await listTemplates()) {
    if (template.status === 'DELETED') continue;
    try {
      await syncTemplate(template);
      synced += 1;
    } catch (error) {
      failed += 1;
      log.warn('template sync failed', { templateId: template.id, error });
    }
  }
  return { synced, failed };
}

export async function deleteTemplate(template: WhatsAppTemplate): Promise<void> {
  const using = (await campaignsUsingTemplate(template.id)).filter((c) => c.status === 'running' || c.status === 'scheduled' || c.status === 'paused');
  if (using.length) throw new ConflictError('IN_USE', `template '${template.name}' is used by ${using.length} campaign(s) not finished`, using.map((c) => ({ path: 'campaigns', message: c.id })));
  const account = await requireAccount(template.accountId);
  if (isRecontactOf(account, template)) {
    throw new ConflictError('IN_USE', `template '${template.name}' is the account's recontact template: choose another one in its settings first`, [{ path: 'account.settings.recontactTemplate', message: account.id }]);
  }
  if (account.type !== 'twilio' || template.providerTemplateId) {
    const res = await call(buildDelete(await apiContext(account), template));
    // Already gone at the provider is what we wanted.
    if (!ok(res) && res.status !== 404) throw refused(res, 'delete the template');
  }
  await removeTemplate(template);
}

export { getTemplate };
