/** The admin's pages (accounts, agents, teams, queues, lists, catalog, templates, campaigns), in navigation order. */
import type { Page } from '../pages';

export const adminPages: Page[] = [];
