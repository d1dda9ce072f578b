/** Pure formatting for the console: durations, clock times, and the readable form of a message's parts. */
import type { Message, MessagePart } from './types';

export function since(iso: string | undefined, now: number): string {
  if (!iso) return '';
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86_400)}d`;
}

export function duration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return h > 0 ? `${h}h ${String(m).padStart(2, '0')}m` : `${m}:${String(s).padStart(2, '0')}`;
}

export function clock(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  return d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

export const messageTime = (m: Message) => m.receivedAt ?? m.sentAt ?? m.createdAt ?? m.statusAt;

const str = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

/** A one-line rendering of a part, for parts the conversation view has no richer drawing for. */
export function partLabel(part: MessagePart): string {
  switch (part.type) {
    case 'text':
      return str(part.text);
    case 'location':
      return `📍 ${[str(part.name), str(part.address)].filter(Boolean).join(', ')} (${str(part.latitude)}, ${str(part.longitude)})`;
    case 'contacts': {
      const list = Array.isArray(part.contacts) ? (part.contacts as Record<string, unknown>[]) : [];
      return `👤 ${
        list
          .map((c) => str(c.name) || str((c.name as Record<string, unknown> | undefined)?.formatted))
          .filter(Boolean)
          .join(', ') || 'contact card'
      }`;
    }
    case 'interactive_reply':
      return `↩ ${str(part.title) || str(part.body) || str(part.name)}`;
    case 'reaction':
      return part.removed || !part.emoji ? 'reaction removed' : `reacted ${str(part.emoji)}`;
    case 'order':
      return `🛒 order${part.text ? `: ${str(part.text)}` : ''}`;
    case 'template':
      return `template ${str(part.name)}`;
    case 'system':
      return str(part.text) || 'system message';
    case 'unsupported':
      return `unsupported message (${str(part.providerType) || str(part.kind) || 'unknown type'})`;
    default:
      return str(part.text) || str(part.caption) || part.type;
  }
}

/** The message's parts; a message stored before parts existed reads as its text plus its media. */
export function partsOf(message: Message): MessagePart[] {
  if (message.parts?.length) return message.parts;
  const parts: MessagePart[] = [];
  (message.media ?? []).forEach((m, index) => parts.push({ type: 'media', index, ...m }));
  if (message.text) parts.push({ type: 'text', text: message.text });
  return parts;
}

export function statusLabel(message: Message): string {
  if (message.direction === 'in') return '';
  if (message.status === 'failed')
    return `failed${message.errorCode ? `: ${message.errorCode}` : ''}${message.errorMessage ? ` (${message.errorMessage})` : ''}`;
  return message.status;
}
