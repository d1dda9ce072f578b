/**
 * Accounts: the list (search, channel and provider filters, advanced search, bulk delete, CSV export), the create
 * form, and the edit page with one section per group of settings. The provider's credential fields come from the
 * API's own OpenAPI document (AccountCreate_<type>), so a provider added to the API needs no change here.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { renderNotification } from '../../../shared/domain/notification';
import type { Page } from '../pages';
import { navigate } from '../route';
import { client, notice, showError } from '../state';
import { Members, optionsOf, PageHead, SectionTabs, useAll, type Named } from './data';
import { bodyOf, Copyable, Fields, FormView, setPath, useForm, valuesOf, type FieldSpec, type Values } from './form';
import { RoutingEditor, type RoutingStep } from './routing';
import { humanise, providerForms, type ProviderForm } from './schema';
import { BulkActions, ConfirmButton, ListTable } from './table';

export interface Account {
  id: string;
  name: string;
  key: string;
  channel: 'sms' | 'whatsapp';
  type: string;
  phone: string;
  listId: string;
  domain?: string;
  description?: string;
  allowUnauthenticatedWebhooks?: boolean;
  credentials: { set: string[] };
  settings: Record<string, unknown>;
  proxyToken?: string;
  receiveUrl?: string;
  statusUrl?: string;
  createdAt?: string;
}

const CHANNELS = [
  { value: 'sms', label: 'SMS' },
  { value: 'whatsapp', label: 'WhatsApp' },
];

function useProviders(): ProviderForm[] {
  const [forms, setForms] = useState<ProviderForm[]>([]);
  useEffect(() => {
    providerForms().then(setForms, showError);
  }, []);
  return forms;
}

const SECRET = /token|secret|password|key|credential/i;

/** The provider's credential fields as form fields (write-only: an edit sends only what is filled). */
function credentialFields(provider: ProviderForm | undefined, editing: boolean, set: string[] = []): FieldSpec[] {
  return (provider?.credentials ?? []).map((c) => ({
    name: `credentials.${c.name}`,
    label: humanise(c.name),
    kind: c.options
      ? 'select'
      : c.kind === 'checkbox'
        ? 'checkbox'
        : c.kind === 'number'
          ? 'number'
          : SECRET.test(c.name)
            ? 'password'
            : 'text',
    ...(c.options ? { options: c.options.map((o) => ({ value: o, label: o })) } : {}),
    required: c.required && !editing,
    writeOnly: true,
    ...(editing && set.includes(c.name)
      ? { placeholder: 'set; unchanged unless filled' }
      : c.default !== undefined
        ? { placeholder: `default: ${c.default}` }
        : {}),
    ...(c.description && !c.description.includes('write-only') ? { hint: c.description } : {}),
  }));
}

function generalFields(providers: ProviderForm[], lists: Named[], channel: string, editing: boolean): FieldSpec[] {
  return [
    { name: 'name', label: 'Name', required: true },
    {
      name: 'key',
      label: 'Key',
      required: true,
      hint:
        channel === 'whatsapp' ? '1 to 5 letters or digits, shown on the agents’ tabs' : 'shown on the agents’ tabs',
    },
    { name: 'channel', label: 'Channel', kind: 'select', options: CHANNELS, required: true, createOnly: true },
    {
      name: 'type',
      label: 'Provider',
      kind: 'select',
      required: true,
      options: providers
        .filter((p) => !channel || p.channels.includes(channel))
        .map((p) => ({ value: p.type, label: humanise(p.type) })),
    },
    { name: 'phone', label: 'Phone', required: true, placeholder: '+14155550100' },
    {
      name: 'listId',
      label: 'List',
      kind: 'select',
      required: true,
      options: optionsOf(lists),
      hint: 'where new contacts are saved',
    },
    { name: 'domain', label: 'Proxy or domain', nullable: true, placeholder: 'https://…' },
    { name: 'description', label: 'Description', kind: 'textarea', nullable: true },
    {
      name: 'allowUnauthenticatedWebhooks',
      label: 'Accept webhooks without authentication (providers that sign nothing)',
      kind: 'checkbox',
    },
    ...(editing
      ? ([
          { name: 'settings.waitForAgentSeconds', label: 'Wait for the assigned agent (seconds)', kind: 'number' },
          { name: 'settings.waitForQueueSeconds', label: 'Wait for the assigned queue (seconds)', kind: 'number' },
          {
            name: 'settings.inactivityTimeoutMinutes',
            label: 'Interaction inactivity timeout (minutes, 0 = off)',
            kind: 'number',
          },
        ] satisfies FieldSpec[])
      : []),
  ];
}

function AccountsList() {
  const providers = useProviders();
  return (
    <>
      <PageHead title="Accounts">
        <button type="button" class="primary" onClick={() => navigate('admin', 'accounts', 'new')}>
          New account
        </button>
      </PageHead>
      <ListTable<Account>
        label="Accounts"
        path="/admin/accounts"
        search={{ path: '/admin/accounts/search', entity: 'accounts' }}
        filters={[
          { name: 'channel', label: 'Channel', options: CHANNELS },
          {
            name: 'type',
            label: 'Provider',
            options: providers.map((p) => ({ value: p.type, label: humanise(p.type) })),
          },
        ]}
        columns={[
          { key: 'name', label: 'Name' },
          { key: 'key', label: 'Key' },
          { key: 'channel', label: 'Channel', render: (a) => (a.channel === 'sms' ? 'SMS' : 'WhatsApp') },
          { key: 'type', label: 'Provider', render: (a) => humanise(a.type) },
          { key: 'phone', label: 'Phone' },
        ]}
        onOpen={(a) => navigate('admin', 'accounts', a.id)}
        actions={(selected, reload) => (
          <BulkActions
            selected={selected}
            reload={reload}
            base="/admin/accounts"
            noun="account"
            exportName="accounts.csv"
            bulkDelete
          />
        )}
      />
    </>
  );
}

function NewAccount() {
  const providers = useProviders();
  const [lists] = useAll<Named>('/admin/lists');
  const form = useForm({ channel: 'sms', type: '', allowUnauthenticatedWebhooks: false });
  const channel = String(form.values.channel ?? 'sms');
  const provider = providers.find((p) => p.type === form.values.type);
  // The provider must serve the channel: a channel change picks its first provider.
  useEffect(() => {
    const serving = providers.filter((p) => p.channels.includes(channel));
    if (serving.length)
      form.update((v) => (serving.some((p) => p.type === v.type) ? v : { ...v, type: serving[0]!.type }));
  }, [channel, providers.length]);
  useEffect(() => {
    if (lists[0]) form.fill('listId', lists[0].id);
  }, [lists.length]);
  const fields = [...generalFields(providers, lists, channel, false), ...credentialFields(provider, false)];
  return (
    <>
      <PageHead title="New account">
        <a href="#/admin/accounts">Back to accounts</a>
      </PageHead>
      <FormView
        form={form}
        label="New account"
        submitLabel="Create account"
        claims={[...fields.map((f) => f.name), 'credentials']}
        onSubmit={() =>
          void form.submit(async () => {
            const created = await client().post<Account>('/admin/accounts', bodyOf(fields, form.values));
            notice.value = { kind: 'info', text: `Account ${created.name} created` };
            navigate('admin', 'accounts', created.id);
          })
        }
      >
        <Fields form={form} fields={fields.filter((f) => !f.name.startsWith('credentials.'))} />
        <fieldset class="credentials">
          <legend>{provider ? `${humanise(provider.type)} credentials` : 'Credentials'}</legend>
          <Fields form={form} fields={fields.filter((f) => f.name.startsWith('credentials.'))} />
        </fieldset>
      </FormView>
    </>
  );
}

/** One settings section: its fields, saved as whole objects (settings merge one level deep on PATCH). */
interface Section {
  id: string;
  title: string;
  fields?: (account: Account, ctx: { lists: Named[]; providers: ProviderForm[] }) => FieldSpec[];
}

const SECTIONS: Section[] = [
  { id: 'general', title: 'General' },
  {
    id: 'notification',
    title: 'Notification',
    fields: () => [
      { name: 'settings.notification.sound', label: 'Sound', kind: 'checkbox' },
      { name: 'settings.notification.shake', label: 'Shake', kind: 'checkbox' },
      {
        name: 'settings.notification.template',
        label: 'Template',
        kind: 'textarea',
        hint: 'Mustache: {{account.name}}, {{account.key}}, {{#queue}}{{queue.name}}{{/queue}}, {{contact.mobile}}, {{contact.firstName}}, {{message.text}}',
      },
    ],
  },
  {
    id: 'transfer',
    title: 'Transfer',
    fields: () => [
      { name: 'settings.transfer.enabled', label: 'Agents may transfer interactions', kind: 'checkbox' },
      { name: 'settings.transfer.timeoutSeconds', label: 'Transfer timeout (seconds)', kind: 'number' },
    ],
  },
  { id: 'proxy', title: 'Proxy', fields: () => [{ name: 'domain', label: 'Proxy or domain', nullable: true }] },
  {
    id: 'disposition',
    title: 'Disposition',
    fields: () => [
      { name: 'settings.disposition.mandatory', label: 'Mandatory disposition', kind: 'checkbox' },
      {
        name: 'settings.disposition.pauseId',
        label: 'Pause while disposing',
        nullable: true,
        when: (v) => v['settings.disposition.mandatory'] === true,
        placeholder: 'e.g. After call work',
      },
    ],
  },
  {
    id: 'recontact',
    title: 'Recontact template',
    fields: () => [
      { name: 'settings.recontactTemplate.name', label: 'Template name' },
      { name: 'settings.recontactTemplate.language', label: 'Template language', placeholder: 'en' },
      { name: 'settings.recontactTemplate.parameters', label: 'Parameters (one a line)', kind: 'lines' },
    ],
  },
  {
    id: 'whitelist',
    title: 'Whitelist',
    fields: (_a, { lists }) => [
      { name: 'settings.whitelist.enabled', label: 'Only contacts of the whitelist lists may write', kind: 'checkbox' },
      { name: 'whitelist.listIds', label: 'Whitelist lists', kind: 'multi', options: optionsOf(lists) },
      { name: 'settings.whitelist.autoReply', label: 'Automatic reply to others', kind: 'textarea' },
    ],
  },
  {
    id: 'video',
    title: 'Video',
    fields: () => [
      { name: 'settings.video.enabled', label: 'Video calls', kind: 'checkbox' },
      { name: 'settings.video.apiKey', label: 'Video API key', kind: 'password', writeOnly: true },
      { name: 'settings.video.topic', label: 'Topic' },
      { name: 'settings.video.note', label: 'Note', kind: 'textarea' },
      { name: 'settings.video.metadata', label: 'Metadata (a JSON object)', kind: 'textarea' },
    ],
  },
  { id: 'routing', title: 'Routing' },
  { id: 'agents', title: 'Agents' },
];

/** The sample an admin previews a notification template with. */
const SAMPLE = (account: Account) => ({
  account: { id: account.id, name: account.name, key: account.key, channel: account.channel },
  contact: { mobile: '+393331234567', firstName: 'Maria', lastName: 'Rossi' },
  queue: { id: 'sample', name: 'Support' },
  message: { text: 'Hello, my order is late' },
});

/**
 * The body of a settings section: its visible, filled fields. The API merges each settings object one level deep,
 * so what the section does not show (or a write-only value left empty) stays as stored.
 */
function sectionBody(fields: FieldSpec[], values: Values): Record<string, unknown> {
  const body = bodyOf(fields, values);
  delete body.whitelist;
  return body;
}

function SettingsSection({
  account,
  section,
  onSaved,
}: {
  account: Account;
  section: Section;
  onSaved: (a: Account) => void;
}) {
  const [lists] = useAll<Named>('/admin/lists');
  const providers = useProviders();
  const fields = section.fields?.(account, { lists, providers }) ?? [];
  const initial = useMemo(
    () =>
      valuesOf(fields, {
        ...account,
        whitelist: { listIds: (account.settings.whitelist as { listIds?: string[] } | undefined)?.listIds ?? [] },
      }),
    [account, fields.length],
  );
  const form = useForm(initial);
  useEffect(() => form.replace(initial), [initial]);
  const template = String(form.values['settings.notification.template'] ?? '');
  const recontact = section.id === 'recontact';
  return (
    <FormView
      form={form}
      label={section.title}
      submitLabel="Save"
      claims={fields.map((f) => f.name).concat(`settings.${section.id}`)}
      onSubmit={() =>
        void form.submit(async () => {
          const body = sectionBody(fields, form.values);
          // The lists are the whitelist association (its own route); enabled and the reply are settings.
          if (section.id === 'whitelist')
            await client().put(`/admin/accounts/${account.id}/whitelist`, {
              listIds: form.values['whitelist.listIds'] ?? [],
            });
          onSaved(await client().patch<Account>(`/admin/accounts/${account.id}`, body));
          notice.value = { kind: 'info', text: `${section.title} saved` };
        })
      }
    >
      {recontact && !['meta', 'kaleyra'].includes(account.type) && (
        <p class="hint">Recontact templates exist only for WhatsApp providers with templates (Meta, Kaleyra).</p>
      )}
      <Fields form={form} fields={fields} />
      {section.id === 'proxy' && account.proxyToken && <Copyable label="Proxy token" value={account.proxyToken} />}
      {section.id === 'notification' && (
        <figure class="notification-preview" aria-label="Notification preview">
          <figcaption>Preview (a sample interaction)</figcaption>
          <pre>{renderNotification(template, SAMPLE(account))}</pre>
        </figure>
      )}
    </FormView>
  );
}

function GeneralSection({ account, onSaved }: { account: Account; onSaved: (a: Account) => void }) {
  const providers = useProviders();
  const [lists] = useAll<Named>('/admin/lists');
  const base = generalFields(providers, lists, account.channel, true);
  const initial = useMemo(() => valuesOf(base, account), [account, providers.length, lists.length]);
  const form = useForm(initial);
  useEffect(() => form.replace(initial), [initial]);
  const provider = providers.find((p) => p.type === (form.values.type || account.type));
  const fields = [...base, ...credentialFields(provider, true, account.credentials.set)];
  return (
    <>
      {account.receiveUrl && <Copyable label="Receive URL" value={account.receiveUrl} />}
      {account.statusUrl && <Copyable label="Status URL" value={account.statusUrl} />}
      <FormView
        form={form}
        label="General"
        submitLabel="Save"
        claims={[...fields.map((f) => f.name), 'credentials', 'settings']}
        onSubmit={() =>
          void form.submit(async () => {
            const body = bodyOf(fields, form.values, initial);
            if (!Object.keys(body).length) return;
            onSaved(await client().patch<Account>(`/admin/accounts/${account.id}`, body));
            notice.value = { kind: 'info', text: 'Account saved' };
          })
        }
      >
        <Fields form={form} fields={base} editing />
        <fieldset class="credentials">
          <legend>
            {humanise(provider?.type ?? account.type)} credentials{' '}
            <span class="hint">(set: {account.credentials.set.join(', ') || 'none'})</span>
          </legend>
          <Fields form={form} fields={fields.slice(base.length)} editing />
        </fieldset>
      </FormView>
    </>
  );
}

function RoutingSection({ account, onSaved }: { account: Account; onSaved: (a: Account) => void }) {
  const initial = (account.settings.routing as RoutingStep[] | undefined) ?? [];
  const form = useForm({ 'settings.routing': initial });
  useEffect(() => form.replace({ 'settings.routing': initial }), [account]);
  return (
    <FormView
      form={form}
      label="Routing"
      submitLabel="Save routing"
      claims={['settings.routing', 'settings']}
      onSubmit={() =>
        void form.submit(async () => {
          const body = {};
          setPath(body, 'settings.routing', form.values['settings.routing']);
          onSaved(await client().patch<Account>(`/admin/accounts/${account.id}`, body));
          notice.value = { kind: 'info', text: 'Routing saved' };
        })
      }
    >
      <RoutingEditor form={form} name="settings.routing" />
    </FormView>
  );
}

function AccountEditor({ id, section }: { id: string; section: string }) {
  const [account, setAccount] = useState<Account | undefined>(undefined);
  useEffect(() => {
    client().get<Account>(`/admin/accounts/${id}`).then(setAccount, showError);
  }, [id]);
  if (!account) return <p class="loading">Loading…</p>;
  const current = SECTIONS.find((s) => s.id === section) ?? SECTIONS[0]!;
  return (
    <>
      <PageHead title={`Account: ${account.name}`}>
        <a href="#/admin/accounts">Back to accounts</a>
        <ConfirmButton
          label="Delete account"
          confirmLabel="Confirm: delete this account"
          onConfirm={() =>
            void client()
              .del(`/admin/accounts/${account.id}`)
              .then(() => navigate('admin', 'accounts'), showError)
          }
        />
      </PageHead>
      <SectionTabs base={`admin/accounts/${account.id}`} sections={SECTIONS} current={current.id} />
      <section class="section-body" aria-label={current.title}>
        {current.id === 'general' ? (
          <GeneralSection account={account} onSaved={setAccount} />
        ) : current.id === 'routing' ? (
          <RoutingSection account={account} onSaved={setAccount} />
        ) : current.id === 'agents' ? (
          <Members path={`/admin/accounts/${account.id}/agents`} label="Agents of this account" />
        ) : (
          <SettingsSection key={current.id} account={account} section={current} onSaved={setAccount} />
        )}
      </section>
    </>
  );
}

function AccountsPage({ subpath }: { subpath: string[] }) {
  const [first, second] = subpath;
  if (first === 'new') return <NewAccount />;
  if (first) return <AccountEditor id={first} section={second ?? 'general'} />;
  return <AccountsList />;
}

export const accountsPage: Page = {
  path: 'admin/accounts',
  title: 'Accounts',
  roles: ['admin'],
  component: AccountsPage,
};
