/**
 * Templates as the account holds them (`/admin/whatsapp/templates`), for what agents send: the account's recontact
 * template (seed 004: the approved template agents send once the 24 h window has closed) is chosen from the
 * account's APPROVED templates, and a template an agent sends goes out as the stored one says (its language, its
 * parameters: how many, header first, their names for NAMED templates; Twilio's Content sid).
 *
 * A chosen template that later stops being APPROVED (PAUSED, DISABLED, REJECTED, DELETED at the provider, or deleted
 * here) stays the account's choice, so it works again once Meta approves it again; meanwhile sending it is refused
 * with 409 TEMPLATE_NOT_APPROVED (or TEMPLATE_NOT_FOUND), the WINDOW_CLOSED answer offers no template and says why,
 * and the admins were told by the template's own `template.status` event. Deleting the template through the API
 * is refused while an account names it (409 TEMPLATE_IN_USE): the admin chooses another one first.
 */
import { renderTemplateText } from '../domain/templates';
import { ConflictError, ValidationError, type AppError, type ErrorDetail } from '../errors';
import type { ProviderType } from '../providers/types';
import { findTemplateByName, listTemplates, type WhatsAppTemplate } from '../store/templates';
import type { OutboundTemplate } from '../store/outbound';

export interface RecontactChoice {
  name: string;
  language?: string;
  parameters: string[];
}

const parameterCount = (t: WhatsAppTemplate) => t.parameters.header.length + t.parameters.body.length;

/** The templates of an account with this name, in the language asked for or in every language. */
async function named(accountId: string, name: string, language?: string): Promise<WhatsAppTemplate[]> {
  if (language) {
    const one = await findTemplateByName(accountId, name, language);
    return one ? [one] : [];
  }
  return (await listTemplates(accountId)).filter((t) => t.name === name);
}

/**
 * Checks an account's recontact template against its stored templates: it must exist on the account (in the
 * language given, or in one language only) and be APPROVED, and default parameters, when given, must be as many
 * as the template takes. Returns the choice with the template's language, or the problems, each naming its field.
 */
export async function checkRecontactChoice(
  accountId: string | undefined,
  choice: RecontactChoice,
  path = 'body.settings.recontactTemplate',
): Promise<{ choice?: RecontactChoice & { language: string }; problems: ErrorDetail[] }> {
  const found = accountId ? await named(accountId, choice.name, choice.language) : [];
  if (found.length === 0) {
    const where = choice.language ? ` in language '${choice.language}'` : '';
    return { problems: [{ path: `${path}.name`, message: `no template '${choice.name}'${where} on this account: create it under /admin/whatsapp/templates, then choose it once it is APPROVED` }] };
  }
  if (found.length > 1) {
    return { problems: [{ path: `${path}.language`, message: `template '${choice.name}' exists in ${found.map((t) => t.language).join(', ')}: name the language` }] };
  }
  const template = found[0]!;
  if (template.status !== 'APPROVED') {
    return { problems: [{ path: `${path}.name`, message: `template '${template.name}' (${template.language}) is ${template.status}; only an APPROVED template can be the recontact template` }] };
  }
  if (choice.parameters.length > 0 && choice.parameters.length !== parameterCount(template)) {
    return { problems: [{ path: `${path}.parameters`, message: `template '${template.name}' takes ${parameterCount(template)} parameter(s), ${choice.parameters.length} given` }] };
  }
  return { choice: { ...choice, language: template.language }, problems: [] };
}

/** 409 TEMPLATE_NOT_APPROVED / TEMPLATE_NOT_FOUND: the template the agent would send cannot go out now. */
function unavailable(template: WhatsAppTemplate | undefined, name: string, recontact: boolean): AppError {
  const which = recontact ? `the account's recontact template '${name}'` : `template '${name}'`;
  if (!template) return new ConflictError('TEMPLATE_NOT_FOUND', `${which} no longer exists; an admin must choose another one`, [{ path: 'template.name', message: 'not found' }]);
  return new ConflictError('TEMPLATE_NOT_APPROVED', `${which} is ${template.status}${template.reason ? ` (${template.reason})` : ''}; only APPROVED templates can be sent${recontact ? ', and the admins have been told' : ''}`, [
    { path: 'template.name', message: template.status },
  ]);
}

/**
 * What a template send carries, from the account's stored template: its language, its parameters in the template's
 * order (header first), their names for NAMED templates, Twilio's Content sid, and the body text the agent sees.
 * A template the account does not hold goes out as the agent named it (templates managed at the provider only);
 * the account's recontact template must be held and APPROVED.
 */
export async function storedTemplateSend(
  account: { id: string; type: ProviderType; settings: { recontactTemplate?: RecontactChoice } },
  asked: { name: string; language?: string; parameters: string[] },
): Promise<{ template: OutboundTemplate; text: string }> {
  const recontact = account.settings.recontactTemplate;
  const isRecontact = recontact?.name === asked.name && (!asked.language || !recontact.language || recontact.language === asked.language);
  const language = asked.language ?? (isRecontact ? recontact?.language : undefined);
  const found = await named(account.id, asked.name, language);
  if (found.length > 1) throw new ValidationError(`template '${asked.name}' exists in several languages`, [{ path: 'body.template.language', message: `one of ${found.map((t) => t.language).join(', ')}` }]);
  const stored = found[0];
  if (!stored) {
    if (isRecontact) throw unavailable(undefined, asked.name, true);
    if (!language) throw new ValidationError('the template is not held by this account: name its language', [{ path: 'body.template.language', message: 'required' }]);
    const template = { name: asked.name, language, parameters: asked.parameters };
    return { template, text: `[template ${template.name}] ${template.parameters.join(' | ')}`.trim() };
  }
  if (stored.status !== 'APPROVED') throw unavailable(stored, stored.name, isRecontact);
  const values = asked.parameters.length === 0 && isRecontact ? (recontact?.parameters ?? []) : asked.parameters;
  const count = parameterCount(stored);
  if (values.length !== count) {
    throw new ValidationError(`template '${stored.name}' takes ${count} parameter(s)`, [{ path: 'body.template.parameters', message: `${count} value(s) expected, ${values.length} given` }]);
  }
  const headerCount = stored.parameters.header.length;
  const header = values.slice(0, headerCount);
  const body = values.slice(headerCount);
  const byName = Object.fromEntries([...stored.parameters.header, ...stored.parameters.body].map((n, i) => [n, values[i] ?? '']));
  const template: OutboundTemplate = {
    // Twilio sends a Content sid (HX...), Meta and Kaleyra the template's name.
    name: account.type === 'twilio' ? (stored.providerTemplateId ?? stored.name) : stored.name,
    language: stored.language,
    parameters: body,
    ...(stored.parameterFormat === 'NAMED' ? { parameterNames: stored.parameters.body } : {}),
    ...(header.length ? { headerParameters: header } : {}),
  };
  return { template, text: renderTemplateText(stored, byName) };
}

/** The recontact template the WINDOW_CLOSED answer offers: only while it is held and APPROVED; else why not. */
export async function recontactAvailability(accountId: string, choice: RecontactChoice | undefined): Promise<{ offer?: OutboundTemplate; unavailable?: string }> {
  if (!choice) return {};
  const found = await named(accountId, choice.name, choice.language);
  const stored = found.length === 1 ? found[0] : undefined;
  if (!stored) return { unavailable: `the account's recontact template '${choice.name}' no longer exists; an admin must choose another one` };
  if (stored.status !== 'APPROVED') return { unavailable: `the account's recontact template '${choice.name}' is ${stored.status}; an admin has been told` };
  return { offer: { name: stored.name, language: stored.language, parameters: choice.parameters } };
}
