/**
 * Teams (groups of agents a supervisor looks after): a name, a description and member agents, kept like every named
 * group (groups.ts). Lists of interactions and the board filter by team through its members.
 */
import { groupRepository, type GroupBase } from './groups';

export type Team = GroupBase;

export const teams = groupRepository<Team>('TEAM');

export const createTeam = teams.create;
export const getTeam = teams.get;
export const requireTeam = teams.require;
export const listTeams = teams.list;
export const updateTeam = teams.update;
export const deleteTeam = teams.remove;
