/** The agent's workspace: the offers, the inbox, and the open conversation (the shell draws the header). */
import { useEffect } from 'preact/hooks';
import { Conversation } from './conversation';
import { Inbox } from './inbox';
import { Offers } from './offers';
import { select, selectedId, visibleList } from './state';

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

  return (
    <div class="workspace">
      <Offers />
      <div class="panes">
        <Inbox />
        <Conversation />
      </div>
    </div>
  );
}
