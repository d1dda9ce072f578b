/** The agent's workspace: the header with presence, the offers, the inbox, and the open conversation. */
import { useEffect, useState } from 'preact/hooks';
import { Conversation } from './conversation';
import { Inbox } from './inbox';
import { Offers } from './offers';
import {
  me,
  notice,
  select,
  selectedId,
  setPresence,
  showError,
  signOut,
  socketState,
  visibleList,
  type PresenceStatus,
} from './state';

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

export function Workspace() {
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (!event.altKey || (event.key !== 'j' && event.key !== 'k' && event.key !== 'J' && event.key !== 'K')) return;
      event.preventDefault();
      const list = visibleList.value;
      if (!list.length) return;
      const at = list.findIndex((i) => i.id === selectedId.value);
      const step = event.key.toLowerCase() === 'j' ? 1 : -1;
      const next = list[(at + step + list.length) % list.length] ?? list[0];
      if (next) void select(next.id);
    };
    window.addEventListener('keydown', onKey);
    if ('Notification' in window && Notification.permission === 'default')
      void Notification.requestPermission().catch(() => undefined);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const profile = me.value;
  return (
    <div class="workspace">
      <header class="topbar">
        <h1>Switchboard</h1>
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
      <Offers />
      <div class="panes">
        <Inbox />
        <Conversation />
      </div>
    </div>
  );
}
