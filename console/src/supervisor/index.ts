/** The supervisor's pages (board, interactions), in the order the navigation shows them. */
import type { Page } from '../pages';

export const supervisorPages: Page[] = [];
