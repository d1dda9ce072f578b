/** The admin's pages (accounts, agents, teams, queues, lists, catalog, then WhatsApp), in navigation order. */
import type { Page } from '../pages';
import { whatsappPages } from './whatsapp';

export const adminPages: Page[] = [...whatsappPages];
