/**
 * One admin object type as data: its API route, list columns and filters, form fields and what its edit page adds
 * (members, invitation link, contacts). `CrudView` draws the list (`#/<base>`), the create form (`#/<base>/new`) and
 * the edit page (`#/<base>/<id>`) from it, so agents, teams, queues, lists and the catalog share one implementation.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { Page } from '../pages';
import { client, notice, showError } from '../state';
import { PageHead } from './data';
import { bodyOf, Fields, FormView, useForm, valuesOf, type FieldSpec, type Values } from './form';
import { BulkActions, ConfirmButton, ListTable, type Column, type Filter, type Row } from './table';

export interface Crud<T extends Row> {
  title: string;
  noun: string;
  /** The API route of the collection, e.g. `/admin/queues`. */
  api: string;
  columns: Column<T>[];
  filters?: Filter[];
  /** The entity of `x-searchable-fields` whose advanced search is `POST <api>/search`. */
  search?: string;
  bulkDelete?: boolean;
  exportName?: string;
  /** The form's fields; a hook (it may load the options of its selects). */
  useFields: (item: T | undefined) => FieldSpec[];
  defaults?: Values;
  nameOf: (item: T) => string;
  /** What the edit page shows under the form; `rest` is the hash path past the item's id. */
  extra?: (item: T, reload: () => void, rest: string[]) => ComponentChildren;
  /** More buttons for the list's selected rows. */
  listActions?: (selected: T[], reload: () => void) => ComponentChildren;
  /** Above the list (a note on the page). */
  intro?: ComponentChildren;
}

const go = (base: string, ...rest: string[]) =>
  (location.hash = `#/${[base, ...rest.map(encodeURIComponent)].join('/')}`);

function CrudList<T extends Row>({ crud, base }: { crud: Crud<T>; base: string }) {
  return (
    <>
      <PageHead title={crud.title}>
        <button type="button" class="primary" onClick={() => go(base, 'new')}>
          New {crud.noun}
        </button>
      </PageHead>
      {crud.intro}
      <ListTable<T>
        label={crud.title}
        path={crud.api}
        {...(crud.search ? { search: { path: `${crud.api}/search`, entity: crud.search } } : {})}
        columns={crud.columns}
        {...(crud.filters ? { filters: crud.filters } : {})}
        onOpen={(row) => go(base, row.id)}
        actions={(selected, reload) => (
          <>
            {crud.listActions?.(selected, reload)}
            <BulkActions
              selected={selected}
              reload={reload}
              base={crud.api}
              noun={crud.noun}
              {...(crud.exportName ? { exportName: crud.exportName } : {})}
              bulkDelete={crud.bulkDelete === true}
            />
          </>
        )}
      />
    </>
  );
}

function CrudCreate<T extends Row>({ crud, base }: { crud: Crud<T>; base: string }) {
  const fields = crud.useFields(undefined);
  const form = useForm(valuesOf(fields, undefined, crud.defaults));
  return (
    <>
      <PageHead title={`New ${crud.noun}`}>
        <a href={`#/${base}`}>Back to {crud.title.toLowerCase()}</a>
      </PageHead>
      <FormView
        form={form}
        label={`New ${crud.noun}`}
        submitLabel={`Create ${crud.noun}`}
        claims={fields.map((f) => f.name)}
        onSubmit={() =>
          void form.submit(async () => {
            const created = await client().post<T>(crud.api, bodyOf(fields, form.values));
            notice.value = {
              kind: 'info',
              text: `${crud.noun.charAt(0).toUpperCase()}${crud.noun.slice(1)} ${crud.nameOf(created)} created`,
            };
            go(base, created.id);
          })
        }
      >
        <Fields form={form} fields={fields} />
      </FormView>
    </>
  );
}

function CrudEdit<T extends Row>({
  crud,
  base,
  id,
  rest,
}: {
  crud: Crud<T>;
  base: string;
  id: string;
  rest: string[];
}) {
  const [item, setItem] = useState<T | undefined>(undefined);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    client()
      .get<T>(`${crud.api}/${encodeURIComponent(id)}`)
      .then(setItem, showError);
  }, [crud.api, id, tick]);
  const fields = crud.useFields(item);
  const initial = useMemo(
    () => valuesOf(fields, item),
    [item, JSON.stringify(fields.map((f) => [f.name, f.options?.length]))],
  );
  const form = useForm(initial);
  useEffect(() => form.replace(initial), [initial]);
  if (!item) return <p class="loading">Loading…</p>;
  return (
    <>
      <PageHead title={`${crud.noun.charAt(0).toUpperCase()}${crud.noun.slice(1)}: ${crud.nameOf(item)}`}>
        <a href={`#/${base}`}>Back to {crud.title.toLowerCase()}</a>
        <ConfirmButton
          label={`Delete ${crud.noun}`}
          confirmLabel={`Confirm: delete this ${crud.noun}`}
          onConfirm={() =>
            void client()
              .del(`${crud.api}/${encodeURIComponent(item.id)}`)
              .then(() => go(base), showError)
          }
        />
      </PageHead>
      <FormView
        form={form}
        label={`Edit ${crud.noun}`}
        submitLabel="Save"
        claims={fields.map((f) => f.name)}
        onSubmit={() =>
          void form.submit(async () => {
            const body = bodyOf(fields, form.values, initial);
            if (!Object.keys(body).length) return;
            setItem(await client().patch<T>(`${crud.api}/${encodeURIComponent(item.id)}`, body));
            notice.value = { kind: 'info', text: 'Saved' };
          })
        }
      >
        <Fields form={form} fields={fields} editing />
      </FormView>
      {crud.extra?.(item, () => setTick((t) => t + 1), rest)}
    </>
  );
}

/** The list, create form or edit page of `crud` that the sub-path names. */
export function CrudView<T extends Row>({ crud, base, subpath }: { crud: Crud<T>; base: string; subpath: string[] }) {
  const [first] = subpath;
  if (first === 'new') return <CrudCreate crud={crud} base={base} />;
  if (first) return <CrudEdit key={first} crud={crud} base={base} id={first} rest={subpath.slice(1)} />;
  return <CrudList crud={crud} base={base} />;
}

export function crudPage<T extends Row>(path: string, crud: Crud<T>): Page {
  return {
    path,
    title: crud.title,
    roles: ['admin'],
    component: ({ subpath }) => <CrudView crud={crud} base={path} subpath={subpath} />,
  };
}
