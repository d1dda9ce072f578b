/**
 * The open conversation: its messages with their content parts and delivery status, the internal notes, tags, the
 * WhatsApp window, and the composer (free text while the window is open, the recontact template after it closed).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from './client';
import { CannedPicker, CloseDialog, TransferDialog } from './dialogs';
import { duration } from './format';
import { Timeline } from './messages';
import { useNow } from './offers';
import {
  accounts,
  act,
  client,
  loadConversation,
  me,
  messages,
  notes,
  selected,
  showError,
  upsert,
  windowLeftMs,
  type Interaction,
  type Template,
} from './state';

function TemplateComposer({ interaction, template }: { interaction: Interaction; template: Template | undefined }) {
  const [parameters, setParameters] = useState<string[]>(template?.parameters ?? []);
  if (!template)
    return (
      <p class="hint">
        The WhatsApp window has closed and this account has no recontact template: the customer must write first.
      </p>
    );
  const send = async (event: Event) => {
    event.preventDefault();
    try {
      await act(interaction.id, 'template', { name: template.name, language: template.language, parameters });
      await loadConversation(interaction.id);
    } catch (e) {
      showError(e);
    }
  };
  return (
    <form class="composer template" onSubmit={send} aria-label="Recontact template">
      <p class="hint">
        The WhatsApp window has closed: send the recontact template <strong>{template.name}</strong> (
        {template.language}).
      </p>
      {parameters.map((value, i) => (
        <label key={i}>
          Parameter {i + 1}
          <input
            value={value}
            onInput={(e) => setParameters(parameters.map((p, j) => (j === i ? e.currentTarget.value : p)))}
          />
        </label>
      ))}
      <button type="submit" class="primary">
        Send template
      </button>
    </form>
  );
}

function Composer({ interaction }: { interaction: Interaction }) {
  const [text, setText] = useState('');
  const [picking, setPicking] = useState(false);
  const [busy, setBusy] = useState(false);
  const box = useRef<HTMLTextAreaElement>(null);
  const send = async () => {
    if (!text.trim() || busy) return;
    setBusy(true);
    try {
      await act(interaction.id, 'reply', { text });
      setText('');
      await loadConversation(interaction.id);
    } catch (e) {
      if (e instanceof ApiError && e.code === 'WINDOW_CLOSED')
        upsert({ ...interaction, windowExpiresAt: new Date(0).toISOString() });
      showError(e);
    } finally {
      setBusy(false);
      box.current?.focus();
    }
  };
  const onKey = (event: KeyboardEvent) => {
    if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault();
      void send();
    } else if (event.key === '/' && text === '') {
      event.preventDefault();
      setPicking(true);
    }
  };
  return (
    <form
      class="composer"
      onSubmit={(e) => {
        e.preventDefault();
        void send();
      }}
    >
      <label class="sr-only" for="composer-message">
        Message
      </label>
      <textarea
        id="composer-message"
        ref={box}
        rows={3}
        maxLength={4096}
        placeholder="Type a reply; / for canned answers; Enter sends, Shift+Enter for a new line"
        value={text}
        onInput={(e) => setText(e.currentTarget.value)}
        onKeyDown={onKey}
      />
      <div class="composer-actions">
        <button type="button" onClick={() => setPicking(true)}>
          Canned answers
        </button>
        <button type="submit" class="primary" disabled={busy || !text.trim()}>
          Send
        </button>
      </div>
      {picking && (
        <CannedPicker
          accountId={interaction.accountId}
          onClose={() => setPicking(false)}
          onPick={async (answer) => {
            setPicking(false);
            try {
              await act(interaction.id, 'canned', { cannedAnswerId: answer.id });
              await loadConversation(interaction.id);
            } catch (e) {
              showError(e);
            }
          }}
        />
      )}
    </form>
  );
}

function Tags({ interaction }: { interaction: Interaction }) {
  const [draft, setDraft] = useState('');
  const tags = interaction.tags ?? [];
  const save = (next: string[]) =>
    client()
      .put<Interaction>(`/agent/interactions/${interaction.id}/tags`, { tags: next })
      .then(upsert)
      .catch(showError);
  return (
    <div class="tags" aria-label="Tags">
      {tags.map((t) => (
        <span class="tag" key={t}>
          {t}
          <button
            type="button"
            class="link"
            aria-label={`Remove tag ${t}`}
            onClick={() => save(tags.filter((x) => x !== t))}
          >
            ×
          </button>
        </span>
      ))}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (draft.trim()) void save([...tags, draft.trim()]).then(() => setDraft(''));
        }}
      >
        <label class="sr-only" for="new-tag">
          Add tag
        </label>
        <input
          id="new-tag"
          placeholder="Add tag"
          value={draft}
          maxLength={50}
          onInput={(e) => setDraft(e.currentTarget.value)}
        />
      </form>
    </div>
  );
}

export function Conversation() {
  const interaction = selected.value;
  const now = useNow();
  const [dialog, setDialog] = useState<'close' | 'transfer' | undefined>();
  const list = useRef<HTMLOListElement>(null);
  useEffect(() => {
    list.current?.lastElementChild?.scrollIntoView({ block: 'end' });
  }, [messages.value.length, interaction?.id]);

  if (!interaction) {
    return (
      <main class="conversation empty" aria-label="Conversation">
        <p>Select a conversation, or accept an offer. Alt+J and Alt+K move between conversations.</p>
      </main>
    );
  }
  const account = accounts.value.get(interaction.accountId);
  const mine = interaction.agentId === me.value?.id;
  const left = windowLeftMs(interaction, now);
  const windowClosed = left !== undefined && left <= 0;
  const video = async () => {
    try {
      const started = await client().post<{ url?: string; joinUrl?: string }>(
        `/agent/interactions/${interaction.id}/video`,
      );
      const url = started.joinUrl ?? started.url;
      if (url) window.open(url, '_blank', 'noopener');
      await loadConversation(interaction.id);
    } catch (e) {
      showError(e);
    }
  };

  return (
    <main class="conversation" aria-label={`Conversation with ${interaction.contactPhone}`}>
      <header class="conversation-head">
        <span class="key">{account?.key ?? '?'}</span>
        <h2>{interaction.contactPhone}</h2>
        <span class="channel">{interaction.channel === 'whatsapp' ? 'WhatsApp' : 'SMS'}</span>
        {left !== undefined && (
          <span class={`window ${windowClosed ? 'closed' : ''}`} role="status" aria-label="WhatsApp window">
            {windowClosed ? 'Window closed' : `Window: ${duration(left)} left`}
          </span>
        )}
        {interaction.status === 'closed' && (
          <span class="closed-label">Closed{interaction.disposition ? `: ${interaction.disposition}` : ''}</span>
        )}
        <div class="head-actions">
          {mine && interaction.status === 'open' && account?.settings.video.enabled && (
            <button type="button" onClick={video}>
              Video call
            </button>
          )}
          {interaction.status === 'open' && (
            <button type="button" onClick={() => setDialog('transfer')}>
              Transfer
            </button>
          )}
          {interaction.status === 'open' && (
            <button type="button" onClick={() => setDialog('close')}>
              Close
            </button>
          )}
        </div>
      </header>
      <Tags interaction={interaction} />
      <Timeline messages={messages.value} notes={notes.value} listRef={list} />
      {interaction.status === 'open' &&
        mine &&
        (windowClosed ? (
          <TemplateComposer interaction={interaction} template={account?.settings.recontactTemplate} />
        ) : (
          <Composer interaction={interaction} />
        ))}
      {interaction.status === 'open' && !mine && (
        <p class="hint">
          {interaction.agentId ? 'Another agent handles this interaction.' : 'Accept the interaction to reply.'}{' '}
          {!interaction.agentId && (
            <button type="button" class="primary" onClick={() => act(interaction.id, 'accept').catch(showError)}>
              Accept
            </button>
          )}
        </p>
      )}
      {dialog === 'close' && (
        <CloseDialog interaction={interaction} account={account} onClose={() => setDialog(undefined)} />
      )}
      {dialog === 'transfer' && <TransferDialog interaction={interaction} onClose={() => setDialog(undefined)} />}
    </main>
  );
}
