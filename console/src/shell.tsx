/**
 * The signed-in frame: the header (connection, presence, navigation by role, sign-out), the notice line, and the
 * page the hash names. Agents see only the workspace; supervisors also the supervision pages; admins every page.
 */
import { useState } from 'preact/hooks';
import { adminPages } from './admin';
import type { Page } from './pages';
import { route } from './route';
import { me, notice, setPresence, showError, signOut, socketState, type PresenceStatus } from './state';
import { supervisorPages } from './supervisor';
import { Workspace } from './workspace';

export const pages: Page[] = [...supervisorPages, ...adminPages];

/** The page a route names (the longest matching path), if the role sees it. */
export function pageFor(segments: string[], role: string | undefined): { page: Page; subpath: string[] } | undefined {
  let best: { page: Page; subpath: string[] } | undefined;
  for (const page of pages) {
    const parts = page.path.split('/');
    if (!parts.every((part, i) => segments[i] === part)) continue;
    if (!page.roles.some((r) => r === role)) continue;
    if (!best || parts.length > best.page.path.split('/').length) best = { page, subpath: segments.slice(parts.length) };
  }
  return best;
}

function PresenceControl() {
  const presence = me.value?.presence ?? { status: 'offline' as PresenceStatus };
  const [reason, setReason] = useState(presence.reason ?? 'Break');
  const change = (status: PresenceStatus) =>
    setPresence(status, status === 'paused' ? reason || 'Break' : undefined).catch(showError);
  return (
    <div class="presence">
      <label>
        Presence
        <select
          value={presence.status}
          onChange={(e) => change(e.currentTarget.value as PresenceStatus)}
          class={`status-${presence.status}`}
        >
          <option value="online">Online</option>
          <option value="paused">Paused</option>
          <option value="offline">Offline</option>
        </select>
      </label>
      {presence.status === 'paused' && (
        <label>
          Pause reason
          <input
            value={reason}
            maxLength={100}
            onInput={(e) => setReason(e.currentTarget.value)}
            onChange={() => change('paused')}
          />
        </label>
      )}
    </div>
  );
}

function Nav({ current }: { current: Page | undefined }) {
  const role = me.value?.role;
  const visible = pages.filter((p) => p.roles.some((r) => r === role));
  if (!visible.length) return null;
  return (
    <nav class="sections" aria-label="Sections">
      <a href="#/" aria-current={current ? undefined : 'page'}>
        Workspace
      </a>
      {visible.map((p) => (
        <a key={p.path} href={`#/${p.path}`} aria-current={current === p ? 'page' : undefined}>
          {p.title}
        </a>
      ))}
    </nav>
  );
}

export function Shell() {
  const found = pageFor(route.value, me.value?.role);
  const Current = found?.page.component;
  const profile = me.value;
  return (
    <div class="shell">
      <header class="topbar">
        <h1>Switchboard</h1>
        <Nav current={found?.page} />
        <span class={`socket socket-${socketState.value}`} role="status" aria-label="Connection">
          {socketState.value === 'open'
            ? 'Connected'
            : socketState.value === 'connecting'
              ? 'Connecting…'
              : 'Disconnected'}
        </span>
        <PresenceControl />
        <span class="who">{profile?.fullName ?? profile?.username}</span>
        <button type="button" class="link" onClick={() => signOut()}>
          Sign out
        </button>
      </header>
      {notice.value && (
        <div class={`notice notice-${notice.value.kind}`} role={notice.value.kind === 'error' ? 'alert' : 'status'}>
          <span>{notice.value.text}</span>
          <button type="button" class="link" aria-label="Dismiss" onClick={() => (notice.value = undefined)}>
            ×
          </button>
        </div>
      )}
      {Current ? (
        <main class="page">
          <Current subpath={found.subpath} />
        </main>
      ) : (
        <Workspace />
      )}
    </div>
  );
}
