/**
 * The supervisor's interactions: the list view's filters (GET /admin/interactions: start date range, read or
 * unread, status, agent, team, queue, account, tags, disposition, channel, contact phone; sort; cursor paging) or
 * the advanced search (POST /admin/interactions/search, which ignores the filters), a results table whose columns
 * can be chosen (remembered in localStorage), row selection, CSV export of the selected rows or of the whole
 * search, transcript zips with or without attachments, and delete with a confirmation. `#/interactions/<id>`
 * is the spy view of one interaction.
 */
import { batch, effect, signal } from '@preact/signals';
import type { ComponentChild } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../client';
import { Dialog } from '../dialogs';
import { navigate } from '../route';
import { client, notice, session, showError, type Interaction } from '../state';
import { directory, directoryLookup, loadDirectory, nameOf } from './directory';
import { fetchFile, jobs, transcript } from './download';
import { FieldError, FormError } from '../field-errors';
import { activeConditions, type Search } from '../conditions';
import { SearchBuilder } from '../search-builder';
import { SpyView } from './spy';

export type Row = Interaction & {
  closedAt?: string;
  closeReason?: string;
  lastOutboundAt?: string;
  firstResponseAt?: string;
};

interface Filters {
  from: string;
  to: string;
  read: string;
  status: string;
  agentId: string;
  teamId: string;
  queueId: string;
  accountId: string;
  tags: string;
  disposition: string;
  channel: string;
  contactPhone: string;
}

const NO_FILTERS: Filters = {
  from: '',
  to: '',
  read: '',
  status: '',
  agentId: '',
  teamId: '',
  queueId: '',
  accountId: '',
  tags: '',
  disposition: '',
  channel: '',
  contactPhone: '',
};

// Kept at module level: leaving for the spy view and coming back finds the same list, search and selection.
const filters = signal<Filters>(NO_FILTERS);
const sort = signal<{ sort: 'startedAt' | 'lastMessageAt'; order: 'desc' | 'asc' }>({
  sort: 'startedAt',
  order: 'desc',
});
const draftSearch = signal<Search>({ match: 'all', conditions: [] });
const activeSearch = signal<Search | undefined>(undefined);
const builderOpen = signal(false);
const results = signal<{ items: Row[]; nextCursor?: string; loaded: boolean }>({ items: [], loaded: false });
const selection = signal<Set<string>>(new Set());
const listError = signal<unknown>(undefined);
const searchError = signal<unknown>(undefined);
const loading = signal(false);

// A sign-out forgets them: the next person to sign in on this tab starts from an empty page.
effect(() => {
  if (session.value) return;
  batch(() => {
    filters.value = NO_FILTERS;
    draftSearch.value = { match: 'all', conditions: [] };
    activeSearch.value = undefined;
    builderOpen.value = false;
    results.value = { items: [], loaded: false };
    selection.value = new Set();
    listError.value = undefined;
    searchError.value = undefined;
    jobs.value = [];
  });
});

const PAGE = 50;

const dateTime = (iso: string | undefined) => (iso ? new Date(iso).toLocaleString() : '');
const lastMessageAt = (r: Row) =>
  r.lastOutboundAt && r.lastInboundAt && r.lastOutboundAt > r.lastInboundAt ? r.lastOutboundAt : r.lastInboundAt;

interface Column {
  key: string;
  label: string;
  shown: boolean;
  cell: (r: Row) => ComponentChild;
}

export const COLUMNS: Column[] = [
  { key: 'startedAt', label: 'Started', shown: true, cell: (r) => dateTime(r.createdAt) },
  { key: 'account', label: 'Account', shown: true, cell: (r) => nameOf('accounts', r.accountId) },
  { key: 'channel', label: 'Channel', shown: true, cell: (r) => (r.channel === 'whatsapp' ? 'WhatsApp' : 'SMS') },
  { key: 'contactPhone', label: 'Contact', shown: true, cell: (r) => r.contactPhone },
  { key: 'agent', label: 'Agent', shown: true, cell: (r) => nameOf('agents', r.agentId) },
  { key: 'queue', label: 'Queue', shown: false, cell: (r) => nameOf('queues', r.queueId ?? r.routing?.queueId) },
  { key: 'status', label: 'Status', shown: true, cell: (r) => r.status },
  { key: 'read', label: 'Read', shown: true, cell: (r) => ((r.unread ?? 0) === 0 ? 'read' : `${r.unread} unread`) },
  { key: 'lastMessageAt', label: 'Last message', shown: true, cell: (r) => dateTime(lastMessageAt(r)) },
  { key: 'closedAt', label: 'Closed', shown: false, cell: (r) => dateTime(r.closedAt) },
  { key: 'disposition', label: 'Disposition', shown: true, cell: (r) => r.disposition ?? '' },
  { key: 'tags', label: 'Tags', shown: true, cell: (r) => (r.tags ?? []).join(', ') },
  { key: 'messageCount', label: 'Messages', shown: false, cell: (r) => r.messageCount },
  { key: 'closeReason', label: 'Close reason', shown: false, cell: (r) => r.closeReason ?? '' },
  { key: 'id', label: 'ID', shown: false, cell: (r) => <code>{r.id}</code> },
];

const COLUMNS_KEY = 'switchboard.interactions.columns';

function storedColumns(): string[] {
  try {
    const raw = JSON.parse(localStorage.getItem(COLUMNS_KEY) ?? 'null') as unknown;
    if (Array.isArray(raw)) return raw.filter((k): k is string => COLUMNS.some((c) => c.key === k));
  } catch {
    // Unreadable: the defaults.
  }
  return COLUMNS.filter((c) => c.shown).map((c) => c.key);
}

const columns = signal<string[]>(typeof localStorage === 'undefined' ? [] : storedColumns());

function setColumns(keys: string[]): void {
  columns.value = keys;
  localStorage.setItem(COLUMNS_KEY, JSON.stringify(keys));
}

/** Reads a page: the active search if there is one, else the list with its filters; `more` appends the next. */
async function load(more = false): Promise<void> {
  const cursor = more ? results.value.nextCursor : undefined;
  if (more && !cursor) return;
  loading.value = true;
  try {
    let page: { items: Row[]; nextCursor?: string };
    const search = activeSearch.value;
    if (search) {
      page = await client().post('/admin/interactions/search', {
        match: search.match,
        conditions: search.conditions,
        ...sort.value,
        limit: PAGE,
        ...(cursor ? { cursor } : {}),
      });
      searchError.value = undefined;
    } else {
      const query = new URLSearchParams();
      for (const [k, v] of Object.entries(filters.value)) if (v) query.set(k, v);
      query.set('sort', sort.value.sort);
      query.set('order', sort.value.order);
      query.set('limit', String(PAGE));
      if (cursor) query.set('cursor', cursor);
      page = await client().get(`/admin/interactions?${query}`);
      listError.value = undefined;
    }
    results.value = {
      items: more ? [...results.value.items, ...page.items] : page.items,
      nextCursor: page.nextCursor,
      loaded: true,
    };
    if (!more) selection.value = new Set();
  } catch (error) {
    if (error instanceof ApiError && error.status === 400) {
      if (activeSearch.value) searchError.value = error;
      else listError.value = error;
    } else showError(error);
  } finally {
    loading.value = false;
  }
}

function Select({
  label,
  name,
  options,
  value,
  onChange,
}: {
  label: string;
  name: keyof Filters;
  options: { value: string; label: string }[];
  value: string;
  onChange: (name: keyof Filters, value: string) => void;
}) {
  return (
    <label>
      {label}
      <select value={value} onChange={(e) => onChange(name, e.currentTarget.value)}>
        <option value="">Any</option>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      <FieldError error={listError.value} path={`query.${name}`} />
    </label>
  );
}

function FilterForm() {
  const [draft, setDraft] = useState<Filters>(filters.value);
  const set = (name: keyof Filters, value: string) => setDraft({ ...draft, [name]: value });
  const text = (label: string, name: keyof Filters, type: 'text' | 'tel' | 'date' = 'text', placeholder?: string) => {
    const onInput = (e: { currentTarget: HTMLInputElement }) => set(name, e.currentTarget.value);
    return (
      <label>
        {label}
        {type === 'date' ? (
          <input type="date" value={draft[name]} onInput={onInput} />
        ) : type === 'tel' ? (
          <input type="tel" value={draft[name]} placeholder={placeholder} maxLength={32} onInput={onInput} />
        ) : (
          <input
            type="text"
            value={draft[name]}
            placeholder={placeholder}
            maxLength={name === 'tags' ? 1000 : 100}
            onInput={onInput}
          />
        )}
        <FieldError error={listError.value} path={`query.${name}`} />
      </label>
    );
  };
  const named = (list: { id: string; name: string }[]) => list.map((n) => ({ value: n.id, label: n.name }));
  const d = directory.value;
  const apply = (next: Filters) => {
    filters.value = next;
    setDraft(next);
    void load();
  };
  return (
    <form
      class="filters"
      aria-label="Filters"
      onSubmit={(e) => {
        e.preventDefault();
        apply(draft);
      }}
    >
      {text('Started from', 'from', 'date')}
      {text('Started to', 'to', 'date')}
      <Select
        label="Read"
        name="read"
        value={draft.read}
        onChange={set}
        options={[
          { value: 'true', label: 'Read' },
          { value: 'false', label: 'Unread' },
        ]}
      />
      <Select
        label="Status"
        name="status"
        value={draft.status}
        onChange={set}
        options={[
          { value: 'open', label: 'Open' },
          { value: 'closed', label: 'Closed' },
        ]}
      />
      <Select
        label="Channel"
        name="channel"
        value={draft.channel}
        onChange={set}
        options={[
          { value: 'sms', label: 'SMS' },
          { value: 'whatsapp', label: 'WhatsApp' },
        ]}
      />
      <Select label="Account" name="accountId" value={draft.accountId} onChange={set} options={named(d.accounts)} />
      <Select label="Agent" name="agentId" value={draft.agentId} onChange={set} options={named(d.agents)} />
      <Select label="Team" name="teamId" value={draft.teamId} onChange={set} options={named(d.teams)} />
      <Select label="Queue" name="queueId" value={draft.queueId} onChange={set} options={named(d.queues)} />
      {text('Tags', 'tags', 'text', 'vip, billing')}
      {text('Disposition', 'disposition')}
      {text('Contact phone', 'contactPhone', 'tel', '+39…')}
      <div class="actions">
        <button type="submit" class="primary">
          Apply filters
        </button>
        <button type="button" onClick={() => apply(NO_FILTERS)}>
          Clear filters
        </button>
      </div>
      <FormError
        error={listError.value}
        claimed={[...Object.keys(NO_FILTERS).map((k) => `query.${k}`), 'query.sort', 'query.order']}
      />
    </form>
  );
}

function ColumnsMenu() {
  const shown = new Set(columns.value);
  return (
    <details class="menu">
      <summary>Manage columns</summary>
      <fieldset class="menu-body" aria-label="Columns">
        {COLUMNS.map((c) => (
          <label key={c.key} class="inline">
            <input
              type="checkbox"
              checked={shown.has(c.key)}
              onChange={(e) =>
                setColumns(
                  COLUMNS.filter((x) => (x.key === c.key ? e.currentTarget.checked : shown.has(x.key))).map(
                    (x) => x.key,
                  ),
                )
              }
            />
            {c.label}
          </label>
        ))}
      </fieldset>
    </details>
  );
}

async function exportCsv(body: { ids: string[] } | { search: Search }): Promise<void> {
  try {
    const outcome = await fetchFile('POST', '/admin/interactions/export', body, 'interactions.csv');
    if (outcome === 'job') notice.value = { kind: 'info', text: 'The export is being prepared: see Exports.' };
  } catch (error) {
    if (error instanceof ApiError && error.status === 400 && 'search' in body) searchError.value = error;
    showError(error);
  }
}

function DeleteDialog({ ids, onClose }: { ids: string[]; onClose: () => void }) {
  const [busy, setBusy] = useState(false);
  const confirm = async () => {
    setBusy(true);
    try {
      if (ids.length === 1) await client().del(`/admin/interactions/${ids[0]}`);
      else await client().post('/admin/interactions/bulk-delete', { ids });
      const gone = new Set(ids);
      results.value = { ...results.value, items: results.value.items.filter((r) => !gone.has(r.id)) };
      selection.value = new Set([...selection.value].filter((id) => !gone.has(id)));
      notice.value = {
        kind: 'info',
        text: `${ids.length === 1 ? 'The interaction was' : `${ids.length} interactions were`} deleted.`,
      };
      onClose();
    } catch (error) {
      showError(error);
      setBusy(false);
    }
  };
  return (
    <Dialog title={ids.length === 1 ? 'Delete interaction' : `Delete ${ids.length} interactions`} onClose={onClose}>
      <p>
        {ids.length === 1 ? 'This interaction' : `These ${ids.length} interactions`}, with{' '}
        {ids.length === 1 ? 'its' : 'their'} messages, notes and media, will be deleted for good.
      </p>
      <div class="actions">
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        <button type="button" class="danger" disabled={busy} onClick={confirm}>
          Delete
        </button>
      </div>
    </Dialog>
  );
}

function RowMenu({ row, onDelete }: { row: Row; onDelete: () => void }) {
  return (
    <details class="menu row-menu">
      <summary aria-label={`Actions for ${row.contactPhone}`}>⋯</summary>
      <div class="menu-body">
        <a href={`#/interactions/${row.id}`}>Spy</a>
        <button type="button" class="link" onClick={() => transcript([row.id], false)}>
          Transcript
        </button>
        <button type="button" class="link" onClick={() => transcript([row.id], true)}>
          Transcript with attachments
        </button>
        <button type="button" class="link danger" onClick={onDelete}>
          Delete
        </button>
      </div>
    </details>
  );
}

function Results() {
  const [deleting, setDeleting] = useState<string[] | undefined>();
  const shown = COLUMNS.filter((c) => columns.value.includes(c.key));
  const { items, nextCursor, loaded } = results.value;
  const chosen = selection.value;
  const allChosen = items.length > 0 && items.every((r) => chosen.has(r.id));
  const toggle = (id: string, on: boolean) => {
    const next = new Set(chosen);
    if (on) next.add(id);
    else next.delete(id);
    selection.value = next;
  };
  const ids = [...chosen];
  const search = activeSearch.value;
  return (
    <>
      <div class="toolbar" role="toolbar" aria-label="Results actions">
        <span class="muted" role="status" aria-label="Result count">
          {loaded ? `${items.length}${nextCursor ? '+' : ''} interactions` : ''}
          {ids.length > 0 ? ` · ${ids.length} selected` : ''}
        </span>
        <button type="button" disabled={ids.length === 0} onClick={() => exportCsv({ ids })}>
          Export selected (CSV)
        </button>
        <button
          type="button"
          disabled={!search}
          title={search ? undefined : 'Run an advanced search to export everything it finds'}
          onClick={() => search && exportCsv({ search: { match: search.match, conditions: search.conditions } })}
        >
          Export search (CSV)
        </button>
        <button type="button" disabled={ids.length === 0} onClick={() => transcript(ids, false)}>
          Transcripts of selected
        </button>
        <button type="button" class="danger" disabled={ids.length === 0} onClick={() => setDeleting(ids)}>
          Delete selected
        </button>
        <button type="button" onClick={() => load()} disabled={loading.value}>
          Refresh
        </button>
        <ColumnsMenu />
      </div>
      <table class="grid results" aria-label="Interactions" aria-busy={loading.value}>
        <thead>
          <tr>
            <th scope="col">
              <input
                type="checkbox"
                aria-label="Select all"
                checked={allChosen}
                onChange={(e) =>
                  (selection.value = e.currentTarget.checked ? new Set(items.map((r) => r.id)) : new Set())
                }
              />
            </th>
            {shown.map((c) => (
              <th scope="col" key={c.key}>
                {c.label}
              </th>
            ))}
            <th scope="col">
              <span class="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {loaded && items.length === 0 && (
            <tr>
              <td colSpan={shown.length + 2} class="empty">
                No interactions match.
              </td>
            </tr>
          )}
          {items.map((r) => (
            <tr key={r.id} aria-selected={chosen.has(r.id)} aria-label={`Interaction with ${r.contactPhone}`}>
              <td>
                <input
                  type="checkbox"
                  aria-label={`Select ${r.contactPhone}`}
                  checked={chosen.has(r.id)}
                  onChange={(e) => toggle(r.id, e.currentTarget.checked)}
                />
              </td>
              {shown.map((c) => (
                <td key={c.key} data-column={c.key}>
                  {c.cell(r)}
                </td>
              ))}
              <td>
                <RowMenu row={r} onDelete={() => setDeleting([r.id])} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {nextCursor && (
        <button type="button" onClick={() => load(true)} disabled={loading.value}>
          Load more
        </button>
      )}
      {deleting && <DeleteDialog ids={deleting} onClose={() => setDeleting(undefined)} />}
    </>
  );
}

function Jobs() {
  if (!jobs.value.length) return null;
  return (
    <section class="jobs" aria-label="Exports">
      <h3>Exports</h3>
      <ul>
        {jobs.value.map((j) => (
          <li key={j.id}>
            {j.kind === 'transcripts' ? 'Transcripts' : 'CSV export'} · {j.status}
            {j.rows !== undefined ? ` · ${j.rows} rows` : ''}
            {j.error ? `: ${j.error}` : ''}
            {j.download && (
              <>
                {' '}
                <a href={j.download.url} download={j.filename}>
                  Download {j.filename}
                </a>{' '}
                <span class="muted">(link expires {new Date(j.download.expiresAt).toLocaleString()})</span>
              </>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

function InteractionsList() {
  useEffect(() => {
    void loadDirectory();
    if (!results.value.loaded) void load();
  }, []);
  const search = activeSearch.value;
  const active = search ? activeConditions(search).length : 0;
  const run = () => {
    activeSearch.value = structuredClone(draftSearch.value);
    void load();
  };
  const clear = () => {
    draftSearch.value = { match: 'all', conditions: [] };
    activeSearch.value = undefined;
    searchError.value = undefined;
    void load();
  };
  return (
    <section class="sv interactions" aria-label="Interactions page">
      <header class="page-head">
        <h2>Interactions</h2>
        <button
          type="button"
          class={`search-toggle${active ? ' active' : ''}`}
          aria-expanded={builderOpen.value}
          onClick={() => (builderOpen.value = !builderOpen.value)}
        >
          Advanced search{active ? ` (${active} active)` : ''}
        </button>
        <label>
          Sort by
          <select
            value={sort.value.sort}
            onChange={(e) => {
              sort.value = { ...sort.value, sort: e.currentTarget.value as 'startedAt' | 'lastMessageAt' };
              void load();
            }}
          >
            <option value="startedAt">Start</option>
            <option value="lastMessageAt">Last message</option>
          </select>
          <FieldError error={search ? searchError.value : listError.value} path={search ? 'body.sort' : 'query.sort'} />
        </label>
        <label>
          Order
          <select
            value={sort.value.order}
            onChange={(e) => {
              sort.value = { ...sort.value, order: e.currentTarget.value as 'asc' | 'desc' };
              void load();
            }}
          >
            <option value="desc">Newest first</option>
            <option value="asc">Oldest first</option>
          </select>
        </label>
      </header>
      {active > 0 && (
        <p class="search-active" role="status" aria-label="Search status">
          Advanced search active ({search?.match === 'any' ? 'any' : 'all'} of {active} condition
          {active === 1 ? '' : 's'}): the filters below are ignored.{' '}
          <button type="button" class="link" onClick={clear}>
            Clear search
          </button>
        </p>
      )}
      {builderOpen.value && (
        <>
          <SearchBuilder
            entity="interactions"
            search={draftSearch.value}
            onChange={(next) => {
              // The last error's details name conditions by position: once the conditions change they no longer fit.
              draftSearch.value = next;
              searchError.value = undefined;
            }}
            onRun={run}
            onClear={clear}
            error={searchError.value}
            lookup={directoryLookup}
          />
          <FormError error={searchError.value} claimed={['body.conditions', 'body.match', 'body.sort']} />
        </>
      )}
      <FilterForm />
      <Results />
      <Jobs />
    </section>
  );
}

export function InteractionsPage({ subpath }: { subpath: string[] }) {
  const id = subpath[0];
  if (id) return <SpyView id={id} onBack={() => navigate('interactions')} />;
  return <InteractionsList />;
}
