/**
 * Template management at the providers that approve WhatsApp templates, as request builders and answer parsers
 * (pure, like the provider modules; `shared/campaigns/templates.ts` does the I/O):
 *
 * - Meta: `POST /{version}/{WABA_ID}/message_templates` with `name`, `language`, `category`, `parameter_format` and
 *   `components` (answer `{ id, status, category }`); status by `GET /{version}/{WABA_ID}/message_templates?name=`
 *   (`data[]` with `id`, `status`, `rejected_reason`, `quality_score`); delete by `DELETE ...?name=&hsm_id=`.
 * - Kaleyra v2: `POST https://<pod>/v2/<SID>/whatsapp/<WABA_ID>/message_templates`, header `api-key`, the same
 *   Meta body (Kaleyra relays it); read and delete on the same path with `?name=`. Answers are read leniently
 *   (top level or under `data`), as Kaleyra's template answer shape is not published beyond the path.
 * - Twilio Content API: `POST https://content.twilio.com/v1/Content` (`friendly_name`, `language`, `variables`,
 *   `types`: `twilio/text`, `twilio/media`, `twilio/quick-reply`, `twilio/call-to-action`) answers the `HX...` sid;
 *   then `POST /v1/Content/{sid}/ApprovalRequests/whatsapp` (`name`, `category`) asks WhatsApp's approval;
 *   `GET /v1/Content/{sid}/ApprovalRequests` gives `whatsapp.status` and `rejection_reason`; `DELETE /v1/Content/{sid}`.
 */
import { normaliseTemplateStatus, templateParameters, type BodyComponent, type TemplateDefinition, type TemplateStatus } from '../domain/templates';
import type { HttpRequestSpec, HttpResponseSpec, ProviderType } from './types';
import { pick, str } from './util';

export const TEMPLATE_PROVIDERS: readonly ProviderType[] = ['meta', 'kaleyra', 'twilio'];
export const TWILIO_CONTENT_BASE_URL = 'https://content.twilio.com';

export interface TemplateApiContext {
  type: ProviderType;
  credentials: Record<string, unknown>;
  /** The provider's API base (Meta Graph, the Kaleyra pod, Twilio's Content API host). */
  baseUrl: string;
}

/** What the provider says about a template. */
export interface ProviderTemplateState {
  providerTemplateId?: string;
  status?: TemplateStatus;
  reason?: string;
  quality?: string;
}

const trim = (url: string) => url.replace(/\/+$/, '');
const c = (ctx: TemplateApiContext, key: string) => String(ctx.credentials[key] ?? '');
const safeJson = (body: string): unknown => {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
};

/** Meta's component list for a definition (Kaleyra relays the same). */
export function metaComponents(definition: TemplateDefinition): Record<string, unknown>[] {
  const named = definition.parameterFormat === 'NAMED';
  return definition.components.map((component) => {
    switch (component.type) {
      case 'HEADER': {
        if (component.format !== 'TEXT') return { type: 'HEADER', format: component.format, example: { header_handle: [component.example] } };
        const names = templateParameters({ components: [component], parameterFormat: definition.parameterFormat }).header;
        const example = names.length
          ? named
            ? { header_text_named_params: [{ param_name: names[0], example: component.example }] }
            : { header_text: [component.example] }
          : undefined;
        return { type: 'HEADER', format: 'TEXT', text: component.text, ...(example && { example }) };
      }
      case 'BODY': {
        const names = templateParameters({ components: [component], parameterFormat: definition.parameterFormat }).body;
        const examples = (component as BodyComponent).examples;
        let example: Record<string, unknown> | undefined;
        if (names.length && named && examples && !Array.isArray(examples)) {
          example = { body_text_named_params: names.map((n) => ({ param_name: n, example: examples[n] })) };
        } else if (names.length && Array.isArray(examples)) {
          example = { body_text: [examples] };
        }
        return { type: 'BODY', text: component.text, ...(example && { example }) };
      }
      case 'FOOTER':
        return { type: 'FOOTER', text: component.text };
      case 'BUTTONS':
        return {
          type: 'BUTTONS',
          buttons: component.buttons.map((b) =>
            b.type === 'QUICK_REPLY'
              ? { type: 'QUICK_REPLY', text: b.text }
              : b.type === 'URL'
                ? { type: 'URL', text: b.text, url: b.url, ...(b.example && { example: [b.example] }) }
                : { type: 'PHONE_NUMBER', text: b.text, phone_number: b.phoneNumber },
          ),
        };
    }
  });
}

export function metaTemplateBody(definition: TemplateDefinition): Record<string, unknown> {
  return {
    name: definition.name,
    language: definition.language,
    category: definition.category,
    parameter_format: definition.parameterFormat,
    components: metaComponents(definition),
  };
}

/** Twilio's Content resource for a definition: the richest content type the components call for. */
export function twilioContentBody(definition: TemplateDefinition): Record<string, unknown> {
  const body = definition.components.find((x): x is BodyComponent => x.type === 'BODY');
  const header = definition.components.find((x) => x.type === 'HEADER');
  const buttons = definition.components.find((x) => x.type === 'BUTTONS');
  const names = templateParameters(definition).body;
  const examples = Array.isArray(body?.examples) ? body.examples : [];
  const variables = Object.fromEntries(names.map((n, i) => [n, examples[i] ?? '']));
  const text = body?.text ?? '';
  let types: Record<string, unknown>;
  if (buttons && buttons.type === 'BUTTONS' && buttons.buttons.every((b) => b.type === 'QUICK_REPLY')) {
    types = { 'twilio/quick-reply': { body: text, actions: buttons.buttons.map((b, i) => ({ title: b.text, id: `${i}` })) } };
  } else if (buttons && buttons.type === 'BUTTONS') {
    types = {
      'twilio/call-to-action': {
        body: text,
        actions: buttons.buttons.map((b) =>
          b.type === 'URL' ? { type: 'URL', title: b.text, url: b.url } : b.type === 'PHONE_NUMBER' ? { type: 'PHONE_NUMBER', title: b.text, phone: b.phoneNumber } : { type: 'QUICK_REPLY', title: b.text },
        ),
      },
    };
  } else if (header && header.type === 'HEADER' && header.format !== 'TEXT') {
    types = { 'twilio/media': { body: text, media: [header.example] } };
  } else {
    types = { 'twilio/text': { body: text } };
  }
  return { friendly_name: definition.name, language: definition.language, variables, types };
}

function twilioAuth(ctx: TemplateApiContext): Record<string, string> {
  return { authorization: `Basic ${Buffer.from(`${c(ctx, 'accountSid')}:${c(ctx, 'authToken')}`).toString('base64')}` };
}

function metaTemplatesUrl(ctx: TemplateApiContext): string {
  return `${trim(ctx.baseUrl)}/${c(ctx, 'apiVersion') || 'v25.0'}/${encodeURIComponent(c(ctx, 'wabaId'))}/message_templates`;
}

function kaleyraTemplatesUrl(ctx: TemplateApiContext): string {
  return `${trim(ctx.baseUrl)}/v2/${encodeURIComponent(c(ctx, 'accountSid'))}/whatsapp/${encodeURIComponent(c(ctx, 'wabaId'))}/message_templates`;
}

const jsonHeaders = { 'content-type': 'application/json', accept: 'application/json' };

/** The first request of a submission (Twilio needs a second one: `approvalRequest`). */
export function buildSubmit(ctx: TemplateApiContext, definition: TemplateDefinition): HttpRequestSpec {
  switch (ctx.type) {
    case 'meta':
      return { method: 'POST', url: metaTemplatesUrl(ctx), headers: { ...jsonHeaders, authorization: `Bearer ${c(ctx, 'accessToken')}` }, body: JSON.stringify(metaTemplateBody(definition)) };
    case 'kaleyra':
      return { method: 'POST', url: kaleyraTemplatesUrl(ctx), headers: { ...jsonHeaders, 'api-key': c(ctx, 'apiKey') }, body: JSON.stringify(metaTemplateBody(definition)) };
    case 'twilio':
      return { method: 'POST', url: `${trim(ctx.baseUrl)}/v1/Content`, headers: { ...jsonHeaders, ...twilioAuth(ctx) }, body: JSON.stringify(twilioContentBody(definition)) };
    default:
      throw new Error(`${ctx.type} has no template API`);
  }
}

/** Twilio: the WhatsApp approval request for a Content sid. */
export function buildApprovalRequest(ctx: TemplateApiContext, sid: string, definition: TemplateDefinition): HttpRequestSpec {
  return {
    method: 'POST',
    url: `${trim(ctx.baseUrl)}/v1/Content/${encodeURIComponent(sid)}/ApprovalRequests/whatsapp`,
    headers: { ...jsonHeaders, ...twilioAuth(ctx) },
    body: JSON.stringify({ name: definition.name, category: definition.category }),
  };
}

export function buildFetch(ctx: TemplateApiContext, template: { name: string; providerTemplateId?: string }): HttpRequestSpec {
  switch (ctx.type) {
    case 'meta':
      return {
        method: 'GET',
        url: `${metaTemplatesUrl(ctx)}?name=${encodeURIComponent(template.name)}&fields=id,name,language,status,category,rejected_reason,quality_score`,
        headers: { accept: 'application/json', authorization: `Bearer ${c(ctx, 'accessToken')}` },
      };
    case 'kaleyra':
      return { method: 'GET', url: `${kaleyraTemplatesUrl(ctx)}?name=${encodeURIComponent(template.name)}`, headers: { accept: 'application/json', 'api-key': c(ctx, 'apiKey') } };
    case 'twilio':
      return {
        method: 'GET',
        url: `${trim(ctx.baseUrl)}/v1/Content/${encodeURIComponent(template.providerTemplateId ?? '')}/ApprovalRequests`,
        headers: { accept: 'application/json', ...twilioAuth(ctx) },
      };
    default:
      throw new Error(`${ctx.type} has no template API`);
  }
}

export function buildDelete(ctx: TemplateApiContext, template: { name: string; providerTemplateId?: string }): HttpRequestSpec {
  switch (ctx.type) {
    case 'meta': {
      const id = template.providerTemplateId ? `&hsm_id=${encodeURIComponent(template.providerTemplateId)}` : '';
      return { method: 'DELETE', url: `${metaTemplatesUrl(ctx)}?name=${encodeURIComponent(template.name)}${id}`, headers: { authorization: `Bearer ${c(ctx, 'accessToken')}` } };
    }
    case 'kaleyra':
      return { method: 'DELETE', url: `${kaleyraTemplatesUrl(ctx)}?name=${encodeURIComponent(template.name)}`, headers: { 'api-key': c(ctx, 'apiKey') } };
    case 'twilio':
      return { method: 'DELETE', url: `${trim(ctx.baseUrl)}/v1/Content/${encodeURIComponent(template.providerTemplateId ?? '')}`, headers: twilioAuth(ctx) };
    default:
      throw new Error(`${ctx.type} has no template API`);
  }
}

/** The provider's own error text of a refused request, for the 4xx/5xx we answer with. */
export function providerError(res: HttpResponseSpec): string {
  const body = safeJson(res.body);
  return (
    str(pick(body, 'error', 'error_user_msg')) ??
    str(pick(body, 'error', 'message')) ??
    str(pick(body, 'message')) ??
    str(pick(body, 'error')) ??
    `HTTP ${res.status}`
  );
}

/** Reads a submission answer: the provider's template id and its first status. */
export function parseSubmit(type: ProviderType, res: HttpResponseSpec): ProviderTemplateState {
  const body = safeJson(res.body);
  if (type === 'twilio') return { ...(str(pick(body, 'sid')) ? { providerTemplateId: str(pick(body, 'sid'))! } : {}), status: 'PENDING' };
  const scope = pick(body, 'data') && !Array.isArray(pick(body, 'data')) ? pick(body, 'data') : body;
  const id = str(pick(scope, 'id'));
  const status = normaliseTemplateStatus(str(pick(scope, 'status'))) ?? 'PENDING';
  return { ...(id ? { providerTemplateId: id } : {}), status };
}

/** Reads a status answer; `language` picks the template among same-named ones in other languages. */
export function parseFetch(type: ProviderType, res: HttpResponseSpec, match: { language: string; providerTemplateId?: string }): ProviderTemplateState | undefined {
  const body = safeJson(res.body);
  if (type === 'twilio') {
    const status = normaliseTemplateStatus(str(pick(body, 'whatsapp', 'status')));
    const reason = str(pick(body, 'whatsapp', 'rejection_reason'));
    return status ? { status, ...(reason ? { reason } : {}) } : undefined;
  }
  const list = Array.isArray(pick(body, 'data')) ? (pick(body, 'data') as unknown[]) : [];
  const found =
    list.find((t) => match.providerTemplateId && str(pick(t, 'id')) === match.providerTemplateId) ??
    list.find((t) => str(pick(t, 'language')) === match.language);
  if (!found) return undefined;
  const status = normaliseTemplateStatus(str(pick(found, 'status')));
  const reason = str(pick(found, 'rejected_reason'));
  const quality = str(pick(found, 'quality_score', 'score')) ?? str(pick(found, 'quality_score'));
  const id = str(pick(found, 'id'));
  return {
    ...(id ? { providerTemplateId: id } : {}),
    ...(status ? { status } : {}),
    ...(reason && reason !== 'NONE' ? { reason } : {}),
    ...(quality ? { quality } : {}),
  };
}
