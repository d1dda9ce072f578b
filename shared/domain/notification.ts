/**
 * Notification text: the account's mustache template rendered with the interaction's facts. Sections such as
 * `{{#queue}}...{{/queue}}` show only when the value exists. Rendered as plain text: no HTML escaping.
 */
import Mustache from 'mustache';

export interface NotificationFacts {
  account: { id: string; name: string; key: string; channel: string };
  contact: { mobile: string; firstName?: string; lastName?: string; email?: string };
  queue?: { id: string; name: string };
  agent?: { id: string; fullName: string; alias?: string };
  message?: { text: string };
}

export function renderNotification(template: string, facts: NotificationFacts): string {
  try {
    return Mustache.render(template, facts, {}, { escape: (value: unknown) => String(value) }).trim();
  } catch {
    // A template that stopped parsing must not silence the notification.
    return `${facts.account.name}: ${facts.contact.mobile}`;
  }
}
