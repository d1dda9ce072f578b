/** Teams and queues: their fields and their agents (a queue offers what waits in it to its agents). */
import { crudPage } from './crud';
import { Members } from './data';
import type { FieldSpec } from './form';
import type { Row } from './table';

interface Team extends Row {
  name: string;
  description?: string;
  createdAt?: string;
}

interface Queue extends Team {
  strategy: string;
  offerTimeoutSeconds: number;
  reofferDeclined?: boolean;
}

const STRATEGIES = [
  { value: 'ring-all', label: 'Ring all' },
  { value: 'round-robin', label: 'Round robin' },
  { value: 'least-recent', label: 'Least recent' },
  { value: 'fewest-handled', label: 'Fewest handled' },
];

const named: FieldSpec[] = [
  { name: 'name', label: 'Name', required: true },
  { name: 'description', label: 'Description', kind: 'textarea', nullable: true },
];

export const teamsPage = crudPage<Team>('admin/teams', {
  title: 'Teams',
  noun: 'team',
  api: '/admin/teams',
  columns: [
    { key: 'name', label: 'Name' },
    { key: 'description', label: 'Description' },
  ],
  useFields: () => named,
  nameOf: (t) => t.name,
  extra: (team) => <Members path={`/admin/teams/${team.id}/agents`} label="Agents of this team" />,
});

export const queuesPage = crudPage<Queue>('admin/queues', {
  title: 'Queues',
  noun: 'queue',
  api: '/admin/queues',
  columns: [
    { key: 'name', label: 'Name' },
    {
      key: 'strategy',
      label: 'Strategy',
      render: (q) => STRATEGIES.find((s) => s.value === q.strategy)?.label ?? q.strategy,
    },
    { key: 'offerTimeoutSeconds', label: 'Offer timeout (s)' },
  ],
  filters: [{ name: 'strategy', label: 'Strategy', options: STRATEGIES }],
  defaults: { strategy: 'ring-all', offerTimeoutSeconds: 30 },
  useFields: () => [
    ...named,
    { name: 'strategy', label: 'Strategy', kind: 'select', options: STRATEGIES, required: true },
    { name: 'offerTimeoutSeconds', label: 'Offer timeout (seconds)', kind: 'number' },
    { name: 'reofferDeclined', label: 'Offer again to agents who declined', kind: 'checkbox' },
  ],
  nameOf: (q) => q.name,
  extra: (queue) => <Members path={`/admin/queues/${queue.id}/agents`} label="Agents of this queue" />,
});
