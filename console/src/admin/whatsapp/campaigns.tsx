/**
 * WhatsApp campaigns: the list with each campaign's status and progress, the create form (account, an approved
 * template, contact lists, where each template variable comes from, the rate and the sending window), and the
 * campaign's page: start, pause, resume and cancel as its status allows, the counts per recipient status with the
 * rate in force, and the recipients one by one (filtered by status, or found by phone) with the CSV export.
 *
 * The engine pushes no per-recipient events to admins (only `campaign.paused` and `campaign.completed`), so while
 * a campaign is scheduled or running (and for 15 minutes after it completed, while some recipients still wait for a
 * delivery status) its page reads it and its recipients again every 2 s; those two events reload it at once.
 */
import { useEffect, useState } from 'preact/hooks';
import type { Page } from '../../pages';
import { navigate } from '../../route';
import { client, listenLive, notice, showError } from '../../state';
import { optionsOf, PageHead, useAll, type Named } from '../data';
import {
  bodyOf,
  Fields,
  FormView,
  setPath,
  useForm,
  valuesOf,
  type FieldSpec,
  type Option,
  type Values,
} from '../form';
import { BulkActions, ConfirmButton, ListTable } from '../table';
import { StatusBadge, useWhatsAppAccounts, type Template } from './templates';

type Counts = Record<'total' | 'pending' | 'sent' | 'delivered' | 'read' | 'replied' | 'failed' | 'skipped', number>;

interface Campaign {
  id: string;
  accountId: string;
  name: string;
  templateId: string;
  listIds: string[];
  parameters: Record<string, { field: string } | { value: string }>;
  schedule: { startAt?: string; window?: { from: string; to: string; timeZone: string; days?: number[] } };
  ratePerSecond?: number;
  status: 'draft' | 'scheduled' | 'running' | 'paused' | 'completed' | 'cancelled';
  pause?: { code: string; reason: string; at: string; automatic: boolean };
  /** The recipients are written: template, lists and variables can no longer change. */
  prepared?: boolean;
  total?: number;
  slowedDownAt?: string;
  startedAt?: string;
  completedAt?: string;
  cancelledAt?: string;
  createdAt: string;
  /** On a campaign's own page (and after an action), not in the list. */
  rate?: number;
  counts?: Counts;
}

interface Recipient {
  seq: number;
  phone: string;
  status: string;
  skipReason?: string;
  errorCode?: string;
  errorMessage?: string;
  sentAt?: string;
  deliveredAt?: string;
  readAt?: string;
  repliedAt?: string;
  failedAt?: string;
}

const BASE = 'admin/whatsapp/campaigns';
const API = '/admin/whatsapp/campaigns';
const STATUSES = ['draft', 'scheduled', 'running', 'paused', 'completed', 'cancelled'];
const RECIPIENT_STATUSES = ['pending', 'sent', 'delivered', 'read', 'replied', 'failed', 'skipped'];
const title = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const asOptions = (values: string[]): Option[] => values.map((v) => ({ value: v, label: title(v) }));
const when = (iso: string | undefined) => (iso ? new Date(iso).toLocaleTimeString() : '');
const go = (...rest: string[]) => navigate(...BASE.split('/'), ...rest);

function CampaignList() {
  const accounts = useWhatsAppAccounts();
  const names = new Map(accounts.map((a) => [a.id, a.name]));
  return (
    <>
      <PageHead title="Campaigns">
        <button type="button" class="primary" onClick={() => go('new')}>
          New campaign
        </button>
      </PageHead>
      <ListTable<Campaign>
        label="Campaigns"
        path={API}
        columns={[
          { key: 'name', label: 'Name' },
          { key: 'status', label: 'Status', render: (c) => <StatusBadge status={c.status} /> },
          { key: 'accountId', label: 'Account', render: (c) => names.get(c.accountId) ?? c.accountId },
          { key: 'total', label: 'Recipients', render: (c) => (c.total === undefined ? '—' : String(c.total)) },
          {
            key: 'startedAt',
            label: 'Started',
            render: (c) => (c.startedAt ? new Date(c.startedAt).toLocaleString() : ''),
          },
          { key: 'createdAt', label: 'Created', render: (c) => new Date(c.createdAt).toLocaleString() },
        ]}
        filters={[
          { name: 'status', label: 'Status', options: asOptions(STATUSES) },
          { name: 'accountId', label: 'Account', options: optionsOf(accounts) },
        ]}
        onOpen={(c) => go(c.id)}
        actions={(selected, reload) => <BulkActions selected={selected} reload={reload} base={API} noun="campaign" />}
      />
    </>
  );
}

const CONTACT_FIELDS = ['firstName', 'lastName', 'phone', 'email'];
const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].map((d, i) => ({ value: String(i + 1), label: d }));

/**
 * The form's fields: fixed ones, then a source and a value for each variable of the template chosen. Without
 * `audience` (a campaign whose recipients are written) the template, lists and variables are left out.
 */
function campaignFields(
  accounts: Option[],
  templates: Template[],
  lists: Named[],
  template: Template | undefined,
  audience = true,
): FieldSpec[] {
  const params = template && audience ? [...template.parameters.header, ...template.parameters.body] : [];
  const who: FieldSpec[] = [
    {
      name: 'templateId',
      label: 'Template',
      kind: 'select',
      required: true,
      options: templates.map((t) => ({ value: t.id, label: `${t.name} (${t.language})` })),
      hint: templates.length ? 'the account’s approved templates' : 'this account has no approved template yet',
    },
    { name: 'listIds', label: 'Contact lists', kind: 'multi', options: optionsOf(lists) },
  ];
  return [
    { name: 'name', label: 'Name', required: true },
    { name: 'accountId', label: 'Account', kind: 'select', options: accounts, required: true, createOnly: true },
    ...(audience ? who : []),
    ...params.flatMap((p): FieldSpec[] => [
      {
        name: `source.${p}`,
        label: `Variable {{${p}}} from`,
        kind: 'select',
        required: true,
        options: [
          ...CONTACT_FIELDS.map((f) => ({ value: `field:${f}`, label: `Contact: ${f}` })),
          { value: 'field:', label: 'Contact: custom field…' },
          { value: 'value', label: 'Fixed text' },
        ],
      },
      {
        name: `parameters.${p}`,
        label: `Variable {{${p}}}`,
        when: (v) => v[`source.${p}`] === 'value' || v[`source.${p}`] === 'field:',
        hint: 'the custom field’s name, or the fixed text',
      },
    ]),
    {
      name: 'ratePerSecond',
      label: 'Rate (messages per second)',
      kind: 'number',
      hint: 'empty: the provider’s default',
    },
    {
      name: 'schedule.startAt',
      label: 'Start at',
      placeholder: '2026-12-24T09:00:00+01:00',
      hint: 'empty: when started',
    },
    { name: 'schedule.window.from', label: 'Send from (HH:MM)', placeholder: '09:00', hint: 'empty: any time of day' },
    {
      name: 'schedule.window.to',
      label: 'Send until (HH:MM)',
      placeholder: '18:00',
      when: (v) => Boolean(v['schedule.window.from']),
    },
    {
      name: 'schedule.window.timeZone',
      label: 'Time zone',
      placeholder: 'Europe/Rome',
      when: (v) => Boolean(v['schedule.window.from']),
    },
    {
      name: 'schedule.window.days',
      label: 'Days',
      kind: 'multi',
      options: DAYS,
      when: (v) => Boolean(v['schedule.window.from']),
    },
  ];
}

/** The body of a create, or of an edit (`editing`): that one sends the schedule whole and an emptied rate as null. */
function campaignBody(fields: FieldSpec[], values: Values, editing = false): Record<string, unknown> {
  const plain = fields.filter(
    (f) => !f.name.startsWith('source.') && !f.name.startsWith('parameters.') && !(editing && f.createOnly),
  );
  const body = bodyOf(plain, values);
  if (editing) {
    body.schedule ??= {};
    body.ratePerSecond ??= null;
  }
  // The days as ISO weekday numbers; none ticked is every day (the API takes no empty list).
  const daily = (body.schedule as { window?: { days?: unknown } } | undefined)?.window;
  const days = getDays(values);
  if (daily && days.length) setPath(body, 'schedule.window.days', days);
  else if (daily) delete daily.days;
  const parameters: Record<string, unknown> = {};
  for (const f of fields.filter((f) => f.name.startsWith('source.'))) {
    const name = f.name.slice('source.'.length);
    const source = String(values[f.name] ?? '');
    const typed = String(values[`parameters.${name}`] ?? '').trim();
    if (source === 'value') parameters[name] = { value: typed };
    else if (source === 'field:') parameters[name] = { field: typed };
    else if (source.startsWith('field:')) parameters[name] = { field: source.slice('field:'.length) };
  }
  return fields.some((f) => f.name === 'templateId') ? { ...body, parameters } : body;
}

/** A campaign's form values: each variable's source as the select has it (`field:firstName`, `field:`, `value`). */
function valuesOfCampaign(c: Campaign): Values {
  const daily = c.schedule.window;
  const values: Values = {
    name: c.name,
    accountId: c.accountId,
    templateId: c.templateId,
    listIds: c.listIds,
    ratePerSecond: c.ratePerSecond ?? '',
    'schedule.startAt': c.schedule.startAt ?? '',
    'schedule.window.from': daily?.from ?? '',
    'schedule.window.to': daily?.to ?? '',
    'schedule.window.timeZone': daily?.timeZone ?? '',
    'schedule.window.days': (daily?.days ?? []).map(String),
  };
  for (const [name, source] of Object.entries(c.parameters)) {
    if ('value' in source) Object.assign(values, { [`source.${name}`]: 'value', [`parameters.${name}`]: source.value });
    else if (CONTACT_FIELDS.includes(source.field)) values[`source.${name}`] = `field:${source.field}`;
    else Object.assign(values, { [`source.${name}`]: 'field:', [`parameters.${name}`]: source.field });
  }
  return values;
}

const getDays = (values: Values) => ((values['schedule.window.days'] as string[] | undefined) ?? []).map(Number);

/** The create form, or (with `campaign`) the edit form of a draft, scheduled or paused campaign. */
function CampaignForm({ campaign, onSaved }: { campaign?: Campaign; onSaved: (c: Campaign) => void }) {
  const accounts = useWhatsAppAccounts();
  const [lists] = useAll<Named>('/admin/lists');
  const form = useForm(
    campaign
      ? valuesOfCampaign(campaign)
      : valuesOf([], undefined, { name: '', accountId: '', templateId: '', listIds: [] }),
  );
  const accountId = String(form.values.accountId ?? '');
  const [templates] = useAll<Template>(
    accountId ? `/admin/whatsapp/templates?accountId=${accountId}&status=APPROVED` : undefined,
  );
  const usable = templates.filter((t) => t.accountId === accountId && t.status === 'APPROVED');
  const template = usable.find((t) => t.id === form.values.templateId);
  const fields = campaignFields(optionsOf(accounts), usable, lists, template, !campaign?.prepared);
  // The first account and template are chosen to begin with; each new variable starts from the contact's first name.
  useEffect(() => {
    if (accounts[0]) form.fill('accountId', accounts[0].id);
  }, [accounts.length]);
  useEffect(() => {
    if (!campaign && usable[0])
      form.update((v) => (usable.some((t) => t.id === v.templateId) ? v : { ...v, templateId: usable[0]!.id }));
  }, [usable.map((t) => t.id).join()]);
  useEffect(() => {
    for (const f of fields) if (f.name.startsWith('source.')) form.fill(f.name, 'field:firstName');
  }, [template?.id]);
  return (
    <FormView
      form={form}
      label={campaign ? 'Edit campaign' : 'New campaign'}
      submitLabel={campaign ? 'Save' : 'Create campaign'}
      claims={[...fields.map((f) => f.name), 'parameters', 'schedule']}
      onSubmit={() =>
        void form.submit(async () => {
          const body = campaignBody(fields, form.values, Boolean(campaign));
          onSaved(
            campaign
              ? await client().patch<Campaign>(`${API}/${encodeURIComponent(campaign.id)}`, body)
              : await client().post<Campaign>(API, body),
          );
        })
      }
    >
      {campaign?.prepared && (
        <p class="hint">The recipients are written: the template, the lists and the variables can no longer change.</p>
      )}
      <Fields form={form} fields={fields} editing={Boolean(campaign)} />
    </FormView>
  );
}

function CampaignCreate() {
  return (
    <>
      <PageHead title="New campaign">
        <a href={`#/${BASE}`}>Back to campaigns</a>
      </PageHead>
      <CampaignForm
        onSaved={(created) => {
          notice.value = { kind: 'info', text: `Campaign ${created.name} created` };
          go(created.id);
        }}
      />
    </>
  );
}

/** Nothing is being sent: the campaign may change (its audience only until its recipients are written). */
const EDITABLE: Campaign['status'][] = ['draft', 'scheduled', 'paused'];

const ACTIONS: { action: 'start' | 'pause' | 'resume' | 'cancel'; label: string; from: Campaign['status'][] }[] = [
  { action: 'start', label: 'Start', from: ['draft'] },
  { action: 'pause', label: 'Pause', from: ['scheduled', 'running'] },
  { action: 'resume', label: 'Resume', from: ['paused'] },
  { action: 'cancel', label: 'Cancel campaign', from: ['draft', 'scheduled', 'running', 'paused'] },
];

/**
 * Whether the page keeps reading the campaign: while it sends, and for a while after it completed as long as some
 * recipients still wait for their delivery status (the provider's webhooks come after the last send).
 */
const AFTER_COMPLETION_MS = 15 * 60_000;
function isLive(c: Campaign, now: number): boolean {
  if (c.status === 'scheduled' || c.status === 'running') return true;
  const completed = c.completedAt ? Date.parse(c.completedAt) : Number.NaN;
  return c.status === 'completed' && (c.counts?.sent ?? 0) > 0 && now - completed < AFTER_COMPLETION_MS;
}

function Progress({ campaign }: { campaign: Campaign }) {
  const counts = campaign.counts;
  if (!counts) return null;
  const done = counts.total - counts.pending;
  const shown = ['pending', 'sent', 'delivered', 'read', 'replied', 'failed', 'skipped'] as const;
  return (
    <section class="campaign-progress" aria-label="Progress">
      <h3>Progress</h3>
      <p>
        <meter min={0} max={Math.max(counts.total, 1)} value={done} aria-label="Dispatched" />{' '}
        <span role="status">
          {done} of {counts.total} dispatched
        </span>
        {campaign.rate !== undefined && <span class="meta"> · rate {campaign.rate} messages/s</span>}
        {campaign.slowedDownAt && (
          <span class="meta"> · slowed down by the provider at {when(campaign.slowedDownAt)}</span>
        )}
      </p>
      <dl class="counts">
        {shown.map((s) => (
          <div key={s} class={`count count-${s}`}>
            <dt>{title(s)}</dt>
            <dd aria-label={`${title(s)} recipients`}>{counts[s]}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

function Recipients({ campaign, generation }: { campaign: Campaign; generation: number }) {
  const path = `${API}/${encodeURIComponent(campaign.id)}/recipients`;
  return (
    <section class="recipients" aria-label="Recipients">
      <div class="page-head">
        <h3>Recipients</h3>
        <div class="page-head-actions">
          <button
            type="button"
            onClick={() =>
              void client().download(`${path}/export`, `campaign-${campaign.id}-recipients.csv`).catch(showError)
            }
          >
            Export recipients (CSV)
          </button>
        </div>
      </div>
      <ListTable<Recipient>
        label="Recipients"
        path={path}
        rowId={(r) => String(r.seq)}
        selectable={false}
        query={{ param: 'phone', placeholder: 'Phone (exact), +39…' }}
        reloadKey={generation}
        pageSize={50}
        columns={[
          { key: 'phone', label: 'Phone' },
          { key: 'status', label: 'Status', render: (r) => <StatusBadge status={r.status} label={r.phone} /> },
          { key: 'sentAt', label: 'Sent', render: (r) => when(r.sentAt) },
          { key: 'deliveredAt', label: 'Delivered', render: (r) => when(r.deliveredAt) },
          { key: 'readAt', label: 'Read', render: (r) => when(r.readAt) },
          { key: 'repliedAt', label: 'Replied', render: (r) => when(r.repliedAt) },
          {
            key: 'errorCode',
            label: 'Error or skip',
            render: (r) => [r.skipReason, r.errorCode, r.errorMessage].filter(Boolean).join(': '),
          },
        ]}
        filters={[{ name: 'status', label: 'Recipient status', options: asOptions(RECIPIENT_STATUSES) }]}
      />
    </section>
  );
}

function CampaignDetail({ id }: { id: string }) {
  const [campaign, setCampaign] = useState<Campaign | undefined>(undefined);
  const [generation, setGeneration] = useState(0);
  const [busy, setBusy] = useState(false);
  const [editing, setEditing] = useState(false);
  const url = `${API}/${encodeURIComponent(id)}`;
  const read = () => {
    client()
      .get<Campaign>(url)
      .then((c) => {
        setCampaign(c);
        setGeneration((g) => g + 1);
      }, showError);
  };
  useEffect(read, [id]);
  const live = campaign ? isLive(campaign, Date.now()) : false;
  useEffect(() => {
    if (!live) return;
    const timer = setInterval(read, 2000);
    return () => clearInterval(timer);
  }, [live, id]);
  useEffect(
    () =>
      listenLive({
        event: (event) => {
          if ((event.type === 'campaign.paused' || event.type === 'campaign.completed') && event.campaignId === id)
            read();
        },
      }),
    [id],
  );
  const [tpl, setTpl] = useState<Template | undefined>(undefined);
  useEffect(() => {
    if (campaign?.templateId)
      client()
        .get<Template>(`/admin/whatsapp/templates/${encodeURIComponent(campaign.templateId)}`)
        .then(setTpl, () => setTpl(undefined));
  }, [campaign?.templateId]);
  if (!campaign) return <p class="loading">Loading…</p>;
  const act = (action: string) => {
    setBusy(true);
    client()
      .post<Campaign>(`${url}/${action}`)
      .then((c) => {
        setCampaign(c);
        setGeneration((g) => g + 1);
      }, showError)
      .finally(() => setBusy(false));
  };
  const daily = campaign.schedule.window;
  return (
    <>
      <PageHead title={`Campaign: ${campaign.name}`}>
        <a href={`#/${BASE}`}>Back to campaigns</a>
        {ACTIONS.filter((a) => a.from.includes(campaign.status)).map((a) =>
          a.action === 'cancel' ? (
            <ConfirmButton
              key={a.action}
              label={a.label}
              confirmLabel="Confirm: cancel this campaign"
              disabled={busy}
              onConfirm={() => act('cancel')}
            />
          ) : (
            <button
              key={a.action}
              type="button"
              class={a.action === 'start' ? 'primary' : undefined}
              disabled={busy}
              onClick={() => act(a.action)}
            >
              {a.label}
            </button>
          ),
        )}
        {EDITABLE.includes(campaign.status) && (
          <button type="button" aria-expanded={editing} onClick={() => setEditing((e) => !e)}>
            {editing ? 'Close the edit form' : 'Edit'}
          </button>
        )}
        {(campaign.status === 'draft' || campaign.status === 'completed' || campaign.status === 'cancelled') && (
          <ConfirmButton
            label="Delete campaign"
            confirmLabel="Confirm: delete this campaign"
            onConfirm={() =>
              void client()
                .del(url)
                .then(() => go(), showError)
            }
          />
        )}
      </PageHead>
      {editing && EDITABLE.includes(campaign.status) && (
        <CampaignForm
          key={campaign.id}
          campaign={campaign}
          onSaved={(saved) => {
            setCampaign(saved);
            setEditing(false);
            notice.value = { kind: 'info', text: 'Saved' };
          }}
        />
      )}
      <section class="detail-card" aria-label="Campaign">
        <dl class="facts">
          <dt>Status</dt>
          <dd>
            <StatusBadge status={campaign.status} />
            {live && <span class="meta"> · live (read every 2 s)</span>}
          </dd>
          {campaign.pause && (
            <>
              <dt>Paused</dt>
              <dd>
                {campaign.pause.automatic ? 'automatically' : 'by an admin'} at {when(campaign.pause.at)}:{' '}
                {campaign.pause.reason}
              </dd>
            </>
          )}
          <dt>Template</dt>
          <dd>{tpl ? `${tpl.name} (${tpl.language}), ${tpl.status}` : campaign.templateId}</dd>
          <dt>Variables</dt>
          <dd>
            {Object.entries(campaign.parameters)
              .map(([k, s]) => `{{${k}}} ← ${'field' in s ? `contact ${s.field}` : `“${s.value}”`}`)
              .join(', ') || 'none'}
          </dd>
          <dt>Schedule</dt>
          <dd>
            {campaign.schedule.startAt
              ? `from ${new Date(campaign.schedule.startAt).toLocaleString()}`
              : 'when started'}
            {daily ? `, ${daily.from}–${daily.to} ${daily.timeZone}` : ', any time of day'}
          </dd>
          {campaign.startedAt && (
            <>
              <dt>Started</dt>
              <dd>{new Date(campaign.startedAt).toLocaleString()}</dd>
            </>
          )}
          {campaign.completedAt && (
            <>
              <dt>Completed</dt>
              <dd>{new Date(campaign.completedAt).toLocaleString()}</dd>
            </>
          )}
        </dl>
      </section>
      <Progress campaign={campaign} />
      <Recipients campaign={campaign} generation={generation} />
    </>
  );
}

export const campaignsPage: Page = {
  path: BASE,
  title: 'Campaigns',
  roles: ['admin'],
  component: ({ subpath }) => {
    const [first] = subpath;
    if (first === 'new') return <CampaignCreate />;
    if (first) return <CampaignDetail key={first} id={first} />;
    return <CampaignList />;
  },
};
