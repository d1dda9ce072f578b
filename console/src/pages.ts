/**
 * The console's pages beyond the agent's workspace, as data: each names its hash path, its title in the navigation
 * and the roles that see it. The supervisor pages live in `supervisor/`, the admin pages in `admin/`; the shell
 * routes `#/<path>` to the page and shows the workspace for `#/` (or a path the caller's role does not see).
 */
import type { ComponentType } from 'preact';
import type { Me } from './state';

export interface Page {
  /** The hash path without `#/`, e.g. `board` or `admin/accounts`. Sub-paths (`admin/accounts/01H…`) reach it too. */
  path: string;
  title: string;
  roles: Me['role'][];
  component: ComponentType<{ subpath: string[] }>;
}
