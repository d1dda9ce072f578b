/** The supervisor's pages (board, interactions), in the order the navigation shows them. */
import type { Page } from '../pages';
import { BoardPage } from './board';
import { InteractionsPage } from './interactions';

export const supervisorPages: Page[] = [
  { path: 'board', title: 'Board', roles: ['supervisor', 'admin'], component: BoardPage },
  { path: 'interactions', title: 'Interactions', roles: ['supervisor', 'admin'], component: InteractionsPage },
];
