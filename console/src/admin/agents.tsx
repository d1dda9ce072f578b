/**
 * Agents (every role): capacity per channel, the typology's own fields, locked and disabled states, memberships,
 * and invitations: select agents and send each an invitation (by email where mail is configured, otherwise the
 * link to copy), or make one agent's link on its page.
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../client';
import { client, showError } from '../state';
import { crudPage } from './crud';
import { labelOf, useAll, type Named } from './data';
import { CopyButton, type FieldSpec } from './form';
import type { Row } from './table';

export interface Agent extends Row {
  username: string;
  fullName: string;
  alias?: string;
  email?: string;
  extension?: string;
  typology?: string;
  role: 'admin' | 'supervisor' | 'agent';
  disabled?: boolean;
  locked?: boolean;
  capacity: { sms: number; whatsapp: number };
  passwordSet?: boolean;
  createdAt?: string;
  updatedAt?: string;
}

const TYPOLOGIES = ['webrtc', 'phonebar', 'external', 'mobile'].map((v) => ({
  value: v,
  label: v === 'webrtc' ? 'WebRTC' : v.charAt(0).toUpperCase() + v.slice(1),
}));
const ROLES = ['agent', 'supervisor', 'admin'].map((v) => ({
  value: v,
  label: v.charAt(0).toUpperCase() + v.slice(1),
}));
const YES_NO = [
  { value: 'true', label: 'Yes' },
  { value: 'false', label: 'No' },
];

function agentFields(item: Agent | undefined): FieldSpec[] {
  return [
    { name: 'fullName', label: 'Full name', required: true },
    { name: 'username', label: 'Username', required: true, hint: 'letters, digits, . and _' },
    { name: 'alias', label: 'Alias', nullable: true },
    { name: 'typology', label: 'Typology', kind: 'select', options: TYPOLOGIES, required: true },
    { name: 'role', label: 'Role', kind: 'select', options: ROLES, required: true },
    { name: 'email', label: 'Email', nullable: true, hint: 'where the invitation goes' },
    { name: 'extension', label: 'Extension', hint: '2 to 10 digits' },
    { name: 'description', label: 'Description', kind: 'textarea', nullable: true },
    { name: 'capacity.sms', label: 'SMS capacity', kind: 'number', hint: 'open SMS interactions at once (0 to 50)' },
    {
      name: 'capacity.whatsapp',
      label: 'WhatsApp capacity',
      kind: 'number',
      hint: 'open WhatsApp interactions at once',
    },
    { name: 'voicemail', label: 'Voicemail', kind: 'checkbox' },
    { name: 'remoteControl', label: 'Remote control', kind: 'checkbox', when: (v) => v.typology === 'phonebar' },
    {
      name: 'remoteControlPort',
      label: 'Remote control port',
      kind: 'number',
      nullable: true,
      when: (v) => v.typology === 'phonebar' && v.remoteControl === true,
    },
    { name: 'pushGateway', label: 'Mobile push gateway', nullable: true, when: (v) => v.typology === 'mobile' },
    { name: 'disabled', label: 'Disabled', kind: 'checkbox' },
    ...(item
      ? [{ name: 'locked', label: 'Locked (after failed sign-ins)', kind: 'checkbox' } satisfies FieldSpec]
      : []),
    {
      name: 'password',
      label: item ? 'New password' : 'Password',
      kind: 'password',
      writeOnly: true,
      hint: item?.passwordSet ? 'a password is set' : 'or leave empty and send an invitation',
    },
  ];
}

type InvitationResult =
  | { id: string; sent: true; to?: string }
  | { id: string; sent: false; reason?: string; url: string; expiresIn?: number };

const REASONS: Record<string, string> = {
  'mail-not-configured': 'mail is not configured',
  'no-email': 'the agent has no email address',
  'mail-failed': 'the mail could not be sent',
};

/**
 * Invitations for the agents chosen: `POST /admin/agents/invitations` (by email where mail is configured); an API
 * without it answers 404 and each agent's link is made instead (`POST /admin/agents/{id}/invitation`).
 */
async function invite(ids: string[]): Promise<InvitationResult[]> {
  try {
    const { results } = await client().post<{ results: InvitationResult[] }>('/admin/agents/invitations', { ids });
    return results;
  } catch (error) {
    if (!(error instanceof ApiError && (error.status === 404 || error.status === 405))) throw error;
  }
  const results: InvitationResult[] = [];
  for (const id of ids) {
    const link = await client().post<{ url: string; expiresIn?: number }>(`/admin/agents/${id}/invitation`);
    results.push({ id, sent: false, url: link.url, ...(link.expiresIn ? { expiresIn: link.expiresIn } : {}) });
  }
  return results;
}

function InvitationResults({ results, agents }: { results: InvitationResult[]; agents: Map<string, Agent> }) {
  return (
    <section class="invitation-links" aria-label="Invitations">
      <ul>
        {results.map((r) => {
          const name = agents.get(r.id)?.fullName ?? r.id;
          return (
            <li key={r.id}>
              {r.sent ? (
                <span>
                  {name}: invitation sent by email{r.to ? ` to ${r.to}` : ''}
                </span>
              ) : (
                <span class="copy-row">
                  {name}
                  {r.reason ? ` (not mailed: ${REASONS[r.reason] ?? r.reason})` : ''}:{' '}
                  <input readOnly aria-label={`Invitation link for ${name}`} value={r.url} />
                  <CopyButton text={r.url} label="Copy link" />
                </span>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

function InviteButton({ selected }: { selected: Agent[] }) {
  const [results, setResults] = useState<InvitationResult[] | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  return (
    <>
      <button
        type="button"
        disabled={!selected.length || busy}
        onClick={() => {
          setBusy(true);
          invite(selected.map((a) => a.id))
            .then(setResults, showError)
            .finally(() => setBusy(false));
        }}
      >
        Send invitation
      </button>
      {results && <InvitationResults results={results} agents={new Map(selected.map((a) => [a.id, a]))} />}
    </>
  );
}

function AgentExtra({ agent }: { agent: Agent }) {
  const [results, setResults] = useState<InvitationResult[] | undefined>(undefined);
  const [queues] = useAll<Named>('/admin/queues');
  const [accounts] = useAll<Named>('/admin/accounts');
  const [mine, setMine] = useState<{ queueIds: string[]; accountIds: string[] }>({ queueIds: [], accountIds: [] });
  useEffect(() => {
    Promise.all([
      client().get<{ queueIds: string[] }>(`/admin/agents/${agent.id}/queues`),
      client().get<{ accountIds: string[] }>(`/admin/agents/${agent.id}/accounts`),
    ]).then(([q, a]) => setMine({ queueIds: q.queueIds, accountIds: a.accountIds }), showError);
  }, [agent.id]);
  const names = (ids: string[], all: Named[]) =>
    ids.map((id) => labelOf(all.find((x) => x.id === id) ?? { id })).join(', ') || 'none';
  return (
    <section class="agent-extra" aria-label="Invitation and memberships">
      <h3>Invitation</h3>
      <p>
        <button type="button" onClick={() => invite([agent.id]).then(setResults, showError)}>
          Send invitation
        </button>{' '}
        <span class="hint">mailed where mail is configured and the agent has an email; otherwise the link to copy</span>
      </p>
      {results && <InvitationResults results={results} agents={new Map([[agent.id, agent]])} />}
      <h3>Memberships</h3>
      <p>Queues: {names(mine.queueIds, queues)}</p>
      <p>Accounts: {names(mine.accountIds, accounts)}</p>
      <p class="hint">Add the agent to queues on the queue’s page and to accounts on the account’s Agents section.</p>
    </section>
  );
}

const status = (a: Agent) => [a.disabled && 'Disabled', a.locked && 'Locked'].filter(Boolean).join(', ') || 'Active';

export const agentsPage = crudPage<Agent>('admin/agents', {
  title: 'Agents',
  noun: 'agent',
  api: '/admin/agents',
  search: 'agents',
  bulkDelete: true,
  exportName: 'agents.csv',
  columns: [
    { key: 'fullName', label: 'Full name' },
    { key: 'username', label: 'Username' },
    { key: 'email', label: 'Email' },
    { key: 'extension', label: 'Extension' },
    { key: 'typology', label: 'Typology', render: (a) => TYPOLOGIES.find((t) => t.value === a.typology)?.label ?? '' },
    { key: 'role', label: 'Role' },
    { key: 'capacity', label: 'Capacity', render: (a) => `SMS ${a.capacity.sms} · WhatsApp ${a.capacity.whatsapp}` },
    { key: 'status', label: 'Status', render: status },
    { key: 'updatedAt', label: 'Updated', render: (a) => (a.updatedAt ?? a.createdAt ?? '').slice(0, 10) },
  ],
  filters: [
    { name: 'typology', label: 'Typology', options: TYPOLOGIES },
    { name: 'role', label: 'Role', options: ROLES },
    { name: 'disabled', label: 'Disabled', options: YES_NO },
    { name: 'locked', label: 'Locked', options: YES_NO },
  ],
  defaults: { typology: 'webrtc', role: 'agent', 'capacity.sms': 3, 'capacity.whatsapp': 3 },
  useFields: agentFields,
  nameOf: (a) => a.fullName,
  listActions: (selected) => <InviteButton selected={selected} />,
  extra: (agent) => <AgentExtra agent={agent} />,
});
