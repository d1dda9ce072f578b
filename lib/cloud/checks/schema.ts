/**
 * The project's own template check, for when cfn-lint cannot be installed (CI prefers cfn-lint: `.ci/run`).
 *
 * It reads each synthesized template back through aws-cdk-lib's CloudFormation parser (`CfnInclude`), whose
 * per-type L1 classes are generated from CloudFormation's resource schemas (the CDK service spec), and reports:
 * - resource types that no schema describes (cfn-lint E3006);
 * - properties a type's schema does not have, at any depth of its property types (cfn-lint E3002 / E3501:
 *   "Additional properties are not allowed");
 * - required properties that are missing (cfn-lint E3003);
 * - references to resources or parameters that do not exist (cfn-lint E1012 / E1010);
 * - a few of cfn-lint's own extension rules that the plain schemas do not express (see EXTENSION_RULES), such as
 *   FIFO-only attributes on a standard SQS queue, which SQS refuses at deploy time.
 * It does not check value patterns, enums or numeric ranges, nor cfn-lint's hundreds of other rules: it is a net
 * for the errors that have bitten this project, not a replacement for cfn-lint.
 */
import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { CfnInclude } from 'aws-cdk-lib/cloudformation-include';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TemplateFinding {
  /** The logical id of the resource, or `template` for the whole document. */
  resource: string;
  /** The cfn-lint rule the finding corresponds to. */
  rule: string;
  message: string;
}

interface TemplateResource {
  Type: string;
  Properties?: Record<string, unknown>;
  DependsOn?: string | string[];
}
export interface CfnTemplate {
  Resources?: Record<string, TemplateResource>;
  [section: string]: unknown;
}

/** Types with no registry schema that CloudFormation still accepts. */
const SCHEMALESS = [/^Custom::/, /^AWS::CloudFormation::CustomResource$/, /^AWS::CDK::Metadata$/];

/** Rules cfn-lint adds on top of the registry schemas (its `schemas/extensions`), for the types this project uses. */
const EXTENSION_RULES: Record<string, (properties: Record<string, unknown>) => TemplateFinding['message'][]> = {
  'AWS::SQS::Queue': (p) => {
    const fifo = p.FifoQueue === true || p.FifoQueue === 'true';
    const problems = fifo
      ? []
      : ['ContentBasedDeduplication', 'DeduplicationScope', 'FifoThroughputLimit']
          .filter((name) => name in p)
          .map((name) => `Additional properties are not allowed ('${name}' was unexpected): it is valid only when FifoQueue is true`);
    const name = p.QueueName;
    if (typeof name === 'string' && fifo !== name.endsWith('.fifo')) {
      problems.push(`QueueName '${name}' must end in .fifo exactly when FifoQueue is true`);
    }
    return problems;
  },
};

/** `S/T/<logicalId> [AWS::X::Y] ...`: the resource a CfnInclude error is about. */
function resourceOfError(message: string, ids: string[]): string | undefined {
  const match = /^S\/T\/([A-Za-z0-9]+) /.exec(message);
  return match?.[1] && ids.includes(match[1]) ? match[1] : undefined;
}

/** The logical ids a value refers to through Ref, Fn::GetAtt and Fn::Sub, wherever they are nested. */
function referencesIn(value: unknown, into: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) for (const v of value) referencesIn(v, into);
  else if (value !== null && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (key === 'Ref' && typeof v === 'string') into.add(v);
      else if (key === 'Fn::GetAtt') {
        const target = Array.isArray(v) ? v[0] : typeof v === 'string' ? v.split('.')[0] : undefined;
        if (typeof target === 'string') into.add(target);
      } else if (key === 'Fn::Sub') {
        const [text, variables] = Array.isArray(v) ? (v as [unknown, Record<string, unknown>?]) : [v, undefined];
        if (typeof text === 'string') {
          for (const m of text.matchAll(/\$\{([^!}][^}]*)\}/g)) {
            const name = m[1]!.split('.')[0]!;
            if (!variables || !(name in variables)) into.add(name);
          }
        }
        referencesIn(variables, into);
      } else referencesIn(v, into);
    }
  }
  return into;
}

/**
 * Every finding in one template. A resource the parser refuses outright (a missing required property, a reference
 * to nothing) is reported and dropped, and the rest is parsed again, so one run reports every resource's problems.
 */
export function checkTemplate(template: CfnTemplate): TemplateFinding[] {
  const findings: TemplateFinding[] = [];
  const resources = { ...(template.Resources ?? {}) };
  if (Object.keys(resources).length === 0) {
    return [{ resource: 'template', rule: 'E1001', message: 'the template has no Resources' }];
  }
  const known = new Set([...Object.keys(resources), ...Object.keys((template.Parameters as object | undefined) ?? {})]);
  for (const [id, r] of Object.entries(resources)) {
    if (typeof r.Type !== 'string') {
      findings.push({ resource: id, rule: 'E3001', message: 'the resource has no Type' });
      delete resources[id];
      continue;
    }
    for (const message of EXTENSION_RULES[r.Type]?.(r.Properties ?? {}) ?? []) findings.push({ resource: id, rule: 'E3501', message });
    const dependsOn = [r.DependsOn ?? []].flat();
    const missing = [...referencesIn(r.Properties), ...dependsOn].filter((ref) => !known.has(ref) && !ref.startsWith('AWS::'));
    if (missing.length > 0) {
      findings.push({ resource: id, rule: 'E1012', message: `refers to ${missing.map((m) => `'${m}'`).join(', ')}, which the template does not define` });
      delete resources[id];
    }
  }

  const dir = mkdtempSync(join(tmpdir(), 'switchboard-template-check-'));
  // The generated parsers hand every property their schema does not know to addPropertyOverride; recording those
  // calls is how unknown properties are found (the parser keeps them as raw overrides, silently).
  const unknown: { resource: CfnResource; path: string }[] = [];
  const addPropertyOverride = CfnResource.prototype.addPropertyOverride;
  CfnResource.prototype.addPropertyOverride = function (this: CfnResource, path: string, value: unknown) {
    unknown.push({ resource: this, path });
    addPropertyOverride.call(this, path, value);
  };
  try {
    for (;;) {
      unknown.length = 0;
      const file = join(dir, 'template.json');
      writeFileSync(file, JSON.stringify({ ...template, Resources: resources }));
      const stack = new Stack(new App(), 'S');
      let included: CfnInclude;
      try {
        included = new CfnInclude(stack, 'T', { templateFile: file, preserveLogicalIds: true });
      } catch (error) {
        const message = (error as Error).message.split('\n')[0] ?? String(error);
        const id = resourceOfError(message, Object.keys(resources));
        findings.push({
          resource: id ?? 'template',
          rule: /required/i.test(message) ? 'E3003' : 'E0000',
          message: message.replace(/^S\/T\/[A-Za-z0-9]+ /, ''),
        });
        if (!id) break;
        delete resources[id];
        continue;
      }
      for (const [id, r] of Object.entries(resources)) {
        if (SCHEMALESS.some((p) => p.test(r.Type))) continue;
        const resource = included.getResource(id);
        if (resource.constructor === CfnResource) {
          findings.push({ resource: id, rule: 'E3006', message: `Resource type '${r.Type}' does not exist in CloudFormation's resource schemas` });
          continue;
        }
        for (const u of unknown.filter((x) => x.resource === resource)) {
          const leaf = u.path.split('.').at(-1);
          findings.push({
            resource: id,
            rule: 'E3002',
            message: `Additional properties are not allowed ('${leaf}' was unexpected) at Properties.${u.path} of ${r.Type}`,
          });
        }
      }
      break;
    }
  } finally {
    CfnResource.prototype.addPropertyOverride = addPropertyOverride;
    rmSync(dir, { recursive: true, force: true });
  }
  return findings;
}
