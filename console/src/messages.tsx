/**
 * How a conversation's messages and internal notes are drawn: each content part (text, media behind the bearer
 * token, location, contacts, reactions...) with the delivery status, notes in line by time. The agent's
 * conversation and the supervisor's spy view both show a timeline through these, so both read the same.
 */
import type { Ref } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { clock, messageTime, partLabel, partsOf, statusLabel } from './format';
import { client, showError, type Message, type MessagePart, type Note } from './state';

function MediaPart({ message, part }: { message: Message; part: MessagePart }) {
  const [url, setUrl] = useState<string | undefined>();
  const index = typeof part.index === 'number' ? part.index : 0;
  const type = typeof part.contentType === 'string' ? part.contentType : '';
  const path = `/agent/interactions/${message.interactionId}/messages/${message.id}/media/${index}`;
  const open = () =>
    client()
      .blobUrl(path)
      .then(setUrl)
      .catch(() => showError('The media could not be loaded.'));
  useEffect(() => () => url && URL.revokeObjectURL(url), [url]);
  const caption = typeof part.caption === 'string' ? part.caption : '';
  if (url && type.startsWith('image/')) return <img src={url} alt={caption || 'image'} class="media" />;
  if (url && type.startsWith('audio/')) return <audio src={url} controls />;
  if (url && type.startsWith('video/')) return <video src={url} controls class="media" />;
  if (url)
    return (
      <a href={url} download={typeof part.filename === 'string' ? part.filename : 'attachment'}>
        Download {typeof part.filename === 'string' ? part.filename : 'attachment'}
      </a>
    );
  return (
    <button type="button" class="link" onClick={open}>
      Show {type || 'media'}
      {caption ? `: ${caption}` : ''}
    </button>
  );
}

function Part({ message, part }: { message: Message; part: MessagePart }) {
  if (part.type === 'media') return <MediaPart message={message} part={part} />;
  if (part.type === 'text') return <p class="text">{String(part.text ?? '')}</p>;
  if (part.type === 'location') {
    const lat = Number(part.latitude);
    const lon = Number(part.longitude);
    return (
      <p class="location">
        {partLabel(part)}{' '}
        {Number.isFinite(lat) && Number.isFinite(lon) && (
          <a href={`https://www.openstreetmap.org/?mlat=${lat}&mlon=${lon}`} target="_blank" rel="noopener noreferrer">
            map
          </a>
        )}
      </p>
    );
  }
  return <p class={`part part-${part.type}`}>{partLabel(part)}</p>;
}

export function Bubble({ message }: { message: Message }) {
  const status = statusLabel(message);
  return (
    <li
      class={`message ${message.direction}`}
      aria-label={message.direction === 'in' ? 'Customer message' : 'Agent message'}
    >
      {partsOf(message).map((part, i) => (
        <Part key={i} message={message} part={part} />
      ))}
      <span class="meta">
        {clock(messageTime(message))}
        {status && (
          <span class={`status status-${message.status}`} aria-label={`Status: ${status}`}>
            {' '}
            · {status}
          </span>
        )}
      </span>
    </li>
  );
}

export function NoteItem({ note }: { note: Note }) {
  return (
    <li class="note" aria-label="Internal note">
      <span class="note-label">
        Internal note{note.authorRole && note.authorRole !== 'agent' ? ` from a ${note.authorRole}` : ''}
      </span>
      <p>{note.text}</p>
      <span class="meta">{clock(note.createdAt)}</span>
    </li>
  );
}

/** Messages and notes in one list, in the order of their ids (ULIDs: creation time). */
export function Timeline({
  messages,
  notes,
  listRef,
}: {
  messages: Message[];
  notes: Note[];
  listRef?: Ref<HTMLOListElement>;
}) {
  const items = [
    ...messages.map((m) => ({ at: m.id, kind: 'message' as const, message: m })),
    ...notes.map((n) => ({ at: n.id, kind: 'note' as const, note: n })),
  ].sort((a, b) => (a.at < b.at ? -1 : 1));
  return (
    <ol class="timeline" ref={listRef} aria-label="Messages">
      {items.map((item) =>
        item.kind === 'message' ? (
          <Bubble key={item.message.id} message={item.message} />
        ) : (
          <NoteItem key={item.note.id} note={item.note} />
        ),
      )}
    </ol>
  );
}
