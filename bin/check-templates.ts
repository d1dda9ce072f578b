/**
 * `npx tsx bin/check-templates.ts [cdk.out] [--limits-only]`: checks every synthesized template in the cloud
 * assembly before anyone deploys it. CI (`.ci/run`) runs it after `cdk synth`:
 * - the schema check (lib/cloud/checks/schema.ts), when cfn-lint could not be installed: unknown resource types,
 *   unknown or missing properties, dangling references, FIFO-only queue attributes;
 * - always, the limits (lib/cloud/checks/limits.ts): resources and outputs per stack, template size, Lambda
 *   environment and resource-policy sizes, IAM policy sizes per role, routes and integrations per API.
 * Prints the tightest figure of each limit with its headroom (`--all` prints every figure); exits 1 on any error or
 * any figure over its budget, 2 on a usage mistake.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatFigures, measureLimits, overBudget, tightest } from '../lib/cloud/checks/limits';
import { checkTemplate, type CfnTemplate } from '../lib/cloud/checks/schema';

function main(): number {
  const { values, positionals } = parseArgs({
    options: { 'limits-only': { type: 'boolean' }, all: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
  });
  if (values.help) {
    console.log('usage: npx tsx bin/check-templates.ts [cdk.out directory] [--limits-only] [--all]');
    return 0;
  }
  const dir = resolve(positionals[0] ?? 'cdk.out');
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.template.json')).sort() : [];
  if (files.length === 0) {
    console.error(`check-templates: no *.template.json in ${dir}: run \`npx cdk synth\` first`);
    return 2;
  }
  const templates: Record<string, CfnTemplate> = {};
  for (const file of files) templates[file.replace(/\.template\.json$/, '')] = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CfnTemplate;

  let errors = 0;
  if (!values['limits-only']) {
    for (const [stack, template] of Object.entries(templates)) {
      const findings = checkTemplate(template);
      errors += findings.length;
      console.log(`${findings.length === 0 ? 'ok  ' : 'FAIL'} schema check  ${stack}: ${Object.keys(template.Resources ?? {}).length} resources, ${findings.length} error(s)`);
      for (const f of findings) console.log(`     ${f.rule} ${stack}/${f.resource}: ${f.message}`);
    }
  }
  const figures = measureLimits(templates);
  const over = overBudget(figures);
  console.log(values.all ? 'limits (every figure):' : 'limits (the tightest figure of each):');
  for (const line of formatFigures(values.all ? figures : [...new Set([...tightest(figures), ...over])])) console.log(`  ${line}`);
  errors += over.length;
  console.log(errors === 0 ? `check-templates: ${files.length} template(s), no errors` : `check-templates: ${errors} error(s)`);
  return errors === 0 ? 0 : 1;
}

process.exitCode = main();
