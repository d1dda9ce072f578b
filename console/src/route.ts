/** The hash route as a signal: `#/admin/accounts/01H…` is `['admin', 'accounts', '01H…']`. */
import { signal } from '@preact/signals';

const parse = (hash: string): string[] => hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);

export const route = signal<string[]>(typeof location === 'undefined' ? [] : parse(location.hash));

if (typeof window !== 'undefined') window.addEventListener('hashchange', () => (route.value = parse(location.hash)));

export function navigate(...segments: string[]): void {
  location.hash = `#/${segments.map(encodeURIComponent).join('/')}`;
}
