/**
 * The catalog: dispositions and canned answers, general (every account) or of one account. The scope is the first
 * segment of the hash path (`#/admin/dispositions/general`, `#/admin/dispositions/<accountId>/<id>`).
 */
import type { Page } from '../pages';
import { navigate } from '../route';
import { CrudView, type Crud } from './crud';
import { useAll, type Named } from './data';
import type { FieldSpec } from './form';
import type { Row } from './table';

interface CatalogItem extends Row {
  name: string;
  description?: string;
  text?: string;
  shortcut?: string;
}

const KINDS = {
  dispositions: {
    title: 'Dispositions',
    noun: 'disposition',
    fields: [
      { name: 'name', label: 'Name', required: true },
      { name: 'description', label: 'Description', kind: 'textarea', nullable: true },
    ] satisfies FieldSpec[],
    columns: [
      { key: 'name', label: 'Name' },
      { key: 'description', label: 'Description' },
    ],
  },
  'canned-answers': {
    title: 'Canned answers',
    noun: 'canned answer',
    fields: [
      { name: 'name', label: 'Name', required: true },
      { name: 'text', label: 'Text', kind: 'textarea', required: true },
      { name: 'shortcut', label: 'Shortcut', nullable: true, hint: 'letters, digits, - and _ (agents type /shortcut)' },
    ] satisfies FieldSpec[],
    columns: [
      { key: 'name', label: 'Name' },
      { key: 'shortcut', label: 'Shortcut' },
      { key: 'text', label: 'Text' },
    ],
  },
} as const;

type Kind = keyof typeof KINDS;

function catalogPage(kind: Kind): Page {
  const spec = KINDS[kind];
  const Component = ({ subpath }: { subpath: string[] }) => {
    const [accounts] = useAll<Named>('/admin/accounts');
    const [scope = 'general', ...rest] = subpath;
    const crud: Crud<CatalogItem> = {
      title: spec.title,
      noun: spec.noun,
      api: scope === 'general' ? `/admin/${kind}` : `/admin/accounts/${scope}/${kind}`,
      columns: [...spec.columns],
      useFields: () => [...spec.fields],
      nameOf: (i) => i.name,
    };
    return (
      <>
        <label class="inline scope-select">
          Scope
          <select aria-label="Scope" value={scope} onChange={(e) => navigate('admin', kind, e.currentTarget.value)}>
            <option value="general">General (every account)</option>
            {accounts.map((a) => (
              <option key={a.id} value={a.id}>
                Account: {a.name}
              </option>
            ))}
          </select>
        </label>
        <CrudView key={scope} crud={crud} base={`admin/${kind}/${scope}`} subpath={rest} />
      </>
    );
  };
  return { path: `admin/${kind}`, title: spec.title, roles: ['admin'], component: Component };
}

export const dispositionsPage = catalogPage('dispositions');
export const cannedAnswersPage = catalogPage('canned-answers');
