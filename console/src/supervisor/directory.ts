/**
 * The names behind the ids a supervisor's pages show (accounts, agents, queues, teams), read once from the admin
 * lists (staff may read them) and kept in a signal; a failed read leaves ids shown as ids.
 */
import { effect, signal } from '@preact/signals';
import type { Lookup } from '../conditions';
import { client, session } from '../state';

export interface Named {
  id: string;
  name: string;
}

export interface Directory {
  accounts: Named[];
  agents: Named[];
  queues: Named[];
  teams: Named[];
}

export const directory = signal<Directory>({ accounts: [], agents: [], queues: [], teams: [] });
let loading: Promise<void> | undefined;

// Read again for the next session (another person may see other names).
effect(() => {
  if (session.value) return;
  loading = undefined;
  directory.value = { accounts: [], agents: [], queues: [], teams: [] };
});

async function all(path: string, sort: string, name: (item: Record<string, unknown>) => string): Promise<Named[]> {
  const items: Named[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 20; page += 1) {
    const body = await client().get<{ items: Record<string, unknown>[]; nextCursor?: string }>(
      `${path}?limit=200&sort=${sort}&order=asc${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    items.push(...body.items.map((i) => ({ id: String(i.id), name: name(i) })));
    cursor = body.nextCursor;
    if (!cursor) break;
  }
  return items;
}

/** Reads the directory once per console session (again with `fresh`). */
export function loadDirectory(fresh = false): Promise<void> {
  if (loading && !fresh) return loading;
  const named = (i: Record<string, unknown>) => String(i.name ?? i.id);
  const safe = (p: Promise<Named[]>) => p.catch(() => [] as Named[]);
  loading = Promise.all([
    safe(all('/admin/accounts', 'name', named)),
    safe(all('/admin/agents', 'fullName', (i) => String(i.fullName || i.username || i.id))),
    safe(all('/admin/queues', 'name', named)),
    safe(all('/admin/teams', 'name', named)),
  ]).then(([accounts, agents, queues, teams]) => {
    directory.value = { accounts, agents, queues, teams };
  });
  return loading;
}

export function nameOf(kind: keyof Directory, id: string | undefined): string {
  if (!id) return '';
  return directory.value[kind].find((n) => n.id === id)?.name ?? id;
}

/** Search fields whose values are ids the directory names: their value is picked, and shown, by name. */
const ID_FIELDS: Record<string, keyof Directory> = { agentId: 'agents', accountId: 'accounts', queueId: 'queues' };

export const directoryLookup: Lookup = {
  options: (field) => {
    const kind = ID_FIELDS[field];
    return kind ? directory.value[kind] : undefined;
  },
  name: (field, id) => {
    const kind = ID_FIELDS[field];
    return kind ? nameOf(kind, id) : id;
  },
};
