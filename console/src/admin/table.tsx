/**
 * The admin pages' list: a table over a paged API list (`items` + `nextCursor`) with a search box, filters, cursor
 * paging, row selection that survives paging (for bulk delete, export, invitations) and, where the API has one, the
 * advanced search: the console's one builder (`search-builder.tsx`, the supervisor's interactions search uses it too),
 * whose fields and operators come from the OpenAPI document's `x-searchable-fields`.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../client';
import { activeConditions, type Condition, type Search } from '../conditions';
import { FormError } from '../field-errors';
import { SearchBuilder } from '../search-builder';
import { client, showError } from '../state';
import type { Option } from './form';

export type { Condition, Search };

export interface Column<T> {
  key: string;
  label: string;
  render?: (row: T) => ComponentChildren;
}

export interface Filter {
  /** The list route's query parameter. */
  name: string;
  label: string;
  options: Option[];
}

export interface Row {
  id: string;
}

interface PageOf<T> {
  items: T[];
  nextCursor?: string;
}

export interface ListTableProps<T extends object> {
  /** The table's accessible name, e.g. "Accounts". */
  label: string;
  /** The row's key, for rows without an `id` (a campaign's recipients go by `seq`). */
  rowId?: (row: T) => string;
  /** Rows can be selected (for the actions); default true. */
  selectable?: boolean;
  /** The query parameter the search box fills (default `q`) and what the box says it searches. */
  query?: { param: string; placeholder: string };
  /** GET route of the list (`?q=`, the filters, `limit`, `cursor`). */
  path: string;
  /** POST route of the advanced search, and the entity of `x-searchable-fields` it searches. */
  search?: { path: string; entity: string };
  columns: Column<T>[];
  filters?: Filter[];
  /** Opens a row (its first column is a button). */
  onOpen?: (row: T) => void;
  /** Buttons for the selected rows; `reload` refreshes the page after a change. */
  actions?: (selected: T[], reload: () => void) => ComponentChildren;
  /** Bumped by the page to reload (after a create elsewhere on it). */
  reloadKey?: number;
  pageSize?: number;
}

const NO_SEARCH: Search = { match: 'all', conditions: [] };

export function ListTable<T extends object>(props: ListTableProps<T>) {
  const { label, path, filters = [], pageSize = 25, selectable = true } = props;
  const idOf = props.rowId ?? ((row: T) => (row as unknown as Row).id);
  const [q, setQ] = useState('');
  const [typed, setTyped] = useState('');
  const [filterValues, setFilterValues] = useState<Record<string, string>>({});
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [page, setPage] = useState<PageOf<T> | undefined>(undefined);
  const [selected, setSelected] = useState<Map<string, T>>(new Map());
  // What the builder edits, and what the list shows (the draft once run).
  const [draft, setDraft] = useState<Search>(NO_SEARCH);
  const [search, setSearch] = useState<Search | undefined>(undefined);
  const [searchError, setSearchError] = useState<unknown>(undefined);
  const [builder, setBuilder] = useState(false);
  const [tick, setTick] = useState(0);
  const [hidden, setHidden] = useState<Set<string>>(new Set());
  const cursor = cursors[cursors.length - 1];
  const columns = props.columns.filter((c, i) => i === 0 || !hidden.has(c.key));

  // The search box answers as one types, a moment after the last key.
  useEffect(() => {
    const timer = setTimeout(() => {
      setQ(typed.trim());
      setCursors([undefined]);
    }, 250);
    return () => clearTimeout(timer);
  }, [typed]);

  useEffect(() => {
    let live = true;
    const load = async () => {
      if (search && props.search) {
        return client().post<PageOf<T>>(props.search.path, {
          match: search.match,
          conditions: search.conditions,
          limit: pageSize,
          ...(cursor ? { cursor } : {}),
        });
      }
      const query = new URLSearchParams({ limit: String(pageSize) });
      if (q) query.set(props.query?.param ?? 'q', q);
      for (const [name, value] of Object.entries(filterValues)) if (value) query.set(name, value);
      if (cursor) query.set('cursor', cursor);
      return client().get<PageOf<T>>(`${path}?${query.toString()}`);
    };
    load().then(
      (result) => live && setPage(result),
      (error: unknown) => {
        if (!live) return;
        // A search the API refused shows its details beside the conditions they name.
        if (search && error instanceof ApiError && error.details.length) setSearchError(error);
        else showError(error);
      },
    );
    return () => {
      live = false;
    };
  }, [path, q, JSON.stringify(filterValues), cursor, JSON.stringify(search), tick, props.reloadKey]);

  const reload = () => {
    setSelected(new Map());
    setTick((t) => t + 1);
  };
  const rows = page?.items ?? [];
  const allChecked = rows.length > 0 && rows.every((r) => selected.has(idOf(r)));
  const toggle = (row: T, on: boolean) =>
    setSelected((s) => {
      const next = new Map(s);
      if (on) next.set(idOf(row), row);
      else next.delete(idOf(row));
      return next;
    });
  const active = search?.conditions.filter((c) => !c.disabled).length ?? 0;

  return (
    <section class="list-table" aria-label={label}>
      <div class="list-tools">
        <label class="inline">
          <span class="sr-only">Search {label.toLowerCase()}</span>
          <input
            type="search"
            placeholder={props.query?.placeholder ?? 'Search…'}
            aria-label={`Search ${label.toLowerCase()}`}
            value={typed}
            disabled={Boolean(search)}
            onInput={(e) => setTyped(e.currentTarget.value)}
          />
        </label>
        {filters.map((f) => (
          <label class="inline" key={f.name}>
            {f.label}
            <select
              aria-label={f.label}
              value={filterValues[f.name] ?? ''}
              disabled={Boolean(search)}
              onChange={(e) => {
                const value = e.currentTarget.value;
                setFilterValues((v) => ({ ...v, [f.name]: value }));
                setCursors([undefined]);
              }}
            >
              <option value="">All</option>
              {f.options.map((o) => (
                <option key={o.value} value={o.value}>
                  {o.label}
                </option>
              ))}
            </select>
          </label>
        ))}
        {filters.length > 0 && Object.values(filterValues).some(Boolean) && (
          <button type="button" class="link" onClick={() => setFilterValues({})}>
            Clear filters
          </button>
        )}
        {props.search && (
          <button
            type="button"
            aria-expanded={builder}
            class={active ? 'search-active' : undefined}
            onClick={() => setBuilder((b) => !b)}
          >
            {active ? `Advanced search (${active} active)` : 'Advanced search'}
          </button>
        )}
        <details class="manage-columns">
          <summary>Columns</summary>
          <fieldset>
            <legend class="sr-only">Columns shown</legend>
            {props.columns.slice(1).map((c) => (
              <label key={c.key} class="inline">
                <input
                  type="checkbox"
                  checked={!hidden.has(c.key)}
                  onChange={(e) => {
                    const show = e.currentTarget.checked;
                    setHidden((h) => {
                      const next = new Set(h);
                      if (show) next.delete(c.key);
                      else next.add(c.key);
                      return next;
                    });
                  }}
                />
                {c.label}
              </label>
            ))}
          </fieldset>
        </details>
        <span class="list-actions">{props.actions?.([...selected.values()], reload)}</span>
      </div>
      {builder && props.search && (
        <>
          <SearchBuilder
            entity={props.search.entity}
            search={draft}
            onChange={(next) => {
              setDraft(next);
              setSearchError(undefined);
            }}
            onRun={() => {
              setSearch(activeConditions(draft).length ? draft : undefined);
              setCursors([undefined]);
            }}
            onClear={() => {
              setDraft(NO_SEARCH);
              setSearch(undefined);
              setSearchError(undefined);
              setCursors([undefined]);
            }}
            error={searchError}
          />
          <FormError error={searchError} claimed={['body.conditions', 'body.match']} />
        </>
      )}
      <table aria-label={label}>
        <thead>
          <tr>
            {selectable && (
              <th scope="col" class="check">
                <input
                  type="checkbox"
                  aria-label="Select all on this page"
                  checked={allChecked}
                  onChange={(e) => {
                    const on = e.currentTarget.checked;
                    for (const r of rows) toggle(r, on);
                  }}
                />
              </th>
            )}
            {columns.map((c) => (
              <th scope="col" key={c.key}>
                {c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => {
            const id = idOf(row);
            const name = String((row as unknown as Record<string, unknown>)[columns[0]?.key ?? 'id'] ?? id);
            return (
              <tr key={id} aria-selected={selectable ? selected.has(id) : undefined}>
                {selectable && (
                  <td class="check">
                    <input
                      type="checkbox"
                      aria-label={`Select ${name}`}
                      checked={selected.has(id)}
                      onChange={(e) => toggle(row, e.currentTarget.checked)}
                    />
                  </td>
                )}
                {columns.map((c, i) => {
                  const content = c.render
                    ? c.render(row)
                    : String((row as unknown as Record<string, unknown>)[c.key] ?? '');
                  return (
                    <td key={c.key}>
                      {i === 0 && props.onOpen ? (
                        <button type="button" class="link" onClick={() => props.onOpen?.(row)}>
                          {content || id}
                        </button>
                      ) : (
                        content
                      )}
                    </td>
                  );
                })}
              </tr>
            );
          })}
        </tbody>
      </table>
      {page && !rows.length && <p class="empty">Nothing here{q || search ? ' matches' : ' yet'}.</p>}
      <div class="pager">
        <button type="button" disabled={cursors.length < 2} onClick={() => setCursors((c) => c.slice(0, -1))}>
          Previous
        </button>
        <span>Page {cursors.length}</span>
        <button
          type="button"
          disabled={!page?.nextCursor}
          onClick={() => page?.nextCursor && setCursors((c) => [...c, page.nextCursor])}
        >
          Next
        </button>
        {selected.size > 0 && (
          <span class="selected-count">
            {selected.size} selected{' '}
            <button type="button" class="link" onClick={() => setSelected(new Map())}>
              Clear selection
            </button>
          </span>
        )}
      </div>
    </section>
  );
}

/** A delete that asks once more in place (no native dialog): the first click arms it, the second deletes. */
export function ConfirmButton({
  label,
  confirmLabel,
  onConfirm,
  disabled,
}: {
  label: string;
  confirmLabel: string;
  onConfirm: () => void;
  disabled?: boolean;
}) {
  const [armed, setArmed] = useState(false);
  useEffect(() => {
    if (!armed) return;
    const timer = setTimeout(() => setArmed(false), 5000);
    return () => clearTimeout(timer);
  }, [armed]);
  return (
    <button
      type="button"
      class="danger"
      disabled={disabled}
      onClick={() => {
        if (!armed) return setArmed(true);
        setArmed(false);
        onConfirm();
      }}
    >
      {armed ? confirmLabel : label}
    </button>
  );
}

/**
 * The bulk actions of an admin list: export the selected rows (CSV, where the API has an export) and delete them
 * (`bulk-delete` where the API has it, else one DELETE each).
 */
export function BulkActions<T extends Row>({
  selected,
  reload,
  base,
  noun,
  exportName,
  bulkDelete = false,
}: {
  selected: T[];
  reload: () => void;
  base: string;
  noun: string;
  exportName?: string;
  bulkDelete?: boolean;
}) {
  const ids = selected.map((r) => r.id);
  const remove = async () => {
    if (bulkDelete) await client().post(`${base}/bulk-delete`, { ids });
    else for (const id of ids) await client().del(`${base}/${encodeURIComponent(id)}`);
  };
  return (
    <>
      {exportName && (
        <button
          type="button"
          disabled={!ids.length}
          onClick={() =>
            client()
              .download(`${base}/export?ids=${ids.join(',')}`, exportName)
              .catch(showError)
          }
        >
          Export to CSV
        </button>
      )}
      <ConfirmButton
        label="Delete selected"
        confirmLabel={`Confirm: delete ${ids.length} ${noun}${ids.length === 1 ? '' : 's'}`}
        disabled={!ids.length}
        onConfirm={() => void remove().then(reload, (error: unknown) => (showError(error), reload()))}
      />
    </>
  );
}
