/**
 * The advanced search's conditions as data, without the DOM (the supervisor's interactions search and the admin
 * lists' search both build them): the field catalog's shape as the API publishes it,
 * readable labels from the API's own names, and the conversion between a condition and the builder's inputs.
 */

export interface FieldSpec {
  type: 'string' | 'enum' | 'number' | 'date' | 'boolean' | 'tags';
  operators: string[];
  values?: string[];
  description?: string;
}
export type Catalog = Record<string, FieldSpec>;

export interface Condition {
  field: string;
  operator: string;
  value?: unknown;
  disabled?: boolean;
}

export interface Search {
  match: 'all' | 'any';
  conditions: Condition[];
}

/** Names for the ids some fields take (agentId, accountId): what a value select offers, and a value's name. */
export interface Lookup {
  /** The choices for the field's value, or undefined where the field takes no id. */
  options: (field: string) => { id: string; name: string }[] | undefined;
  name: (field: string, id: string) => string;
}

/** `notEquals` reads "not equals", `lastMessageAt` reads "last message at": labels from the API's own names. */
export const words = (name: string) =>
  name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .replace(/\bid\b/g, 'ID');

/** The operators that take no value. */
export const NO_VALUE = (operator: string) => operator === 'isEmpty' || operator === 'isNotEmpty';

/** The value a condition's input gives, typed as the field is (numbers as numbers, booleans as booleans). */
export function typed(spec: FieldSpec, raw: string): unknown {
  if (spec.type === 'number') return raw.trim() === '' ? raw : Number(raw);
  if (spec.type === 'boolean') return raw === 'true';
  return raw;
}

export interface Draft {
  field: string;
  operator: string;
  values: string[];
}

/** The builder's inputs for a condition being edited (an `in` list as one comma-separated text). */
export function draftOf(condition: Condition): Draft {
  const v = condition.value;
  const values = Array.isArray(v)
    ? condition.operator === 'in'
      ? [v.map(String).join(', ')]
      : v.map(String)
    : v === undefined
      ? ['']
      : [String(v)];
  return { field: condition.field, operator: condition.operator, values };
}

/** The condition the builder's inputs make. */
export function conditionOf(draft: Draft, spec: FieldSpec): Condition {
  const { field, operator, values } = draft;
  if (NO_VALUE(operator)) return { field, operator };
  if (operator === 'between')
    return { field, operator, value: [typed(spec, values[0] ?? ''), typed(spec, values[1] ?? '')] };
  if (operator === 'in')
    return {
      field,
      operator,
      value: (values[0] ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
        .map((s) => typed(spec, s)),
    };
  return { field, operator, value: typed(spec, values[0] ?? '') };
}

export const activeConditions = (search: Search) => search.conditions.filter((c) => !c.disabled);
