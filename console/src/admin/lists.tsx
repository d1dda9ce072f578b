/**
 * Contact lists and their contacts: search (and advanced search) within a list, add, edit and delete contacts, and
 * import a CSV file (parsed here, each row added through the API; the rows it refused are listed with the reason).
 */
import { useState } from 'preact/hooks';
import { ApiError } from '../client';
import { client, notice, showError } from '../state';
import { crudPage, CrudView, type Crud } from './crud';
import { contactsFromCsv } from './csv';
import type { FieldSpec } from './form';
import type { Row } from './table';

interface ContactList extends Row {
  name: string;
  description?: string;
}

interface Contact extends Row {
  phone: string;
  firstName?: string;
  lastName?: string;
  email?: string;
}

const contactFields: FieldSpec[] = [
  { name: 'phone', label: 'Phone', required: true, placeholder: '+393331234567' },
  { name: 'firstName', label: 'First name', nullable: true },
  { name: 'lastName', label: 'Last name', nullable: true },
  { name: 'email', label: 'Email', nullable: true },
];

function contactsCrud(list: ContactList): Crud<Contact> {
  return {
    title: 'Contacts',
    noun: 'contact',
    api: `/admin/lists/${list.id}/contacts`,
    search: 'contacts',
    columns: [
      { key: 'phone', label: 'Phone' },
      { key: 'firstName', label: 'First name' },
      { key: 'lastName', label: 'Last name' },
      { key: 'email', label: 'Email' },
    ],
    useFields: () => contactFields,
    nameOf: (c) => c.phone,
  };
}

interface ImportResult {
  added: number;
  failed: { line: number; message: string }[];
}

function CsvImport({ list, onDone }: { list: ContactList; onDone: () => void }) {
  const [result, setResult] = useState<ImportResult | undefined>(undefined);
  const [progress, setProgress] = useState<string | undefined>(undefined);
  const run = async (file: File) => {
    const { rows, problem } = contactsFromCsv(await file.text());
    if (problem) return setResult({ added: 0, failed: [{ line: 1, message: problem }] });
    const done: ImportResult = { added: 0, failed: [] };
    // A few requests at a time: fast enough for a few thousand rows, gentle on the API.
    let next = 0;
    const worker = async () => {
      while (next < rows.length) {
        const row = rows[next++]!;
        try {
          await client().post(`/admin/lists/${list.id}/contacts`, row.body);
          done.added += 1;
        } catch (error) {
          const message =
            error instanceof ApiError
              ? error.details.map((d) => `${d.path.replace(/^body\./, '')}: ${d.message}`).join('; ') || error.message
              : String(error);
          done.failed.push({ line: row.line, message });
        }
        setProgress(`${done.added + done.failed.length} of ${rows.length}`);
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    done.failed.sort((a, b) => a.line - b.line);
    setProgress(undefined);
    setResult(done);
    notice.value = { kind: 'info', text: `${done.added} contacts imported` };
    onDone();
  };
  return (
    <section class="csv-import" aria-label="Import contacts">
      <h3>Import contacts from CSV</h3>
      <p class="hint">
        The first row names the columns: phone (required), firstName, lastName, email; other columns become custom
        fields.
      </p>
      <label>
        CSV file
        <input
          type="file"
          accept=".csv,text/csv"
          onChange={(e) => {
            const file = e.currentTarget.files?.[0];
            e.currentTarget.value = '';
            if (file) run(file).catch(showError);
          }}
        />
      </label>
      {progress && <p role="status">Importing… {progress}</p>}
      {result && (
        <div role="status" class="import-result">
          <p>
            {result.added} imported, {result.failed.length} refused
          </p>
          {result.failed.length > 0 && (
            <ul>
              {result.failed.slice(0, 50).map((f) => (
                <li key={f.line}>
                  Line {f.line}: {f.message}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </section>
  );
}

/** The list's contacts under its page: `#/admin/lists/<id>/contacts[/new|/<contactId>]`. */
function ListContacts({ list, rest }: { list: ContactList; rest: string[] }) {
  const [generation, setGeneration] = useState(0);
  const sub = rest[0] === 'contacts' ? rest.slice(1) : [];
  return (
    <section class="contacts" aria-label="Contacts of this list">
      <CrudView key={generation} crud={contactsCrud(list)} base={`admin/lists/${list.id}/contacts`} subpath={sub} />
      {!sub.length && <CsvImport list={list} onDone={() => setGeneration((g) => g + 1)} />}
    </section>
  );
}

const listCrud: Crud<ContactList> = {
  title: 'Lists',
  noun: 'list',
  api: '/admin/lists',
  columns: [
    { key: 'name', label: 'Name' },
    { key: 'description', label: 'Description' },
  ],
  useFields: () => [
    { name: 'name', label: 'Name', required: true },
    { name: 'description', label: 'Description', kind: 'textarea', nullable: true },
  ],
  nameOf: (l) => l.name,
  extra: (list, _reload, rest) => <ListContacts list={list} rest={rest} />,
};

export const listsPage = crudPage<ContactList>('admin/lists', listCrud);
