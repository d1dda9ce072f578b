/** The admin's pages (accounts, agents, teams, queues, lists, catalog, then WhatsApp), in navigation order. */
import type { Page } from '../pages';
import { accountsPage } from './accounts';
import { agentsPage } from './agents';
import { cannedAnswersPage, dispositionsPage } from './catalog';
import { listsPage } from './lists';
import { queuesPage, teamsPage } from './staff';
import { whatsappPages } from './whatsapp';

export const adminPages: Page[] = [
  accountsPage,
  agentsPage,
  teamsPage,
  queuesPage,
  listsPage,
  dispositionsPage,
  cannedAnswersPage,
  ...whatsappPages,
];
