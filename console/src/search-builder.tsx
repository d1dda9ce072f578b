/**
 * The advanced search builder, one for the whole console (the supervisor's interactions search and every admin list
 * with a search route): pick a field, an operator and a value, add the condition; edit, disable or remove each one;
 * match all or any. The fields, their types, operators and enum values are the ones the API publishes in its OpenAPI
 * document (`components.x-searchable-fields`), read once: a field the API adds shows up here. Fields whose values are
 * ids (an agent, an account) are picked and shown by name where the page gives a `lookup`.
 */
import { useEffect, useState } from 'preact/hooks';
import { FieldError } from './field-errors';
import { config, showError } from './state';
import {
  activeConditions,
  conditionOf,
  draftOf,
  NO_VALUE,
  words,
  type Catalog,
  type Condition,
  type Draft,
  type FieldSpec,
  type Lookup,
  type Search,
} from './conditions';

const catalogs = new Map<string, Promise<Catalog>>();

/** The searchable fields of an entity (`interactions`, `accounts`, ...) from GET /openapi.json. */
export function searchCatalog(entity: string): Promise<Catalog> {
  let found = catalogs.get(entity);
  if (!found) {
    found = fetch(`${config.value?.apiUrl ?? ''}/openapi.json`)
      .then((res) => {
        if (!res.ok) throw new Error(`the API document answered ${res.status}`);
        return res.json() as Promise<{ components?: { 'x-searchable-fields'?: Record<string, Catalog> } }>;
      })
      .then((doc) => doc.components?.['x-searchable-fields']?.[entity] ?? {});
    found.catch(() => catalogs.delete(entity));
    catalogs.set(entity, found);
  }
  return found;
}

/** A condition as a sentence: `channel equals sms`, `agent ID equals Grace` (an id by its name where `lookup` knows it). */
export function describe(condition: Condition, lookup?: Lookup): string {
  const show = (v: unknown) => (lookup && typeof v === 'string' ? lookup.name(condition.field, v) : String(v));
  const value = NO_VALUE(condition.operator)
    ? ''
    : Array.isArray(condition.value)
      ? condition.operator === 'between'
        ? ` ${show(condition.value[0])} and ${show(condition.value[1])}`
        : ` ${condition.value.map(show).join(', ')}`
      : ` ${show(condition.value)}`;
  return `${words(condition.field)} ${words(condition.operator)}${value}`;
}

function ValueInput({
  field,
  spec,
  value,
  onChange,
  label,
  lookup,
}: {
  field: string;
  spec: FieldSpec;
  value: string;
  onChange: (v: string) => void;
  label: string;
  lookup: Lookup | undefined;
}) {
  const named = lookup?.options(field);
  if (named) {
    return (
      <select aria-label={label} value={value} onChange={(e) => onChange(e.currentTarget.value)}>
        <option value="">Choose…</option>
        {named.map((n) => (
          <option key={n.id} value={n.id}>
            {n.name}
          </option>
        ))}
      </select>
    );
  }
  if (spec.type === 'enum' || spec.type === 'boolean') {
    const values = spec.type === 'boolean' ? ['true', 'false'] : (spec.values ?? []);
    return (
      <select aria-label={label} value={value} onChange={(e) => onChange(e.currentTarget.value)}>
        <option value="">Choose…</option>
        {values.map((v) => (
          <option key={v} value={v}>
            {v}
          </option>
        ))}
      </select>
    );
  }
  const onInput = (e: { currentTarget: HTMLInputElement }) => onChange(e.currentTarget.value);
  if (spec.type === 'date') return <input aria-label={label} type="date" value={value} onInput={onInput} />;
  if (spec.type === 'number') return <input aria-label={label} type="number" value={value} onInput={onInput} />;
  return <input aria-label={label} type="text" value={value} maxLength={500} onInput={onInput} />;
}

/**
 * The builder. `search` is the conditions being edited; `onRun` runs them (the parent keeps what is active);
 * `error` is the last 400 of the search, whose `body.conditions.N.*` details show beside condition N.
 */
export function SearchBuilder({
  entity,
  search,
  onChange,
  onRun,
  onClear,
  error,
  lookup,
}: {
  entity: string;
  search: Search;
  onChange: (next: Search) => void;
  onRun: () => void;
  onClear: () => void;
  error: unknown;
  lookup?: Lookup;
}) {
  const [catalog, setCatalog] = useState<Catalog | undefined>();
  const [draft, setDraft] = useState<Draft>({ field: '', operator: '', values: [''] });
  const [editing, setEditing] = useState<number | undefined>();
  useEffect(() => {
    searchCatalog(entity).then(setCatalog, showError);
  }, [entity]);
  if (!catalog) return <p class="loading">Loading the search fields…</p>;
  const fields = Object.keys(catalog).sort((a, b) => words(a).localeCompare(words(b)));
  const spec = catalog[draft.field];
  const ready =
    spec !== undefined &&
    spec.operators.includes(draft.operator) &&
    (NO_VALUE(draft.operator) || draft.values.slice(0, draft.operator === 'between' ? 2 : 1).every((v) => v !== ''));

  const setField = (field: string) => {
    const next = catalog[field];
    setDraft({ field, operator: next?.operators[0] ?? '', values: [''] });
  };
  const commit = (event: Event) => {
    event.preventDefault();
    if (!spec || !ready) return;
    const condition = conditionOf(draft, spec);
    const conditions =
      editing === undefined
        ? [...search.conditions, condition]
        : search.conditions.map((c, i) => (i === editing ? { ...condition, disabled: c.disabled } : c));
    onChange({ ...search, conditions });
    setEditing(undefined);
    setDraft({ field: '', operator: '', values: [''] });
  };
  const edit = (i: number) => {
    setEditing(i);
    setDraft(draftOf(search.conditions[i]!));
  };
  const valueLabel = (n: number) => (draft.operator === 'between' ? (n === 0 ? 'From value' : 'To value') : 'Value');

  return (
    <section class="search-builder" aria-label="Advanced search">
      <form
        class="condition-form"
        onSubmit={commit}
        aria-label={editing === undefined ? 'New condition' : 'Edit condition'}
      >
        <label>
          Field
          <select value={draft.field} onChange={(e) => setField(e.currentTarget.value)}>
            <option value="">Choose a field…</option>
            {fields.map((f) => (
              <option key={f} value={f} title={catalog[f]!.description}>
                {words(f)}
              </option>
            ))}
          </select>
        </label>
        <label>
          Operator
          <select
            value={draft.operator}
            disabled={!spec}
            onChange={(e) => setDraft({ ...draft, operator: e.currentTarget.value, values: [''] })}
          >
            {(spec?.operators ?? []).map((o) => (
              <option key={o} value={o}>
                {words(o)}
              </option>
            ))}
          </select>
        </label>
        {spec &&
          !NO_VALUE(draft.operator) &&
          (draft.operator === 'between' ? [0, 1] : [0]).map((n) => (
            <label key={n}>
              {valueLabel(n)}
              {draft.operator === 'in' && <span class="muted"> (comma-separated)</span>}
              <ValueInput
                field={draft.field}
                spec={draft.operator === 'in' ? { ...spec, type: 'string' } : spec}
                label={valueLabel(n)}
                lookup={lookup}
                value={draft.values[n] ?? ''}
                onChange={(v) => {
                  const values = [...draft.values];
                  values[n] = v;
                  setDraft({ ...draft, values });
                }}
              />
            </label>
          ))}
        <button type="submit" disabled={!ready}>
          {editing === undefined ? 'Add condition' : 'Update condition'}
        </button>
        {editing !== undefined && (
          <button
            type="button"
            class="link"
            onClick={() => {
              setEditing(undefined);
              setDraft({ field: '', operator: '', values: [''] });
            }}
          >
            Cancel edit
          </button>
        )}
      </form>
      {search.conditions.length > 0 && (
        <>
          <fieldset class="match">
            <legend>Match</legend>
            <label class="inline">
              <input
                type="radio"
                name={`${entity}-match`}
                checked={search.match === 'all'}
                onChange={() => onChange({ ...search, match: 'all' })}
              />
              All conditions
            </label>
            <label class="inline">
              <input
                type="radio"
                name={`${entity}-match`}
                checked={search.match === 'any'}
                onChange={() => onChange({ ...search, match: 'any' })}
              />
              Any condition
            </label>
            <FieldError error={error} path="body.match" />
          </fieldset>
          <ul class="conditions" aria-label="Conditions">
            {search.conditions.map((c, i) => (
              <li
                key={i}
                class={`condition${c.disabled ? ' disabled' : ''}${editing === i ? ' editing' : ''}`}
                aria-label={describe(c, lookup)}
              >
                <span class="condition-text">
                  {describe(c, lookup)}
                  {c.disabled && <span class="muted"> (disabled)</span>}
                </span>
                <button type="button" class="link" onClick={() => edit(i)}>
                  Edit
                </button>
                <button
                  type="button"
                  class="link"
                  onClick={() =>
                    onChange({
                      ...search,
                      conditions: search.conditions.map((x, j) => (j === i ? { ...x, disabled: !x.disabled } : x)),
                    })
                  }
                >
                  {c.disabled ? 'Enable' : 'Disable'}
                </button>
                <button
                  type="button"
                  class="link"
                  aria-label={`Remove ${describe(c, lookup)}`}
                  onClick={() => {
                    if (editing === i) setEditing(undefined);
                    onChange({ ...search, conditions: search.conditions.filter((_, j) => j !== i) });
                  }}
                >
                  Remove
                </button>
                <FieldError error={error} path={`body.conditions.${i}`} />
              </li>
            ))}
          </ul>
        </>
      )}
      <div class="actions">
        <button type="button" class="primary" onClick={onRun} disabled={activeConditions(search).length === 0}>
          Search
        </button>
        <button type="button" onClick={onClear} disabled={search.conditions.length === 0}>
          Remove all conditions
        </button>
      </div>
    </section>
  );
}
