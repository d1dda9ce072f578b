/**
 * What the API publishes about itself, read at run time from GET /openapi.json (once per page load): each provider's
 * account variant (`AccountCreate_<type>`: its channels and credential fields) and each entity's searchable fields
 * (`components.x-searchable-fields`). A provider or a search field added to the API shows in the console unchanged.
 */
import { client } from '../state';

export interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  title?: string;
  description?: string;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  default?: unknown;
  writeOnly?: boolean;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  $ref?: string;
  discriminator?: { propertyName: string; mapping: Record<string, string> };
}

export interface SearchField {
  type: 'string' | 'enum' | 'number' | 'date' | 'boolean' | 'tags';
  operators: string[];
  values?: string[];
  description?: string;
}

interface Document {
  components: {
    schemas: Record<string, JsonSchema>;
    'x-searchable-fields': Record<string, Record<string, SearchField>>;
  };
}

let loading: Promise<Document> | undefined;

export function apiDocument(): Promise<Document> {
  loading ??= client()
    .get<Document>('/openapi.json')
    .catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
  return loading;
}

export interface CredentialField {
  name: string;
  required: boolean;
  /** A fixed choice (an enum in the provider's schema). */
  options?: string[];
  kind: 'text' | 'number' | 'checkbox';
  description?: string;
  /** What the API uses when the field is left out. */
  default?: string;
}

export interface ProviderForm {
  type: string;
  title: string;
  channels: string[];
  credentials: CredentialField[];
}

const resolve = (doc: Document, schema: JsonSchema): JsonSchema =>
  schema.$ref ? (doc.components.schemas[schema.$ref.split('/').pop() ?? ''] ?? {}) : schema;

/** Every provider the API accepts, from AccountCreate's oneOf (discriminated by `type`). */
export async function providerForms(): Promise<ProviderForm[]> {
  const doc = await apiDocument();
  const variants = doc.components.schemas.AccountCreate?.oneOf ?? [];
  return variants.map((ref) => {
    const variant = resolve(doc, ref);
    const props = variant.properties ?? {};
    const creds = props.credentials ?? {};
    const required = new Set(creds.required ?? []);
    return {
      type: String(props.type?.const ?? ''),
      title: variant.title ?? String(props.type?.const ?? ''),
      channels: (props.channel?.enum ?? []).map(String),
      credentials: Object.entries(creds.properties ?? {}).map(([name, prop]) => {
        const options = (
          prop.enum ?? prop.anyOf?.flatMap((s) => (s.const === undefined ? (s.enum ?? []) : [s.const]))
        )?.map(String);
        const type = Array.isArray(prop.type) ? prop.type[0] : prop.type;
        return {
          name,
          required: required.has(name),
          ...(options?.length ? { options } : {}),
          kind: type === 'boolean' ? 'checkbox' : type === 'integer' || type === 'number' ? 'number' : 'text',
          ...(prop.description ? { description: prop.description } : {}),
          ...(prop.default !== undefined ? { default: String(prop.default) } : {}),
        };
      }),
    };
  });
}

export async function searchFields(entity: string): Promise<Record<string, SearchField>> {
  return (await apiDocument()).components['x-searchable-fields'][entity] ?? {};
}

const ACRONYMS = new Set(['id', 'sid', 'url', 'api', 'waba', 'sms', 'pem', 'jwt', 'ip', 'uri']);

/** `accountSid` -> `Account SID`: a label for a field the console knows only by its name. */
export function humanise(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[\s_-]+/)
    .filter(Boolean)
    .map((w) => (ACRONYMS.has(w.toLowerCase()) ? w.toUpperCase() : w.toLowerCase()));
  const first = words[0] ?? '';
  return [first.charAt(0).toUpperCase() + first.slice(1), ...words.slice(1)].join(' ');
}
