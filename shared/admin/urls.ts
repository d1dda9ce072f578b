/** The public base URL of this deployment (receive URLs, invitation links). */
import { config } from '../config';

export function receiveBase(domain?: string): string {
  return (domain ?? config.PUBLIC_BASE_URL ?? 'http://127.0.0.1:3000').replace(/\/$/, '');
}
