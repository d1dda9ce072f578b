/** Offers waiting for this agent: the account's rendered notification text, time left, Accept and Reject. */
import { useEffect, useState } from 'preact/hooks';
import { duration } from './format';
import { accounts, act, offers, offerTexts, select, showError, type Interaction } from './state';

function useNow(everyMs = 1000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

function OfferCard({ interaction, now }: { interaction: Interaction; now: number }) {
  const account = accounts.value.get(interaction.accountId);
  const offer = offerTexts.value.get(interaction.id);
  const text = offer?.text || `Account: ${account?.name ?? interaction.accountId}\nFrom: ${interaction.contactPhone}`;
  const deadline = interaction.routing?.deadline ?? offer?.deadline;
  const left = deadline ? Date.parse(deadline) - now : undefined;
  const shake = offer?.shake ?? account?.settings.notification.shake ?? false;
  const accept = async () => {
    try {
      await act(interaction.id, 'accept');
      await select(interaction.id);
    } catch (error) {
      showError(error);
    }
  };
  return (
    <section
      class={`offer${shake ? ' shake' : ''}`}
      role="region"
      aria-label={`Offer from ${interaction.contactPhone}`}
    >
      <span class="key" title={account?.name}>
        {account?.key ?? '?'}
      </span>
      <pre class="offer-text">{text}</pre>
      {left !== undefined && <span class="time-left">{left > 0 ? `${duration(left)} left` : 'expiring'}</span>}
      <div class="actions">
        <button type="button" class="primary" onClick={accept}>
          Accept
        </button>
        <button type="button" onClick={() => act(interaction.id, 'reject').catch(showError)}>
          Reject
        </button>
      </div>
    </section>
  );
}

export function Offers() {
  const now = useNow();
  const list = offers.value;
  if (!list.length) return null;
  return (
    <div class="offers" aria-live="polite">
      {list.map((interaction) => (
        <OfferCard key={interaction.id} interaction={interaction} now={now} />
      ))}
    </div>
  );
}

export { useNow };
