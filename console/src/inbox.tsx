/** The inbox: the agent's own interactions, its offers, and what waits unassigned in its accounts. */
import { since } from './format';
import { useNow } from './offers';
import { accounts, assigned, offers, select, selectedId, tab, waiting, waitingCount, type Interaction } from './state';

function Row({ interaction, now }: { interaction: Interaction; now: number }) {
  const account = accounts.value.get(interaction.accountId);
  const active = selectedId.value === interaction.id;
  return (
    <li>
      <button
        type="button"
        class={`row${active ? ' active' : ''}`}
        aria-current={active ? 'true' : undefined}
        onClick={() => select(interaction.id)}
      >
        <span class="key" title={account?.name}>
          {account?.key ?? '?'}
        </span>
        <span class="row-main">
          <span class="contact">{interaction.contactPhone}</span>
          <span class="preview">{interaction.preview ?? ''}</span>
        </span>
        <span class="row-side">
          <span class="ago" title="Since the customer's last message">
            {since(interaction.lastInboundAt, now)}
          </span>
          {interaction.unread > 0 && (
            <span class="badge" aria-label={`${interaction.unread} unread`}>
              {interaction.unread}
            </span>
          )}
        </span>
      </button>
    </li>
  );
}

export function Inbox() {
  const now = useNow(5000);
  const tabs = [
    { id: 'mine', label: 'Mine', count: assigned.value.length },
    { id: 'offered', label: 'Offered', count: offers.value.length },
    { id: 'waiting', label: 'Waiting', count: Math.max(waitingCount.value, waiting.value.length) },
  ] as const;
  const list = tab.value === 'mine' ? assigned.value : tab.value === 'offered' ? offers.value : waiting.value;
  return (
    <nav class="inbox" aria-label="Inbox">
      <div role="tablist" class="tabs">
        {tabs.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            aria-selected={tab.value === t.id}
            onClick={() => (tab.value = t.id)}
          >
            {t.label} <span class="count">{t.count}</span>
          </button>
        ))}
      </div>
      <ul class="rows" role="tabpanel" aria-label={tabs.find((t) => t.id === tab.value)?.label}>
        {list.length ? (
          list.map((i) => <Row key={i.id} interaction={i} now={now} />)
        ) : (
          <li class="empty">Nothing here</li>
        )}
      </ul>
    </nav>
  );
}
