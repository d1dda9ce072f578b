/**
 * WhatsApp templates of the accounts of Meta, Kaleyra and Twilio: the list with each template's approval status as a
 * badge (and its quality and rejection reason), a create form (header, body with its {{variables}} and their
 * examples, footer, quick replies), sync with the provider (every template, or one), and delete. A `template.status`
 * event (the provider's webhook reached the engine) reloads what is shown.
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../../client';
import type { Page } from '../../pages';
import { navigate } from '../../route';
import { client, listenLive, notice, showError } from '../../state';
import { optionsOf, PageHead, useAll } from '../data';
import { Fields, FormView, useForm, valuesOf, type FieldSpec, type Option } from '../form';
import { BulkActions, ConfirmButton, ListTable } from '../table';

export interface Template {
  id: string;
  accountId: string;
  name: string;
  language: string;
  category: string;
  parameterFormat: 'POSITIONAL' | 'NAMED';
  components: { type: string; format?: string; text?: string; examples?: unknown; buttons?: { text: string }[] }[];
  parameters: { header: string[]; body: string[] };
  status: string;
  reason?: string;
  quality?: string;
  providerTemplateId?: string;
  statusAt?: string;
  syncedAt?: string;
}

export interface WhatsAppAccount {
  id: string;
  name: string;
  channel: string;
  type: string;
}

/** The accounts that can have templates and campaigns. */
export function useWhatsAppAccounts(): WhatsAppAccount[] {
  const [accounts] = useAll<WhatsAppAccount>('/admin/accounts?channel=whatsapp');
  return accounts.filter((a) => a.channel === 'whatsapp' && ['meta', 'kaleyra', 'twilio'].includes(a.type));
}

/** A status word as a badge whose colour says whether it is good, waiting or bad. */
export function StatusBadge({ status, label = 'Status' }: { status: string; label?: string }) {
  return (
    <span class={`state-badge state-${status.toLowerCase()}`} aria-label={`${label}: ${status}`}>
      {status}
    </span>
  );
}

const options = (values: string[]): Option[] => values.map((v) => ({ value: v, label: v }));
const STATUSES = options(['APPROVED', 'PENDING', 'REJECTED', 'PAUSED', 'DISABLED', 'DELETED', 'ARCHIVED']);
const CATEGORIES = options(['MARKETING', 'UTILITY', 'AUTHENTICATION']);
const BASE = 'admin/whatsapp/templates';
const API = '/admin/whatsapp/templates';

/** Reloads when the engine tells admins a template's status changed. */
function useTemplateEvents(reload: () => void): void {
  useEffect(() => listenLive({ event: (event) => event.type === 'template.status' && reload() }), []);
}

function TemplateList() {
  const accounts = useWhatsAppAccounts();
  const names = new Map(accounts.map((a) => [a.id, a.name]));
  const [generation, setGeneration] = useState(0);
  const [syncing, setSyncing] = useState(false);
  const reload = () => setGeneration((g) => g + 1);
  useTemplateEvents(reload);
  const syncAll = () => {
    setSyncing(true);
    client()
      .post<{ synced: number; failed: number }>(`${API}/sync`)
      .then((r) => {
        notice.value = { kind: 'info', text: `${r.synced} templates synced${r.failed ? `, ${r.failed} failed` : ''}` };
        reload();
      }, showError)
      .finally(() => setSyncing(false));
  };
  return (
    <>
      <PageHead title="WhatsApp templates">
        <button type="button" onClick={syncAll} disabled={syncing}>
          {syncing ? 'Syncing…' : 'Sync with provider'}
        </button>
        <button type="button" class="primary" onClick={() => navigate(...BASE.split('/'), 'new')}>
          New template
        </button>
      </PageHead>
      <ListTable<Template>
        label="WhatsApp templates"
        path={API}
        reloadKey={generation}
        columns={[
          { key: 'name', label: 'Name' },
          { key: 'language', label: 'Language' },
          { key: 'category', label: 'Category' },
          { key: 'status', label: 'Status', render: (t) => <StatusBadge status={t.status} /> },
          { key: 'quality', label: 'Quality' },
          { key: 'reason', label: 'Reason' },
          { key: 'accountId', label: 'Account', render: (t) => names.get(t.accountId) ?? t.accountId },
        ]}
        filters={[
          { name: 'status', label: 'Status', options: STATUSES },
          { name: 'accountId', label: 'Account', options: optionsOf(accounts) },
        ]}
        onOpen={(t) => navigate(...BASE.split('/'), t.id)}
        actions={(selected, done) => <BulkActions selected={selected} reload={done} base={API} noun="template" />}
      />
    </>
  );
}

const FIELDS = (accounts: Option[]): FieldSpec[] => [
  { name: 'accountId', label: 'Account', kind: 'select', options: accounts, required: true },
  { name: 'name', label: 'Name', required: true, hint: 'lower-case letters, digits and _' },
  { name: 'language', label: 'Language', required: true, placeholder: 'en_US', hint: 'it, en_US, …' },
  { name: 'category', label: 'Category', kind: 'select', options: CATEGORIES, required: true },
  {
    name: 'parameterFormat',
    label: 'Variables',
    kind: 'select',
    required: true,
    options: [
      { value: 'POSITIONAL', label: 'Numbered: {{1}}, {{2}}, …' },
      { value: 'NAMED', label: 'Named: {{first_name}}, …' },
    ],
  },
  { name: 'header', label: 'Header text', nullable: true, hint: 'optional, at most 60 characters' },
  { name: 'headerExample', label: 'Header variable example', when: (v) => /\{\{/.test(String(v.header ?? '')) },
  {
    name: 'body',
    label: 'Body text',
    kind: 'textarea',
    required: true,
    placeholder: 'Hello {{1}}, your code is {{2}}.',
  },
  {
    name: 'examples',
    label: 'Examples of the body variables',
    kind: 'lines',
    hint: 'one a line, in order (named: name=value)',
    when: (v) => /\{\{/.test(String(v.body ?? '')),
  },
  { name: 'footer', label: 'Footer text', hint: 'optional, at most 60 characters' },
  { name: 'buttons', label: 'Quick reply buttons', kind: 'lines', hint: 'one a line, optional' },
];

/** The API's body from the form: the components in Meta's order, and which form field each component index is. */
function templateBody(v: Record<string, unknown>): { body: Record<string, unknown>; fieldAt: Map<number, string> } {
  const components: Record<string, unknown>[] = [];
  const fieldAt = new Map<number, string>();
  const add = (field: string, component: Record<string, unknown>) => {
    fieldAt.set(components.length, field);
    components.push(component);
  };
  const text = (name: string) => String(v[name] ?? '').trim();
  if (text('header'))
    add('header', {
      type: 'HEADER',
      format: 'TEXT',
      text: text('header'),
      ...(text('headerExample') && /\{\{/.test(text('header')) ? { example: text('headerExample') } : {}),
    });
  const lines = Array.isArray(v.examples) && /\{\{/.test(text('body')) ? (v.examples as string[]) : [];
  const examples =
    v.parameterFormat === 'NAMED'
      ? Object.fromEntries(lines.map((l) => [l.split('=')[0]!.trim(), l.slice(l.indexOf('=') + 1).trim()]))
      : lines;
  add('body', { type: 'BODY', text: String(v.body ?? ''), ...(lines.length ? { examples } : {}) });
  if (text('footer')) add('footer', { type: 'FOOTER', text: text('footer') });
  const buttons = Array.isArray(v.buttons) ? (v.buttons as string[]) : [];
  if (buttons.length)
    add('buttons', { type: 'BUTTONS', buttons: buttons.map((b) => ({ type: 'QUICK_REPLY', text: b })) });
  return {
    body: {
      accountId: v.accountId,
      name: text('name'),
      language: text('language'),
      category: v.category,
      parameterFormat: v.parameterFormat,
      components,
    },
    fieldAt,
  };
}

/** `body.components.1.text` names the component's index; the form shows it beside the field that made it. */
function toFields(error: unknown, fieldAt: Map<number, string>): unknown {
  if (!(error instanceof ApiError)) return error;
  const details = error.details.map((d) => {
    const m = /^(?:body\.)?components\.(\d+)(?:\.(examples|example))?/.exec(d.path);
    if (!m) return d;
    const field = fieldAt.get(Number(m[1]));
    const to = m[2] === 'examples' ? 'examples' : m[2] === 'example' && field === 'header' ? 'headerExample' : field;
    return to ? { ...d, path: `body.${to}` } : d;
  });
  return new ApiError(error.status, error.code, error.message, details, error.body);
}

function TemplateCreate() {
  const accounts = useWhatsAppAccounts();
  const fields = FIELDS(optionsOf(accounts));
  const form = useForm(valuesOf(fields, undefined, { category: 'MARKETING', parameterFormat: 'POSITIONAL' }));
  useEffect(() => {
    if (accounts[0]) form.fill('accountId', accounts[0].id);
  }, [accounts.length]);
  return (
    <>
      <PageHead title="New template">
        <a href={`#/${BASE}`}>Back to templates</a>
      </PageHead>
      <FormView
        form={form}
        label="New template"
        submitLabel="Submit template"
        claims={[...fields.map((f) => f.name), 'components']}
        onSubmit={() =>
          void form.submit(async () => {
            const { body, fieldAt } = templateBody(form.values);
            try {
              const created = await client().post<Template>(API, body);
              notice.value = { kind: 'info', text: `Template ${created.name} submitted: ${created.status}` };
              navigate(...BASE.split('/'), created.id);
            } catch (error) {
              throw toFields(error, fieldAt);
            }
          })
        }
      >
        <Fields form={form} fields={fields} />
      </FormView>
    </>
  );
}

function TemplateDetail({ id }: { id: string }) {
  const [template, setTemplate] = useState<Template | undefined>(undefined);
  const [tick, setTick] = useState(0);
  const accounts = useWhatsAppAccounts();
  useEffect(() => {
    client()
      .get<Template>(`${API}/${encodeURIComponent(id)}`)
      .then(setTemplate, showError);
  }, [id, tick]);
  useTemplateEvents(() => setTick((t) => t + 1));
  if (!template) return <p class="loading">Loading…</p>;
  const account = accounts.find((a) => a.id === template.accountId);
  const params = [...template.parameters.header, ...template.parameters.body];
  return (
    <>
      <PageHead title={`Template: ${template.name}`}>
        <a href={`#/${BASE}`}>Back to templates</a>
        <button
          type="button"
          onClick={() =>
            void client()
              .post<Template>(`${API}/${encodeURIComponent(id)}/sync`)
              .then((t) => {
                setTemplate(t);
                notice.value = { kind: 'info', text: `Synced: ${t.status}` };
              }, showError)
          }
        >
          Sync status
        </button>
        <ConfirmButton
          label="Delete template"
          confirmLabel="Confirm: delete this template (at the provider too)"
          onConfirm={() =>
            void client()
              .del(`${API}/${encodeURIComponent(id)}`)
              .then(() => navigate(...BASE.split('/')), showError)
          }
        />
      </PageHead>
      <section class="detail-card" aria-label="Template">
        <dl class="facts">
          <dt>Status</dt>
          <dd>
            <StatusBadge status={template.status} />
          </dd>
          {template.reason && (
            <>
              <dt>Reason</dt>
              <dd>{template.reason}</dd>
            </>
          )}
          {template.quality && (
            <>
              <dt>Quality</dt>
              <dd>{template.quality}</dd>
            </>
          )}
          <dt>Account</dt>
          <dd>{account ? `${account.name} (${account.type})` : template.accountId}</dd>
          <dt>Language</dt>
          <dd>{template.language}</dd>
          <dt>Category</dt>
          <dd>{template.category}</dd>
          <dt>Variables</dt>
          <dd>{params.length ? params.map((p) => `{{${p}}}`).join(', ') : 'none'}</dd>
          {template.providerTemplateId && (
            <>
              <dt>Provider id</dt>
              <dd>
                <code>{template.providerTemplateId}</code>
              </dd>
            </>
          )}
          {template.syncedAt && (
            <>
              <dt>Last synced</dt>
              <dd>{new Date(template.syncedAt).toLocaleString()}</dd>
            </>
          )}
        </dl>
        <div class="template-preview" aria-label="Preview">
          {template.components.map((c, i) => (
            <p key={i} class={`tpl-${c.type.toLowerCase()}`}>
              {c.type === 'BUTTONS' ? (c.buttons ?? []).map((b) => `[${b.text}]`).join(' ') : c.text}
            </p>
          ))}
        </div>
      </section>
    </>
  );
}

export const templatesPage: Page = {
  path: BASE,
  title: 'WhatsApp templates',
  roles: ['admin'],
  component: ({ subpath }) => {
    const [first] = subpath;
    if (first === 'new') return <TemplateCreate />;
    if (first) return <TemplateDetail key={first} id={first} />;
    return <TemplateList />;
  },
};
