/**
 * Advanced search, the one module every searchable entity (interactions, accounts, agents, contacts) uses:
 * `{ match: 'all' | 'any', conditions: [{ field, operator, value, disabled? }] }` checked against the entity's
 * field catalog (a wrong field, operator or value is a ValidationError naming the condition), then evaluated as a
 * plain predicate over items read through an index. Strings compare case-insensitively; disabled conditions are
 * ignored; no enabled condition matches everything. No I/O.
 */
import { ValidationError, type ErrorDetail } from '../errors';

export type FieldType = 'string' | 'enum' | 'number' | 'date' | 'boolean' | 'tags';

export const OPERATORS = [
  'equals',
  'notEquals',
  'contains',
  'notContains',
  'startsWith',
  'endsWith',
  'greaterThan',
  'lessThan',
  'between',
  'in',
  'isEmpty',
  'isNotEmpty',
] as const;
export type Operator = (typeof OPERATORS)[number];

/** Which operators apply to which field type. */
export const OPERATORS_BY_TYPE: Record<FieldType, readonly Operator[]> = {
  string: ['equals', 'notEquals', 'contains', 'notContains', 'startsWith', 'endsWith', 'in', 'isEmpty', 'isNotEmpty'],
  enum: ['equals', 'notEquals', 'in', 'isEmpty', 'isNotEmpty'],
  number: ['equals', 'notEquals', 'greaterThan', 'lessThan', 'between', 'in', 'isEmpty', 'isNotEmpty'],
  date: ['equals', 'notEquals', 'greaterThan', 'lessThan', 'between', 'isEmpty', 'isNotEmpty'],
  boolean: ['equals', 'notEquals'],
  tags: ['equals', 'notEquals', 'contains', 'notContains', 'in', 'isEmpty', 'isNotEmpty'],
};

export interface FieldSpec<T> {
  type: FieldType;
  /** The allowed values of an enum field. */
  values?: readonly string[];
  get: (item: T) => unknown;
  description?: string;
}

export type FieldCatalog<T> = Record<string, FieldSpec<T>>;

export interface RawCondition {
  field: string;
  operator: string;
  value?: unknown;
  disabled?: boolean;
}

export interface RawSearch {
  match: 'all' | 'any';
  conditions: RawCondition[];
}

type Scalar = string | number | boolean;

export interface Condition {
  field: string;
  type: FieldType;
  operator: Operator;
  /** Normalised: lower-cased strings, epoch ms for dates, [low, high] for between, a list for in. */
  value?: Scalar | Scalar[];
  /** A date equality given as a day (YYYY-MM-DD) matches the whole UTC day. */
  day?: boolean;
}

export interface Search {
  match: 'all' | 'any';
  conditions: Condition[];
}

const DAY_MS = 24 * 60 * 60 * 1000;
const NO_VALUE: readonly Operator[] = ['isEmpty', 'isNotEmpty'];

/** `not equals`, `not_equals`, `NotEquals` and `notEquals` name the same operator. */
function operatorNamed(name: string): Operator | undefined {
  const flat = name.replace(/[\s_-]+/g, '').toLowerCase();
  return OPERATORS.find((op) => op.toLowerCase() === flat);
}

const isDay = (s: string) => /^\d{4}-\d{2}-\d{2}$/.test(s);

type Parsed = { ok: true; value: Scalar } | { ok: false; message: string };
const ok = (value: Scalar): Parsed => ({ ok: true, value });
const bad = (message: string): Parsed => ({ ok: false, message });

function scalar(type: FieldType, raw: unknown, spec: FieldSpec<unknown>): Parsed {
  switch (type) {
    case 'number':
      if (typeof raw === 'number' && Number.isFinite(raw)) return ok(raw);
      if (typeof raw === 'string' && raw.trim() !== '' && Number.isFinite(Number(raw))) return ok(Number(raw));
      return bad('a number');
    case 'date': {
      const t = typeof raw === 'string' && /^\d{4}-\d{2}-\d{2}/.test(raw) ? Date.parse(raw) : NaN;
      return Number.isNaN(t) ? bad('an ISO 8601 date or date-time') : ok(t);
    }
    case 'boolean':
      if (typeof raw === 'boolean') return ok(raw);
      if (raw === 'true' || raw === 'false') return ok(raw === 'true');
      return bad('true or false');
    case 'enum':
      if (typeof raw === 'string' && spec.values?.includes(raw)) return ok(raw);
      return bad(`one of ${spec.values?.join(', ')}`);
    default:
      if (typeof raw === 'string' && raw.length > 0 && raw.length <= 500) return ok(raw.toLowerCase());
      if (typeof raw === 'number') return ok(String(raw));
      return bad('a non-empty string of at most 500 characters');
  }
}

/**
 * Checks a raw search against the catalog. Every problem is a detail naming the condition's field, operator or
 * value (`body.conditions.2.operator`); any problem makes the whole search a 400.
 */
export function parseSearch<T>(raw: RawSearch, catalog: FieldCatalog<T>, where = 'body'): Search {
  const details: ErrorDetail[] = [];
  const conditions: Condition[] = [];
  raw.conditions.forEach((c, i) => {
    const at = `${where}.conditions.${i}`;
    const spec = catalog[c.field] as FieldSpec<unknown> | undefined;
    if (!spec) {
      details.push({ path: `${at}.field`, message: `unknown field '${c.field}'; one of ${Object.keys(catalog).join(', ')}` });
      return;
    }
    const operator = operatorNamed(c.operator);
    const allowed = OPERATORS_BY_TYPE[spec.type];
    if (!operator || !allowed.includes(operator)) {
      details.push({ path: `${at}.operator`, message: `'${c.operator}' does not apply to the ${spec.type} field ${c.field}; one of ${allowed.join(', ')}` });
      return;
    }
    if (c.disabled) return;
    const condition: Condition = { field: c.field, type: spec.type, operator };
    if (NO_VALUE.includes(operator)) {
      if (c.value !== undefined && c.value !== null && c.value !== '') details.push({ path: `${at}.value`, message: `${operator} takes no value` });
      else conditions.push(condition);
      return;
    }
    const elementType: FieldType = spec.type === 'tags' ? 'string' : spec.type;
    const one = (v: unknown, path: string): Scalar | undefined => {
      const parsed = scalar(elementType, v, spec);
      if (!parsed.ok) {
        details.push({ path, message: `must be ${parsed.message}` });
        return undefined;
      }
      return parsed.value;
    };
    if (operator === 'between' || operator === 'in') {
      const list = c.value;
      const sizeOk = Array.isArray(list) && (operator === 'between' ? list.length === 2 : list.length >= 1 && list.length <= 100);
      if (!sizeOk) {
        details.push({ path: `${at}.value`, message: operator === 'between' ? 'must be [low, high]' : 'must be a list of 1 to 100 values' });
        return;
      }
      const values = (list as unknown[]).map((v, j) => one(v, `${at}.value.${j}`));
      if (values.some((v) => v === undefined)) return;
      if (operator === 'between' && (values[0] as number) > (values[1] as number)) {
        details.push({ path: `${at}.value`, message: 'low must not be above high' });
        return;
      }
      condition.value = values as Scalar[];
    } else {
      if (Array.isArray(c.value)) {
        details.push({ path: `${at}.value`, message: `${operator} takes one value, not a list` });
        return;
      }
      const v = one(c.value, `${at}.value`);
      if (v === undefined) return;
      condition.value = v;
      if (spec.type === 'date' && typeof c.value === 'string' && isDay(c.value)) condition.day = true;
    }
    conditions.push(condition);
  });
  if (details.length > 0) throw new ValidationError(`invalid search: ${details.map((d) => d.path).join(', ')}`, details);
  return { match: raw.match, conditions };
}

const empty = (v: unknown) => v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);

function normalise(type: FieldType, v: unknown): Scalar | undefined {
  if (empty(v)) return undefined;
  if (type === 'date') {
    const t = typeof v === 'number' ? v : Date.parse(String(v));
    return Number.isNaN(t) ? undefined : t;
  }
  if (type === 'number') return typeof v === 'number' ? v : Number(v);
  if (type === 'boolean') return Boolean(v);
  if (type === 'enum') return String(v);
  return String(v).toLowerCase();
}

function test(condition: Condition, raw: unknown): boolean {
  const { operator, type } = condition;
  if (operator === 'isEmpty') return empty(raw);
  if (operator === 'isNotEmpty') return !empty(raw);
  if (type === 'tags') {
    const tags = Array.isArray(raw) ? raw.map((t) => String(t).toLowerCase()) : [];
    const v = condition.value;
    switch (operator) {
      case 'contains':
        return tags.includes(v as string);
      case 'notContains':
        return !tags.includes(v as string);
      case 'in':
        return (v as string[]).some((t) => tags.includes(t));
      case 'equals':
        return tags.length === 1 && tags[0] === v;
      case 'notEquals':
        return !(tags.length === 1 && tags[0] === v);
      default:
        return false;
    }
  }
  const value = normalise(type, raw);
  const v = condition.value;
  if (type === 'date' && condition.day && (operator === 'equals' || operator === 'notEquals')) {
    const inDay = value !== undefined && (value as number) >= (v as number) && (value as number) < (v as number) + DAY_MS;
    return operator === 'equals' ? inDay : !inDay;
  }
  switch (operator) {
    case 'equals':
      return value === v;
    case 'notEquals':
      return value !== v;
    case 'contains':
      return value !== undefined && String(value).includes(v as string);
    case 'notContains':
      return value === undefined || !String(value).includes(v as string);
    case 'startsWith':
      return value !== undefined && String(value).startsWith(v as string);
    case 'endsWith':
      return value !== undefined && String(value).endsWith(v as string);
    case 'greaterThan':
      return typeof value === 'number' && value > (v as number);
    case 'lessThan':
      return typeof value === 'number' && value < (v as number);
    case 'between': {
      const [low, high] = v as number[];
      return typeof value === 'number' && value >= low! && value <= high!;
    }
    case 'in':
      return value !== undefined && (v as Scalar[]).includes(value);
    default:
      return false;
  }
}

/** The predicate of a parsed search over items of the catalog's entity. */
export function matcher<T>(search: Search, catalog: FieldCatalog<T>): (item: T) => boolean {
  const { conditions, match } = search;
  if (conditions.length === 0) return () => true;
  return (item) => {
    const results = conditions.map((c) => test(c, catalog[c.field]!.get(item)));
    return match === 'all' ? results.every(Boolean) : results.some(Boolean);
  };
}

/**
 * The start-time bounds a search implies (ms), so an interactions search reads only the index range it can match:
 * with `match: all`, the tightest greaterThan / lessThan / between / day-equals on the given date field.
 */
export function dateBounds(search: Search, field: string): { from?: number; to?: number } {
  if (search.match !== 'all') return {};
  let from: number | undefined;
  let to: number | undefined;
  for (const c of search.conditions) {
    if (c.field !== field) continue;
    const v = c.value;
    let lo: number | undefined;
    let hi: number | undefined;
    if (c.operator === 'greaterThan') lo = v as number;
    else if (c.operator === 'lessThan') hi = v as number;
    else if (c.operator === 'between') [lo, hi] = v as number[];
    else if (c.operator === 'equals' && c.day) [lo, hi] = [v as number, (v as number) + DAY_MS];
    else if (c.operator === 'equals') [lo, hi] = [v as number, v as number];
    if (lo !== undefined) from = from === undefined ? lo : Math.max(from, lo);
    if (hi !== undefined) to = to === undefined ? hi : Math.min(to, hi);
  }
  return { ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) };
}

/** The catalog as the OpenAPI document publishes it: each field's type, operators and enum values. */
export function describeCatalog<T>(catalog: FieldCatalog<T>): Record<string, { type: FieldType; operators: readonly Operator[]; values?: readonly string[]; description?: string }> {
  return Object.fromEntries(
    Object.entries(catalog).map(([name, spec]) => [
      name,
      { type: spec.type, operators: OPERATORS_BY_TYPE[spec.type], ...(spec.values ? { values: spec.values } : {}), ...(spec.description ? { description: spec.description } : {}) },
    ]),
  );
}
