/**
 * Item keys of the single table, in one place so every repository spells them the same way.
 * gsi1 lists children by parent and inverse relations; gsi2 holds second look-ups (connections by agent, timers).
 */
export const keys = {
  account: (id: string) => ({ pk: `ACCOUNT#${id}`, sk: 'ACCOUNT' }),
  agent: (id: string) => ({ pk: `AGENT#${id}`, sk: 'AGENT' }),
  queue: (id: string) => ({ pk: `QUEUE#${id}`, sk: 'QUEUE' }),
  team: (id: string) => ({ pk: `TEAM#${id}`, sk: 'TEAM' }),
  list: (id: string) => ({ pk: `LIST#${id}`, sk: 'LIST' }),
  unique: (kind: string, value: string) => ({ pk: `UNIQUE#${kind}#${value}`, sk: 'UNIQUE' }),
  connection: (id: string) => ({ pk: `CONN#${id}`, sk: 'CONN' }),
  interaction: (id: string) => ({ pk: `INTERACTION#${id}`, sk: 'INTERACTION' }),
  /** Written once the first start's bootstrap (the first admin) is done; GET /health is ready only after it. */
  bootstrap: () => ({ pk: 'SYSTEM', sk: 'BOOTSTRAP' }),
};
