/**
 * WhatsApp message templates, as pure rules: what a template is made of (Meta's component model, which Kaleyra
 * passes through and Twilio's Content API maps onto), the checks a template must pass before it is submitted to a
 * provider (name format, lengths, parameter numbering, examples), the parameters it takes, and how provider status
 * words map onto one status vocabulary. No I/O.
 */
import type { ErrorDetail } from '../errors';

export const TEMPLATE_CATEGORIES = ['MARKETING', 'UTILITY', 'AUTHENTICATION'] as const;
export type TemplateCategory = (typeof TEMPLATE_CATEGORIES)[number];

export const TEMPLATE_STATUSES = ['PENDING', 'APPROVED', 'REJECTED', 'PAUSED', 'DISABLED', 'DELETED', 'ARCHIVED'] as const;
export type TemplateStatus = (typeof TEMPLATE_STATUSES)[number];

export type ParameterFormat = 'POSITIONAL' | 'NAMED';

export interface HeaderComponent {
  type: 'HEADER';
  format: 'TEXT' | 'IMAGE' | 'VIDEO' | 'DOCUMENT';
  text?: string;
  /** TEXT with a parameter: its example value; IMAGE, VIDEO, DOCUMENT: an example media URL (Meta asks for one). */
  example?: string;
}

export interface BodyComponent {
  type: 'BODY';
  text: string;
  /** POSITIONAL: the example of {{1}}, {{2}}, ... in order; NAMED: the example of each name. */
  examples?: string[] | Record<string, string>;
}

export interface FooterComponent {
  type: 'FOOTER';
  text: string;
}

export type TemplateButton =
  | { type: 'QUICK_REPLY'; text: string }
  | { type: 'URL'; text: string; url: string; example?: string }
  | { type: 'PHONE_NUMBER'; text: string; phoneNumber: string };

export interface ButtonsComponent {
  type: 'BUTTONS';
  buttons: TemplateButton[];
}

export type TemplateComponent = HeaderComponent | BodyComponent | FooterComponent | ButtonsComponent;

export interface TemplateDefinition {
  name: string;
  language: string;
  category: TemplateCategory;
  parameterFormat: ParameterFormat;
  components: TemplateComponent[];
}

// Meta's limits for template content (template creation guide): name lower-case letters, digits and underscores
// up to 512 characters; body up to 1,024; header text and footer up to 60; up to 10 buttons of up to 25 characters.
export const NAME_PATTERN = /^[a-z0-9_]{1,512}$/;
export const LANGUAGE_PATTERN = /^[a-z]{2,3}(_[A-Z]{2})?$/;
export const BODY_MAX = 1024;
export const HEADER_TEXT_MAX = 60;
export const FOOTER_MAX = 60;
export const BUTTONS_MAX = 10;
export const BUTTON_TEXT_MAX = 25;
const NAMED_PARAMETER = /^[a-z][a-z0-9_]*$/;

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** The placeholders of a text, in order of appearance (`{{1}}` gives "1", `{{first_name}}` gives "first_name"). */
export function placeholders(text: string | undefined): string[] {
  return text ? [...text.matchAll(PLACEHOLDER)].map((m) => m[1] ?? '') : [];
}

const unique = (values: string[]) => [...new Set(values)];

/** The parameters a template takes, in send order: the header's first, then the body's (POSITIONAL sorted by number). */
export function templateParameters(definition: Pick<TemplateDefinition, 'components' | 'parameterFormat'>): { header: string[]; body: string[] } {
  const header = definition.components.find((c): c is HeaderComponent => c.type === 'HEADER');
  const body = definition.components.find((c): c is BodyComponent => c.type === 'BODY');
  const order = (names: string[]) =>
    definition.parameterFormat === 'POSITIONAL' ? unique(names).sort((a, b) => Number(a) - Number(b)) : unique(names);
  return { header: header?.format === 'TEXT' ? order(placeholders(header.text)) : [], body: order(placeholders(body?.text)) };
}

/** Checks a positional or named parameter list; returns the problems, each naming the field. */
function checkParameters(names: string[], format: ParameterFormat, path: string): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  if (format === 'POSITIONAL') {
    const bad = names.filter((n) => !/^[1-9]\d*$/.test(n));
    if (bad.length) {
      problems.push({ path, message: `positional parameters are {{1}}, {{2}}, ...; found {{${bad[0]}}} (set parameterFormat NAMED for named ones)` });
      return problems;
    }
    const numbers = unique(names).map(Number).sort((a, b) => a - b);
    const gap = numbers.findIndex((n, i) => n !== i + 1);
    if (gap >= 0) problems.push({ path, message: `parameters must be numbered from {{1}} without gaps; {{${gap + 1}}} is missing` });
  } else {
    const bad = names.find((n) => !NAMED_PARAMETER.test(n));
    if (bad !== undefined) problems.push({ path, message: `named parameters are lower-case letters, digits and underscores starting with a letter; found {{${bad}}}` });
  }
  return problems;
}

/** Every problem of a template definition; an empty list means it may be submitted. Paths are relative to the body. */
export function validateTemplate(definition: TemplateDefinition): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  if (!NAME_PATTERN.test(definition.name)) problems.push({ path: 'name', message: 'lower-case letters, digits and underscores only (1 to 512)' });
  if (!LANGUAGE_PATTERN.test(definition.language)) problems.push({ path: 'language', message: 'a language code such as en, it or en_US' });
  const counts = new Map<string, number>();
  definition.components.forEach((c) => counts.set(c.type, (counts.get(c.type) ?? 0) + 1));
  if ((counts.get('BODY') ?? 0) !== 1) problems.push({ path: 'components', message: 'exactly one BODY component is required' });
  for (const type of ['HEADER', 'FOOTER', 'BUTTONS']) {
    if ((counts.get(type) ?? 0) > 1) problems.push({ path: 'components', message: `at most one ${type} component` });
  }
  const format = definition.parameterFormat;
  definition.components.forEach((component, i) => {
    const at = `components.${i}`;
    switch (component.type) {
      case 'HEADER': {
        if (component.format === 'TEXT') {
          if (!component.text) problems.push({ path: `${at}.text`, message: 'a TEXT header needs text' });
          else if (component.text.length > HEADER_TEXT_MAX) problems.push({ path: `${at}.text`, message: `at most ${HEADER_TEXT_MAX} characters` });
          const names = placeholders(component.text);
          if (names.length > 1) problems.push({ path: `${at}.text`, message: 'a header takes at most one parameter' });
          problems.push(...checkParameters(names, format, `${at}.text`));
          if (names.length && !component.example) problems.push({ path: `${at}.example`, message: 'an example of the header parameter is required' });
        } else if (!component.example || !/^https:\/\//.test(component.example)) {
          problems.push({ path: `${at}.example`, message: `a ${component.format} header needs an example media URL (https)` });
        }
        break;
      }
      case 'BODY': {
        if (!component.text.trim()) problems.push({ path: `${at}.text`, message: 'the body cannot be empty' });
        if (component.text.length > BODY_MAX) problems.push({ path: `${at}.text`, message: `at most ${BODY_MAX} characters` });
        const names = placeholders(component.text);
        const paramProblems = checkParameters(names, format, `${at}.text`);
        problems.push(...paramProblems);
        if (names.length && !paramProblems.length) {
          const wanted = unique(names);
          const examples = component.examples;
          if (format === 'POSITIONAL') {
            const list = Array.isArray(examples) ? examples : undefined;
            if (!list || list.length !== wanted.length || list.some((e) => !e.trim())) {
              problems.push({ path: `${at}.examples`, message: `one non-empty example per parameter is required (${wanted.length}, in order)` });
            }
          } else {
            const map = examples && !Array.isArray(examples) ? examples : undefined;
            const missing = wanted.find((n) => !map?.[n]?.trim());
            if (missing !== undefined) problems.push({ path: `${at}.examples.${missing}`, message: `an example of {{${missing}}} is required` });
          }
        }
        break;
      }
      case 'FOOTER':
        if (component.text.length > FOOTER_MAX) problems.push({ path: `${at}.text`, message: `at most ${FOOTER_MAX} characters` });
        if (placeholders(component.text).length) problems.push({ path: `${at}.text`, message: 'a footer takes no parameters' });
        break;
      case 'BUTTONS':
        if (component.buttons.length < 1 || component.buttons.length > BUTTONS_MAX) {
          problems.push({ path: `${at}.buttons`, message: `1 to ${BUTTONS_MAX} buttons` });
        }
        component.buttons.forEach((button, j) => {
          if (button.text.length > BUTTON_TEXT_MAX) problems.push({ path: `${at}.buttons.${j}.text`, message: `at most ${BUTTON_TEXT_MAX} characters` });
          if (button.type === 'URL' && placeholders(button.url).length && !button.example) {
            problems.push({ path: `${at}.buttons.${j}.example`, message: 'an example of the URL parameter is required' });
          }
        });
        break;
    }
  });
  return problems;
}

/** The body text a template renders to for these parameter values (what the agent sees in the conversation). */
export function renderTemplateText(definition: Pick<TemplateDefinition, 'components'>, values: Record<string, string>): string {
  const body = definition.components.find((c): c is BodyComponent => c.type === 'BODY');
  return (body?.text ?? '').replace(PLACEHOLDER, (_, name: string) => values[name.trim()] ?? '');
}

/** A provider's status word in our vocabulary (Meta's upper-case words, Twilio's lower-case approval statuses). */
export function normaliseTemplateStatus(word: string | undefined): TemplateStatus | undefined {
  const w = (word ?? '').trim().toUpperCase();
  if ((TEMPLATE_STATUSES as readonly string[]).includes(w)) return w as TemplateStatus;
  if (['RECEIVED', 'IN_APPEAL', 'PENDING_DELETION', 'UNSUBMITTED', 'SUBMITTED', 'IN_REVIEW'].includes(w)) return w === 'PENDING_DELETION' ? 'DELETED' : 'PENDING';
  if (w === 'FLAGGED') return 'PAUSED';
  if (w === 'REINSTATED') return 'APPROVED';
  return undefined;
}

/** Statuses that stop sends of the template and pause the campaigns using it. */
export function stopsCampaigns(status: TemplateStatus): boolean {
  return status === 'PAUSED' || status === 'DISABLED' || status === 'DELETED' || status === 'ARCHIVED' || status === 'REJECTED';
}
