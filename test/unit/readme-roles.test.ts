/**
 * The README stays true to the code it describes: its roles table matches the role table (shared/http/roles.ts
 * ROUTE_ACCESS and ACCESS_RULES), and its Configuration section names every setting shared/config.ts reads.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ACCESS_RULES, ROUTE_ACCESS } from '../../shared/http/roles';

const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');

function rolesTable(): { rule: string; keys: string[]; cells: string[] }[] {
  const section = readme.slice(readme.indexOf('### Who may do what'));
  const lines = section.split('\n').filter((l) => /^\| `[a-z.-]+` \|/.test(l));
  return lines.map((line) => {
    const cells = line.split(' | ').map((c) => c.replace(/^\| ?| ?\|$/g, '').trim());
    const rule = cells[0]!.replace(/`/g, '');
    const keys = [...cells[1]!.matchAll(/`((?:GET|POST|PUT|PATCH|DELETE) \/[^`]*)`/g)].map((m) => m[1]!).filter((k) => !k.endsWith('...'));
    return { rule, keys, cells: cells.slice(2) };
  });
}

describe('the README', () => {
  const rows = rolesTable();

  it('has one row per access rule', () => {
    expect(rows.map((r) => r.rule).sort()).toEqual(Object.keys(ACCESS_RULES).sort());
  });

  it('names each route with the rule the role table gives it', () => {
    for (const row of rows) for (const key of row.keys) expect([key, ROUTE_ACCESS[key]]).toEqual([key, row.rule]);
  });

  it('covers every route of the role table: named in its row, or a GET under /admin (staff), or another /admin route (admin)', () => {
    const named = new Set(rows.flatMap((r) => r.keys));
    for (const [key, rule] of Object.entries(ROUTE_ACCESS)) {
      if (named.has(key)) continue;
      const covered = key.startsWith('GET /admin/') ? 'staff' : / \/admin\//.test(key) ? 'admin' : 'not covered';
      expect([key, covered]).toEqual([key, rule]);
    }
  });

  it("says no where a rule refuses a role and not where it grants one", () => {
    for (const row of rows) {
      const rule = ACCESS_RULES[row.rule as keyof typeof ACCESS_RULES];
      if (rule.anonymous) continue;
      (['admin', 'supervisor', 'agent'] as const).forEach((role, i) => {
        const cell = row.cells[i] ?? '';
        expect([row.rule, role, /^no\b/.test(cell)]).toEqual([row.rule, role, rule.grants[role] === 'none']);
      });
    }
  });

  it('documents every configuration setting of shared/config.ts', () => {
    const source = readFileSync(join(__dirname, '../../shared/config.ts'), 'utf8');
    const body = source.slice(source.indexOf('const schema = z.object({'), source.indexOf('});', source.indexOf('const schema = z.object({')));
    const keys = [...body.matchAll(/^ {2}([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1]!);
    expect(keys.length).toBeGreaterThan(30);
    const configuration = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('\n## ', readme.indexOf('## Configuration') + 5));
    for (const key of [...keys, 'PROVIDER_BASE_URL_<TYPE>', 'MEDIA_HOSTS_<TYPE>']) expect([key, configuration.includes(`\`${key}\``)]).toEqual([key, true]);
  });
});
