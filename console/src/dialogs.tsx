/** The conversation's dialogs: close with a disposition, transfer to a queue or agent, and the canned-answer picker. */
import type { ComponentChildren } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { act, client, select, showError, type Interaction, type WorkspaceAccount } from './state';

export function Dialog({
  title,
  onClose,
  children,
}: {
  title: string;
  onClose: () => void;
  children: ComponentChildren;
}) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const previous = document.activeElement as HTMLElement | null;
    ref.current?.querySelector<HTMLElement>('input, select, textarea, button')?.focus();
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') {
        event.preventDefault();
        onClose();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => {
      window.removeEventListener('keydown', onKey);
      previous?.focus();
    };
  }, []);
  return (
    <div class="backdrop" onClick={(e) => e.target === e.currentTarget && onClose()}>
      <div class="dialog" role="dialog" aria-modal="true" aria-label={title} ref={ref}>
        <h2>{title}</h2>
        {children}
      </div>
    </div>
  );
}

export function CloseDialog({
  interaction,
  account,
  onClose,
}: {
  interaction: Interaction;
  account: WorkspaceAccount | undefined;
  onClose: () => void;
}) {
  const mandatory = account?.settings.disposition.mandatory ?? false;
  const [disposition, setDisposition] = useState('');
  const [error, setError] = useState<string | undefined>();
  const submit = async (event: Event) => {
    event.preventDefault();
    if (mandatory && !disposition) {
      setError('This account requires a disposition.');
      return;
    }
    try {
      await act(interaction.id, 'close', disposition ? { disposition } : {});
      onClose();
      await select(undefined);
    } catch (e) {
      showError(e);
    }
  };
  return (
    <Dialog title="Close interaction" onClose={onClose}>
      <form onSubmit={submit}>
        <label>
          Disposition
          <select
            value={disposition}
            onChange={(e) => setDisposition(e.currentTarget.value)}
            required={mandatory}
            aria-invalid={error ? 'true' : undefined}
          >
            <option value="">{mandatory ? 'Choose a disposition' : 'No disposition'}</option>
            {(account?.dispositions ?? []).map((d) => (
              <option key={d.id} value={d.name}>
                {d.name}
              </option>
            ))}
          </select>
        </label>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        {mandatory && account?.settings.disposition.pauseId && (
          <p class="hint">You will be paused ({account.settings.disposition.pauseId}) after closing.</p>
        )}
        <div class="actions">
          <button type="submit" class="primary">
            Close interaction
          </button>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}

interface Directory {
  queues: { id: string; name: string }[];
  agents: { id: string; fullName: string; presence: string }[];
}

export function TransferDialog({ interaction, onClose }: { interaction: Interaction; onClose: () => void }) {
  const [directory, setDirectory] = useState<Directory | undefined>();
  const [target, setTarget] = useState('');
  useEffect(() => {
    client().get<Directory>('/agent/directory').then(setDirectory).catch(showError);
  }, []);
  const submit = async (event: Event) => {
    event.preventDefault();
    const [kind, id] = target.split(':');
    if (!id) return;
    try {
      await act(interaction.id, 'transfer', kind === 'queue' ? { queueId: id } : { agentId: id });
      onClose();
    } catch (e) {
      showError(e);
    }
  };
  return (
    <Dialog title="Transfer" onClose={onClose}>
      <form onSubmit={submit}>
        <label>
          Transfer to
          <select value={target} onChange={(e) => setTarget(e.currentTarget.value)} required>
            <option value="">{directory ? 'Choose a queue or an agent' : 'Loading…'}</option>
            <optgroup label="Queues">
              {directory?.queues.map((q) => (
                <option key={q.id} value={`queue:${q.id}`}>
                  {q.name}
                </option>
              ))}
            </optgroup>
            <optgroup label="Agents">
              {directory?.agents.map((a) => (
                <option key={a.id} value={`agent:${a.id}`}>
                  {a.fullName} ({a.presence})
                </option>
              ))}
            </optgroup>
          </select>
        </label>
        <div class="actions">
          <button type="submit" class="primary" disabled={!target}>
            Transfer
          </button>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}

interface Canned {
  id: string;
  name: string;
  text: string;
  shortcut?: string;
  scope: 'general' | 'account';
}

export function CannedPicker({
  accountId,
  onPick,
  onClose,
}: {
  accountId: string;
  onPick: (answer: Canned) => void;
  onClose: () => void;
}) {
  const [answers, setAnswers] = useState<Canned[]>([]);
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  useEffect(() => {
    client()
      .get<{ items: Canned[] }>(`/agent/canned-answers?accountId=${encodeURIComponent(accountId)}`)
      .then((r) => setAnswers(r.items))
      .catch(showError);
  }, [accountId]);
  const found = useMemo(() => {
    const q = query.trim().toLowerCase();
    return answers.filter(
      (a) =>
        !q ||
        a.name.toLowerCase().includes(q) ||
        a.text.toLowerCase().includes(q) ||
        (a.shortcut ?? '').toLowerCase().includes(q),
    );
  }, [answers, query]);
  const onKey = (event: KeyboardEvent) => {
    if (event.key === 'ArrowDown') setActive((i) => Math.min(found.length - 1, i + 1));
    else if (event.key === 'ArrowUp') setActive((i) => Math.max(0, i - 1));
    else if (event.key === 'Enter') {
      event.preventDefault();
      const pick = found[active];
      if (pick) onPick(pick);
    } else return;
    event.preventDefault();
  };
  return (
    <Dialog title="Canned answers" onClose={onClose}>
      <label>
        Search canned answers
        <input value={query} onInput={(e) => (setQuery(e.currentTarget.value), setActive(0))} onKeyDown={onKey} />
      </label>
      <ul class="canned" role="listbox" aria-label="Canned answers">
        {found.map((a, i) => (
          <li key={a.id} role="option" aria-selected={i === active}>
            <button type="button" onClick={() => onPick(a)}>
              <strong>{a.name}</strong> <span class="scope">{a.scope}</span>
              <span class="canned-text">{a.text}</span>
            </button>
          </li>
        ))}
        {!found.length && <li class="empty">No canned answer matches</li>}
      </ul>
    </Dialog>
  );
}
