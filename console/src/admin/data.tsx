/**
 * Small pieces the admin pages share: every item of a list route (for a select: the lists, queues, agents), the
 * members of a queue, team or account (add, remove), and the section tabs of an edit page.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { client, showError } from '../state';
import type { Option } from './form';

/** Every item of a paged list route (up to 2000, 200 a page: the admin lists' most). */
export async function allItems<T>(path: string): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 10; i += 1) {
    const sep = path.includes('?') ? '&' : '?';
    const page = await client().get<{ items: T[]; nextCursor?: string }>(
      `${path}${sep}limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    items.push(...page.items);
    cursor = page.nextCursor;
    if (!cursor) break;
  }
  return items;
}

export function useAll<T>(path: string | undefined): [T[], () => void] {
  const [items, setItems] = useState<T[]>([]);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!path) return;
    let live = true;
    allItems<T>(path).then((list) => live && setItems(list), showError);
    return () => {
      live = false;
    };
  }, [path, tick]);
  return [items, () => setTick((t) => t + 1)];
}

export interface Named {
  id: string;
  name?: string;
  fullName?: string;
  username?: string;
}

export const labelOf = (item: Named) =>
  item.name ?? (item.fullName ? `${item.fullName}${item.username ? ` (${item.username})` : ''}` : item.id);

export const optionsOf = (items: Named[]): Option[] => items.map((i) => ({ value: i.id, label: labelOf(i) }));

/**
 * The agents of a queue, team or account: who is in (with Remove) and a select to add one. `path` is the
 * membership route (`/admin/queues/{id}/agents`): GET answers `{ agentIds }`, PUT/DELETE `path/{agentId}`.
 */
export function Members({ path, label }: { path: string; label: string }) {
  const [agents] = useAll<Named>('/admin/agents');
  const [ids, setIds] = useState<string[] | undefined>(undefined);
  const [adding, setAdding] = useState('');
  const load = () =>
    client()
      .get<{ agentIds: string[] }>(path)
      .then((r) => setIds(r.agentIds), showError);
  useEffect(() => {
    void load();
  }, [path]);
  const byId = new Map(agents.map((a) => [a.id, a]));
  const change = (method: 'put' | 'del', agentId: string) =>
    (method === 'put' ? client().put(`${path}/${agentId}`, {}) : client().del(`${path}/${agentId}`))
      .then(load)
      .catch(showError);
  const outside = agents.filter((a) => !ids?.includes(a.id));
  return (
    <section class="members" aria-label={label}>
      <h3>{label}</h3>
      <ul>
        {(ids ?? []).map((id) => (
          <li key={id}>
            <span>{byId.has(id) ? labelOf(byId.get(id)!) : id}</span>
            <button type="button" class="link" onClick={() => void change('del', id)}>
              Remove
            </button>
          </li>
        ))}
      </ul>
      {ids && !ids.length && <p class="empty">No agents yet.</p>}
      <div class="copy-row">
        <label class="inline">
          Add agent
          <select aria-label="Add agent" value={adding} onChange={(e) => setAdding(e.currentTarget.value)}>
            <option value="">—</option>
            {outside.map((a) => (
              <option key={a.id} value={a.id}>
                {labelOf(a)}
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          disabled={!adding}
          onClick={() => {
            const id = adding;
            setAdding('');
            void change('put', id);
          }}
        >
          Add
        </button>
      </div>
    </section>
  );
}

/** The section tabs of an edit page: links to `#/<base>/<section>`. */
export function SectionTabs({
  base,
  sections,
  current,
}: {
  base: string;
  sections: { id: string; title: string }[];
  current: string;
}) {
  return (
    <nav class="section-tabs" aria-label="Sections of this item">
      {sections.map((s) => (
        <a key={s.id} href={`#/${base}/${s.id}`} aria-current={s.id === current ? 'page' : undefined}>
          {s.title}
        </a>
      ))}
    </nav>
  );
}

export function PageHead({ title, children }: { title: string; children?: ComponentChildren }) {
  return (
    <div class="page-head">
      <h2>{title}</h2>
      <div class="page-head-actions">{children}</div>
    </div>
  );
}
