/**
 * Spying one interaction: read-only, live. The page reads GET /admin/interactions/{id} (the interaction with its
 * messages and notes), asks the socket to `spy` it (sent again after a reconnect; `unspy` on leaving), takes the
 * `spy.started` snapshot and reads again on each of the interaction's events, so a missed or reordered event cannot
 * leave it wrong. The timeline is the agent's own (messages.tsx). Internal notes added here reach the account's
 * agents (`note.added`); the customer never sees them.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../client';
import { Timeline } from '../messages';
import { client, listenLive, sendLive, showError, type Interaction, type Message, type Note } from '../state';
import { loadDirectory, nameOf } from './directory';
import { FieldError } from '../field-errors';
import { transcript } from './download';

type Detail = Interaction & { closedAt?: string; messages: Message[]; notes: Note[] };

function NoteForm({ id, onAdded }: { id: string; onAdded: (note: Note) => void }) {
  const [text, setText] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    try {
      const note = await client().post<Note>(`/admin/interactions/${id}/notes`, { text });
      setText('');
      setError(undefined);
      onAdded(note);
    } catch (e) {
      if (e instanceof ApiError && e.status === 400) setError(e);
      else showError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="note-form" onSubmit={submit} aria-label="Add an internal note">
      <label>
        Internal note (seen by the account's agents, never by the customer)
        <textarea
          rows={2}
          maxLength={4000}
          value={text}
          onInput={(e) => setText(e.currentTarget.value)}
          aria-invalid={error ? 'true' : undefined}
        />
        <FieldError error={error} path="body.text" />
      </label>
      <button type="submit" class="primary" disabled={busy}>
        Add note
      </button>
    </form>
  );
}

export function SpyView({ id, onBack }: { id: string; onBack: () => void }) {
  const [detail, setDetail] = useState<Detail | undefined>();
  const [live, setLive] = useState(false);
  const [missing, setMissing] = useState(false);
  const reading = useRef({ busy: false, again: false });
  const list = useRef<HTMLOListElement>(null);

  const read = () => {
    if (reading.current.busy) {
      reading.current.again = true;
      return;
    }
    reading.current.busy = true;
    client()
      .get<Detail>(`/admin/interactions/${id}`)
      .then((d) => {
        setDetail((current) => (current && current.version > d.version ? current : d));
        setMissing(false);
      })
      .catch((e: unknown) => (e instanceof ApiError && e.status === 404 ? setMissing(true) : showError(e)))
      .finally(() => {
        reading.current.busy = false;
        if (reading.current.again) {
          reading.current.again = false;
          read();
        }
      });
  };

  useEffect(() => {
    void loadDirectory();
    setDetail(undefined);
    setLive(false);
    read();
    const stop = listenLive({
      open: () => sendLive({ action: 'spy', interactionId: id }),
      event: (event) => {
        if (event.interactionId !== id) return;
        if (event.type === 'spy.started') {
          setLive(true);
          const snapshot = event as unknown as { interaction: Interaction; messages: Message[]; notes: Note[] };
          setDetail((current) =>
            current && current.version > snapshot.interaction.version
              ? current
              : { ...snapshot.interaction, messages: snapshot.messages, notes: snapshot.notes },
          );
        } else if (event.type === 'spy.stopped') setLive(false);
        else if (event.type === 'error') {
          setLive(false);
          showError(String(event.message ?? 'spying was refused'));
        } else read();
      },
    });
    return () => {
      stop();
      sendLive({ action: 'unspy', interactionId: id });
    };
  }, [id]);

  useEffect(() => {
    list.current?.lastElementChild?.scrollIntoView({ block: 'end' });
  }, [detail?.messages.length, detail?.notes.length]);

  if (missing)
    return (
      <section class="sv spy" aria-label="Spy">
        <p>This interaction does not exist (it may have been deleted).</p>
        <button type="button" onClick={onBack}>
          Back to interactions
        </button>
      </section>
    );
  if (!detail) return <p class="loading">Loading the interaction…</p>;
  const agent = nameOf('agents', detail.agentId);
  return (
    <section class="sv spy" aria-label={`Spying ${detail.contactPhone}`}>
      <header class="page-head spy-head">
        <button type="button" class="link" onClick={onBack}>
          ← Interactions
        </button>
        <h2>{detail.contactPhone}</h2>
        <span class="channel">{detail.channel === 'whatsapp' ? 'WhatsApp' : 'SMS'}</span>
        <span>{nameOf('accounts', detail.accountId)}</span>
        <span>{agent ? `Agent: ${agent}` : 'No agent yet'}</span>
        <span class={`spy-status${live ? ' live' : ''}`} role="status" aria-label="Spy status">
          {live ? 'Live · read-only' : 'Connecting…'}
        </span>
        <span class="closed-label">
          {detail.status === 'closed' ? `Closed${detail.disposition ? `: ${detail.disposition}` : ''}` : 'Open'}
        </span>
        <div class="head-actions">
          <button type="button" onClick={() => transcript([detail.id], false)}>
            Download transcript
          </button>
          <button type="button" onClick={() => transcript([detail.id], true)}>
            Transcript with attachments
          </button>
        </div>
      </header>
      <div class="conversation spy-conversation">
        <Timeline messages={detail.messages} notes={detail.notes} listRef={list} />
      </div>
      <NoteForm
        id={detail.id}
        onAdded={(note) =>
          setDetail((d) => (d && !d.notes.some((n) => n.id === note.id) ? { ...d, notes: [...d.notes, note] } : d))
        }
      />
    </section>
  );
}
