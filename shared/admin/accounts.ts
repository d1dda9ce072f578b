/**
 * The accounts use cases: validation across fields, credential encryption, the public view (receive URL and proxy
 * token shown, credential values never), list with search and filters, CSV export.
 */
import { randomBytes } from 'node:crypto';
import { stringify } from 'csv-stringify/sync';
import { ulid } from '../ids';
import { ValidationError, type ErrorDetail } from '../errors';
import { decryptSecret, encryptSecret } from '../ports/cipher';
import { nowIso } from '../ports/clock';
import { CHANNEL_PROVIDERS, providerFor, RECONTACT_PROVIDERS } from '../providers';
import type { Channel, ProviderType, WebhookAuthentication } from '../providers/types';
import { insertAccount, replaceAccount, type Account } from '../store/accounts';
import { getAgent } from '../store/agents';
import { getQueue } from '../store/queues';
import { checkRecontactChoice } from '../outbound/stored-template';
import { paginate, type ListQuery, type Page } from '../store/util';
import * as z from 'zod/mini';
import { issuesToDetails } from '../validation';
import { GOOGLE_TRANSLATE_KEY, receiveUrl, VIDEO_KEY } from './account-credentials';
import { normaliseE164 } from '../domain/phone';
import { settingsSchema, toolsOf, type AccountCreate, type AccountPatch, type AccountSettings } from './account-schema';

// Also here, where the admin API's callers and tests have always found them.
export { accountCredentials, accountGoogleTranslateKey, accountVideoApiKey, receiveUrl } from './account-credentials';

const HIDDEN_FIELDS = [VIDEO_KEY, GOOGLE_TRANSLATE_KEY];

type TranslationSettings = AccountSettings['tools']['translation'];
type TranslationView = Omit<TranslationSettings, 'google'> & { google?: { projectId: string; apiKeySet: boolean } };

/** Settings as stored: the write-only keys taken out (they go into the sealed credentials). */
function withoutSecrets(settings: AccountSettings): { stored: AccountSettings; videoApiKey?: string; googleApiKey?: string } {
  const { apiKey: videoApiKey, ...video } = settings.video;
  const tools = toolsOf(settings);
  const translation = tools.translation;
  const { apiKey: googleApiKey, ...google } = translation.google ?? { projectId: '' };
  const stored: AccountSettings = {
    ...settings,
    video,
    tools: { ...tools, translation: { ...translation, ...(translation.google ? { google } : {}) } },
  };
  return { stored, ...(videoApiKey ? { videoApiKey } : {}), ...(googleApiKey ? { googleApiKey } : {}) };
}

export interface AccountView extends Omit<Account, 'credentialsBlob' | 'credentialFields' | 'settings' | 'allowUnauthenticatedWebhooks' | 'proxyToken'> {
  /** `none`: the account takes webhooks with no authentication beyond the proxy token in the URL. */
  webhookAuthentication: WebhookAuthentication;
  allowUnauthenticatedWebhooks: boolean;
  /** Admins only. */
  proxyToken?: string;
  /** Admins only. */
  receiveUrl?: string;
  /** Admins only. */
  statusUrl?: string;
  credentials: { set: string[] };
  settings: Omit<AccountSettings, 'video' | 'tools'> & {
    video: Omit<AccountSettings['video'], 'apiKey'> & { apiKeySet: boolean };
    tools: { translation: TranslationView; assistant: AccountSettings['tools']['assistant'] };
  };
}

export type AccountViewer = 'admin' | 'supervisor' | 'agent';

/**
 * An account as the API shows it. Only admins see the proxy token and the receive URLs that carry it: with them
 * anyone can post webhooks as the provider.
 */
export function accountView(account: Account, viewer: AccountViewer = 'admin'): AccountView {
  const { credentialsBlob: _b, credentialFields, settings, proxyToken, allowUnauthenticatedWebhooks, ...rest } = account;
  const { apiKey: _k, ...video } = settings.video;
  const common = {
    ...rest,
    webhookAuthentication: webhookAuthenticationOf(account),
    allowUnauthenticatedWebhooks: allowUnauthenticatedWebhooks ?? false,
    credentials: { set: credentialFields.filter((f) => !HIDDEN_FIELDS.includes(f)) },
    settings: { ...settings, video: { ...video, apiKeySet: credentialFields.includes(VIDEO_KEY) }, tools: toolsView(settings, credentialFields) },
  };
  if (viewer !== 'admin') return common as AccountView;
  return { ...common, proxyToken, receiveUrl: receiveUrl(account), statusUrl: `${receiveUrl(account)}/status` };
}

function toolsView(settings: AccountSettings, credentialFields: string[]): AccountView['settings']['tools'] {
  const tools = toolsOf(settings);
  const { google, ...translation } = tools.translation;
  return {
    ...tools,
    translation: {
      ...translation,
      ...(google ? { google: { projectId: google.projectId, apiKeySet: credentialFields.includes(GOOGLE_TRANSLATE_KEY) } } : {}),
    },
  };
}

/** Google translation needs its project and key before it can be turned on. */
function translationProblems(settings: AccountSettings, credentialFields: string[]): ErrorDetail[] {
  const t = toolsOf(settings).translation;
  if (!t.enabled || t.provider !== 'google') return [];
  if (!t.google) return [{ path: 'body.settings.tools.translation.google', message: 'Google translation needs google.projectId and google.apiKey' }];
  if (!credentialFields.includes(GOOGLE_TRANSLATE_KEY)) return [{ path: 'body.settings.tools.translation.google.apiKey', message: 'Google translation needs an API key' }];
  return [];
}

/** The rules no single field can check; every broken one is named. */
function accountRules(account: { channel: Channel; type: ProviderType; key: string; settings: AccountSettings }): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  if (!CHANNEL_PROVIDERS[account.channel].includes(account.type)) {
    problems.push({ path: 'body.type', message: `${account.type} does not serve ${account.channel}; one of ${CHANNEL_PROVIDERS[account.channel].join(', ')}` });
  }
  if (account.channel === 'whatsapp' && !/^[A-Za-z0-9]{1,5}$/.test(account.key)) {
    problems.push({ path: 'body.key', message: 'a WhatsApp key is 1 to 5 letters or digits' });
  }
  if (account.settings.recontactTemplate && !RECONTACT_PROVIDERS.includes(account.type)) {
    problems.push({ path: 'body.settings.recontactTemplate', message: 'recontact templates exist only for Meta and Kaleyra accounts' });
  }
  if (account.settings.video.enabled && !account.settings.video.topic) {
    problems.push({ path: 'body.settings.video.topic', message: 'a topic is required when video is enabled' });
  }
  const steps = account.settings.routing.length;
  account.settings.routing.forEach((step, i) => {
    if (step.type === 'gotoif') {
      if (step.then >= steps) problems.push({ path: `body.settings.routing.${i}.then`, message: `no step ${step.then}` });
      if (step.else !== undefined && step.else >= steps) problems.push({ path: `body.settings.routing.${i}.else`, message: `no step ${step.else}` });
    }
  });
  return problems;
}

/**
 * A provider that signs nothing needs the account's own webhook authentication, unless the admin opted out
 * explicitly: otherwise anyone who learns the receive URL could post messages (and media URLs) as the provider.
 */
function requireWebhookAuthentication(type: ProviderType, credentials: Record<string, unknown>, optOut: boolean): void {
  const provider = providerFor(type);
  if (provider.webhookAuthentication(credentials) === 'none' && !optOut) {
    const message = `${type} does not sign its webhooks: set this, or allowUnauthenticatedWebhooks: true to accept unauthenticated webhooks`;
    const details = (provider.webhookAuthFields ?? []).map((f) => ({ path: `body.credentials.${f}`, message }));
    throw new ValidationError(`${type} accounts need webhook authentication: ${details.map((d) => d.path).join(', ')}`, details);
  }
}

/** How the account's webhooks are authenticated, from which credential fields are set (never their values). */
function webhookAuthenticationOf(account: Pick<Account, 'type' | 'credentialFields'>): WebhookAuthentication {
  return providerFor(account.type).webhookAuthentication(Object.fromEntries(account.credentialFields.map((f) => [f, 'set'])));
}

/** Routing steps that name a queue or an agent that does not exist are refused when written, not when a customer writes. */
async function routingTargetProblems(routing: AccountSettings['routing'], prefix: string): Promise<ErrorDetail[]> {
  const checks = routing.map(async (step, i): Promise<ErrorDetail | undefined> => {
    if (step.type === 'queue' && !(await getQueue(step.queueId))) return { path: `${prefix}.${i}.queueId`, message: `queue ${step.queueId} does not exist` };
    if (step.type === 'agent' && !(await getAgent(step.agentId))) return { path: `${prefix}.${i}.agentId`, message: `agent ${step.agentId} does not exist` };
    return undefined;
  });
  return (await Promise.all(checks)).filter((p): p is ErrorDetail => p !== undefined);
}

/** Fields an account view shows that no PATCH may write: a silent 200 would suggest they changed. */
export const READ_ONLY_ACCOUNT_FIELDS = ['id', 'proxyToken', 'receiveUrl', 'statusUrl', 'webhookAuthentication', 'createdAt', 'updatedAt', 'version'] as const;

export function readOnlyProblems(body: unknown): ErrorDetail[] {
  if (!body || typeof body !== 'object') return [];
  return READ_ONLY_ACCOUNT_FIELDS.filter((f) => f in body).map((f) => ({ path: `body.${f}`, message: 'read-only: it cannot be changed' }));
}

function checkCredentials(type: ProviderType, credentials: Record<string, unknown>): Record<string, unknown> {
  const result = providerFor(type).credentials.safeParse(credentials);
  if (!result.success) {
    const details = issuesToDetails(result.error.issues, 'body.credentials');
    throw new ValidationError(`invalid credentials for ${type}: ${details.map((d) => d.path).join(', ')}`, details);
  }
  return result.data as Record<string, unknown>;
}

async function sealCredentials(accountId: string, credentials: Record<string, unknown>, videoApiKey: string | undefined, googleApiKey?: string) {
  const secret: Record<string, unknown> = {
    ...credentials,
    ...(videoApiKey ? { [VIDEO_KEY]: videoApiKey } : {}),
    ...(googleApiKey ? { [GOOGLE_TRANSLATE_KEY]: googleApiKey } : {}),
  };
  const credentialFields = Object.keys(secret).filter((k) => secret[k] !== undefined && secret[k] !== '');
  return { credentialsBlob: await encryptSecret(secret, accountId), credentialFields };
}

/**
 * The recontact template must be one of the account's APPROVED templates (its language is taken from it). A new
 * account holds no templates yet: it is chosen with a PATCH once its template is approved.
 */
async function recontactProblems(accountId: string | undefined, type: ProviderType, settings: AccountSettings): Promise<ErrorDetail[]> {
  const choice = settings.recontactTemplate;
  if (!choice || !RECONTACT_PROVIDERS.includes(type)) return [];
  const checked = await checkRecontactChoice(accountId, choice);
  if (checked.choice) settings.recontactTemplate = checked.choice;
  return checked.problems;
}

export async function createAccount(input: Omit<AccountCreate, 'allowUnauthenticatedWebhooks'> & { allowUnauthenticatedWebhooks?: boolean }): Promise<Account> {
  const problems = [...accountRules(input), ...(await routingTargetProblems(input.settings.routing, 'body.settings.routing')), ...(await recontactProblems(undefined, input.type, input.settings))];
  if (problems.length) throw new ValidationError(`invalid account: ${problems.map((p) => p.path).join(', ')}`, problems);
  const credentials = checkCredentials(input.type, input.credentials);
  requireWebhookAuthentication(input.type, credentials, input.allowUnauthenticatedWebhooks ?? false);
  const id = ulid();
  const { stored, videoApiKey, googleApiKey } = withoutSecrets(input.settings);
  const sealed = await sealCredentials(id, credentials, videoApiKey, googleApiKey);
  const translationIssues = translationProblems(input.settings, sealed.credentialFields);
  if (translationIssues.length) throw new ValidationError(`invalid account: ${translationIssues.map((p) => p.path).join(', ')}`, translationIssues);
  const now = nowIso();
  const account: Account = {
    id,
    channel: input.channel,
    name: input.name,
    key: input.key,
    type: input.type,
    phone: normaliseE164(input.phone),
    listId: input.listId,
    ...(input.domain ? { domain: input.domain.replace(/\/$/, '') } : {}),
    ...(input.description ? { description: input.description } : {}),
    proxyToken: randomBytes(24).toString('base64url'),
    ...sealed,
    ...(input.allowUnauthenticatedWebhooks ? { allowUnauthenticatedWebhooks: true } : {}),
    settings: stored,
    createdAt: now,
    updatedAt: now,
    version: 1,
  };
  await insertAccount(account);
  return account;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => Boolean(v) && typeof v === 'object' && !Array.isArray(v);

/** Tools merge one level further: a patch of `tools.translation.enabled` keeps the provider and the language. */
function mergeTools(old: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch) || !isPlainObject(old)) return patch;
  const merged: Record<string, unknown> = { ...old };
  for (const [k, v] of Object.entries(patch)) merged[k] = isPlainObject(v) && isPlainObject(old[k]) ? { ...old[k], ...v } : v;
  return merged;
}

/** A settings section's fields over the stored ones; a field set to null is taken away (its default applies). */
function mergeSection(old: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const merged = { ...old, ...patch };
  for (const [k, v] of Object.entries(patch)) if (v === null) delete merged[k];
  return merged;
}

function mergeSettings(current: AccountSettings, patch: Record<string, unknown>): AccountSettings {
  const merged: Record<string, unknown> = { ...current };
  for (const [k, v] of Object.entries(patch)) {
    const old = merged[k];
    if (k === 'recontactTemplate') {
      // null takes the choice away; a new choice stands alone (another template's language is not this one's).
      if (v === null) delete merged[k];
      else merged[k] = v;
      continue;
    }
    merged[k] = k === 'tools' ? mergeTools(old, v) : isPlainObject(v) && isPlainObject(old) ? mergeSection(old, v) : v;
  }
  const result = settingsSchema.safeParse(merged);
  if (!result.success) {
    const details = issuesToDetails(result.error.issues, 'body.settings');
    throw new ValidationError(`invalid settings: ${details.map((d) => d.path).join(', ')}`, details);
  }
  return result.data;
}

export async function patchAccount(current: Account, patch: AccountPatch): Promise<Account> {
  const type = patch.type ?? current.type;
  const settingsWithKey = patch.settings ? mergeSettings(current.settings, patch.settings) : current.settings;
  const draft = { channel: current.channel, type, key: patch.key ?? current.key, settings: settingsWithKey };
  const problems = accountRules(draft);
  if (patch.settings?.routing !== undefined) problems.push(...(await routingTargetProblems(settingsWithKey.routing, 'body.settings.routing')));
  if (patch.settings?.recontactTemplate !== undefined || patch.type !== undefined) problems.push(...(await recontactProblems(current.id, type, settingsWithKey)));
  if (problems.length) throw new ValidationError(`invalid account: ${problems.map((p) => p.path).join(', ')}`, problems);

  let sealed = { credentialsBlob: current.credentialsBlob, credentialFields: current.credentialFields };
  const optOut = patch.allowUnauthenticatedWebhooks ?? current.allowUnauthenticatedWebhooks ?? false;
  const newVideoKey = (patch.settings?.video as { apiKey?: unknown } | undefined)?.apiKey;
  const newGoogleKey = toolsOf(settingsWithKey).translation.google?.apiKey;
  if (patch.credentials || patch.type || typeof newVideoKey === 'string' || typeof newGoogleKey === 'string' || patch.allowUnauthenticatedWebhooks !== undefined) {
    const old = await decryptSecret(current.credentialsBlob, current.id);
    const { [VIDEO_KEY]: oldVideo, [GOOGLE_TRANSLATE_KEY]: oldGoogle, ...oldCredentials } = old;
    // A new type starts from its own fields; the same type merges, so one secret can be rotated alone.
    const base = patch.type && patch.type !== current.type ? {} : oldCredentials;
    const credentials = checkCredentials(type, { ...base, ...(patch.credentials ?? {}) });
    requireWebhookAuthentication(type, credentials, optOut);
    sealed = await sealCredentials(
      current.id,
      credentials,
      typeof newVideoKey === 'string' ? newVideoKey : (oldVideo as string | undefined),
      typeof newGoogleKey === 'string' ? newGoogleKey : (oldGoogle as string | undefined),
    );
  }
  const translationIssues = translationProblems(settingsWithKey, sealed.credentialFields);
  if (translationIssues.length) throw new ValidationError(`invalid account: ${translationIssues.map((p) => p.path).join(', ')}`, translationIssues);
  const { stored } = withoutSecrets(settingsWithKey);
  const next: Account = {
    ...current,
    ...(patch.name !== undefined ? { name: patch.name } : {}),
    key: draft.key,
    type,
    ...(patch.phone !== undefined ? { phone: normaliseE164(patch.phone) } : {}),
    ...(patch.listId !== undefined ? { listId: patch.listId } : {}),
    ...sealed,
    allowUnauthenticatedWebhooks: optOut,
    settings: stored,
    updatedAt: nowIso(),
    version: current.version + 1,
  };
  if (patch.domain !== undefined) {
    if (patch.domain === null) delete next.domain;
    else next.domain = patch.domain.replace(/\/$/, '');
  }
  if (patch.description !== undefined) {
    if (patch.description === null) delete next.description;
    else next.description = patch.description;
  }
  await replaceAccount(current, next);
  return next;
}

export const accountListQuery = z.object({
  q: z.optional(z.string().check(z.maxLength(200))),
  channel: z.optional(z.enum(['sms', 'whatsapp'])),
  type: z.optional(z.string()),
  sort: z.optional(z.enum(['name', 'key', 'type', 'phone', 'createdAt', 'updatedAt'])),
  order: z.optional(z.enum(['asc', 'desc'])),
  limit: z._default(z.pipe(z.string(), z.transform(Number)).check(z.refine((n) => Number.isInteger(n) && n >= 1 && n <= 200, 'an integer from 1 to 200')), 50),
  cursor: z.optional(z.string()),
});

export function listAccountViews(all: Account[], query: z.infer<typeof accountListQuery>, viewer: AccountViewer = 'admin'): Page<AccountView> {
  const filtered = all.filter((a) => (!query.channel || a.channel === query.channel) && (!query.type || a.type === query.type));
  const page = paginate(filtered as unknown as Record<string, unknown>[], query as ListQuery, ['name', 'key', 'phone', 'type'], [
    'name',
    'key',
    'type',
    'phone',
    'createdAt',
    'updatedAt',
  ]);
  return { ...page, items: (page.items as unknown as Account[]).map((a) => accountView(a, viewer)) };
}

export function accountsCsv(accounts: Account[], viewer: AccountViewer = 'admin'): string {
  return stringify(
    accounts.map((a) => {
      const v = accountView(a, viewer);
      return [v.id, v.channel, v.name, v.key, v.type, v.phone, v.listId, v.receiveUrl ?? '', v.description ?? '', v.createdAt];
    }),
    { header: true, columns: ['id', 'channel', 'name', 'key', 'type', 'phone', 'listId', 'receiveUrl', 'description', 'createdAt'] },
  );
}
