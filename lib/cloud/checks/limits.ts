/**
 * The service limits a `cdk deploy` would run into, measured on synthesized templates, so a stack that grows past
 * one fails a test here instead of a deploy in someone's account. Sizes that depend on deploy-time values (ARNs,
 * URLs, the region) are estimated from above: every reference counts as WORST_CASE_REFERENCE characters, the
 * pseudo parameters as their longest values. A figure under its budget here is under it in every region.
 */
import type { CfnTemplate } from './schema';

export interface LimitFigure {
  /** What is limited, e.g. `resources per stack`. */
  limit: string;
  /** Which stack, function, role or API it was measured on. */
  subject: string;
  value: number;
  /** The budget this project enforces (at most the service limit). */
  budget: number;
  /** The service's own limit, when the budget is tighter. */
  serviceLimit: number;
  unit: string;
}

/** Longer than any ARN, URL or name this project's references resolve to (the longest, an SQS URL, is ~95). */
export const WORST_CASE_REFERENCE = 128;
const PSEUDO: Record<string, number> = {
  'AWS::Region': 14, // ap-southeast-5, ap-northeast-3
  'AWS::Partition': 10, // aws-us-gov
  'AWS::AccountId': 12,
  'AWS::URLSuffix': 20, // amazonaws.com.cn and the isolated partitions' suffixes
  'AWS::StackName': 128,
};

/** The budgets. CloudFormation allows 500 resources a stack; 400 keeps room for the next issue's functions. */
export const BUDGETS = {
  resourcesPerStack: { budget: 400, serviceLimit: 500, unit: 'resources' },
  outputsPerStack: { budget: 200, serviceLimit: 200, unit: 'outputs' },
  /** cdk deploy uploads templates to S3; CloudFormation reads at most 1 MB from there. */
  templateBytes: { budget: 1_000_000, serviceLimit: 1_000_000, unit: 'bytes' },
  /** Keys and values of all variables together. */
  lambdaEnvironment: { budget: 4096, serviceLimit: 4096, unit: 'bytes' },
  /** The function's resource-based policy, which every invoke permission adds a statement to. */
  lambdaResourcePolicy: { budget: 20_480, serviceLimit: 20_480, unit: 'bytes' },
  /** All inline policies of a role together, whitespace not counted. */
  roleInlinePolicies: { budget: 10_240, serviceLimit: 10_240, unit: 'characters' },
  roleTrustPolicy: { budget: 2048, serviceLimit: 2048, unit: 'characters' },
  managedPolicy: { budget: 6144, serviceLimit: 6144, unit: 'characters' },
  /** API Gateway's default quotas for HTTP and WebSocket APIs (both 300). */
  routesPerApi: { budget: 300, serviceLimit: 300, unit: 'routes' },
  integrationsPerApi: { budget: 300, serviceLimit: 300, unit: 'integrations' },
} as const;

type Resource = { Type: string; Properties?: Record<string, unknown> };

/** A value as the string it becomes at deploy time, references replaced by worst-case placeholders. */
export function worstCaseString(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null || typeof value !== 'object') return '';
  const v = value as Record<string, unknown>;
  if (typeof v.Ref === 'string') return 'x'.repeat(PSEUDO[v.Ref] ?? WORST_CASE_REFERENCE);
  if (Array.isArray(v['Fn::Join'])) {
    const [sep, parts] = v['Fn::Join'] as [string, unknown];
    return Array.isArray(parts) ? parts.map(worstCaseString).join(sep) : 'x'.repeat(WORST_CASE_REFERENCE);
  }
  if ('Fn::Sub' in v) {
    const sub = v['Fn::Sub'];
    const text = Array.isArray(sub) ? sub[0] : sub;
    if (typeof text === 'string') {
      return text.replace(/\$\{([^!}][^}]*)\}/g, (_, name: string) => 'x'.repeat(PSEUDO[name] ?? WORST_CASE_REFERENCE));
    }
  }
  return 'x'.repeat(WORST_CASE_REFERENCE);
}

/** A JSON document (a policy) as deployed, references resolved to worst-case strings. */
function worstCaseDocument(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(worstCaseDocument);
  if (value === null || typeof value !== 'object') return value;
  const v = value as Record<string, unknown>;
  const keys = Object.keys(v);
  if (keys.length === 1 && (keys[0] === 'Ref' || keys[0]!.startsWith('Fn::'))) return worstCaseString(v);
  return Object.fromEntries(keys.map((k) => [k, worstCaseDocument(v[k])]));
}

/** Characters of a policy document without whitespace, as IAM counts them. */
function policyChars(document: unknown): number {
  return JSON.stringify(worstCaseDocument(document)).replace(/\s/g, '').length;
}

function targetId(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.Ref === 'string') return v.Ref;
  const getAtt = v['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  return undefined;
}

const nameOf = (resources: Record<string, Resource>, id: string, property: string): string => {
  const name = resources[id]?.Properties?.[property];
  return typeof name === 'string' ? name : id;
};

/** Every limit figure of every template (by stack name). */
export function measureLimits(templates: Record<string, CfnTemplate>): LimitFigure[] {
  const figures: LimitFigure[] = [];
  const add = (limit: keyof typeof BUDGETS, label: string, subject: string, value: number) =>
    figures.push({ limit: label, subject, value, ...BUDGETS[limit] });

  for (const [stack, template] of Object.entries(templates)) {
    const resources = (template.Resources ?? {}) as Record<string, Resource>;
    const entries = Object.entries(resources);
    const ofType = (type: string) => entries.filter(([, r]) => r.Type === type);
    add('resourcesPerStack', 'resources per stack', stack, entries.length);
    add('outputsPerStack', 'outputs per stack', stack, Object.keys((template.Outputs as object | undefined) ?? {}).length);
    add('templateBytes', 'template size', stack, Buffer.byteLength(JSON.stringify(template)));

    for (const [id, fn] of ofType('AWS::Lambda::Function')) {
      const variables = ((fn.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {});
      const bytes = Object.entries(variables).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(worstCaseString(v)), 0);
      const name = `${stack}/${nameOf(resources, id, 'FunctionName')}`;
      add('lambdaEnvironment', 'Lambda environment', name, bytes);

      const statements = ofType('AWS::Lambda::Permission')
        .filter(([, p]) => targetId(p.Properties?.FunctionName) === id)
        .map(([pid, p]) => {
          const props = p.Properties ?? {};
          const principal = String(worstCaseString(props.Principal));
          const condition: Record<string, unknown> = {};
          if (props.SourceArn) condition.ArnLike = { 'AWS:SourceArn': worstCaseString(props.SourceArn) };
          if (props.SourceAccount) condition.StringEquals = { 'AWS:SourceAccount': worstCaseString(props.SourceAccount) };
          return {
            Sid: `${stack}-${pid}`.slice(0, 100),
            Effect: 'Allow',
            Principal: principal.endsWith('.amazonaws.com') ? { Service: principal } : { AWS: principal },
            Action: worstCaseString(props.Action),
            Resource: 'x'.repeat(WORST_CASE_REFERENCE),
            ...(Object.keys(condition).length ? { Condition: condition } : {}),
          };
        });
      const policy = { Version: '2012-10-17', Id: 'default', Statement: statements };
      add('lambdaResourcePolicy', 'Lambda resource policy', name, statements.length ? Buffer.byteLength(JSON.stringify(policy)) : 0);
    }

    for (const [id, role] of ofType('AWS::IAM::Role')) {
      const inline = [
        ...((role.Properties?.Policies as { PolicyDocument: unknown }[] | undefined) ?? []).map((p) => p.PolicyDocument),
        ...ofType('AWS::IAM::Policy')
          .filter(([, p]) => ((p.Properties?.Roles as unknown[] | undefined) ?? []).some((r) => targetId(r) === id))
          .map(([, p]) => p.Properties?.PolicyDocument),
      ];
      const name = `${stack}/${id}`;
      add('roleInlinePolicies', 'IAM inline policies per role', name, inline.reduce<number>((n, d) => n + policyChars(d), 0));
      add('roleTrustPolicy', 'IAM trust policy', name, policyChars(role.Properties?.AssumeRolePolicyDocument ?? {}));
    }
    for (const [id, policy] of ofType('AWS::IAM::ManagedPolicy')) {
      add('managedPolicy', 'IAM managed policy', `${stack}/${id}`, policyChars(policy.Properties?.PolicyDocument));
    }

    for (const [apiId, api] of ofType('AWS::ApiGatewayV2::Api')) {
      const ofApi = (type: string) => ofType(type).filter(([, r]) => targetId(r.Properties?.ApiId) === apiId).length;
      const name = `${stack}/${nameOf(resources, apiId, 'Name')} (${String(api.Properties?.ProtocolType)})`;
      add('routesPerApi', 'API routes', name, ofApi('AWS::ApiGatewayV2::Route'));
      add('integrationsPerApi', 'API integrations', name, ofApi('AWS::ApiGatewayV2::Integration'));
    }
  }
  return figures;
}

export const overBudget = (figures: LimitFigure[]): LimitFigure[] => figures.filter((f) => f.value > f.budget);

/** One line per figure: value, budget, headroom. */
export function formatFigures(figures: LimitFigure[]): string[] {
  return figures.map(
    (f) =>
      `${f.value > f.budget ? 'OVER ' : 'ok   '}${f.limit.padEnd(30)} ${f.subject.padEnd(52)} ${String(f.value).padStart(7)} / ${String(f.budget).padStart(7)} ${f.unit}` +
      ` (headroom ${f.budget - f.value}${f.serviceLimit !== f.budget ? `; service limit ${f.serviceLimit}` : ''})`,
  );
}

/** The tightest figure of each limit: the one with the least headroom. */
export function tightest(figures: LimitFigure[]): LimitFigure[] {
  const byLimit = new Map<string, LimitFigure>();
  for (const f of figures) {
    const seen = byLimit.get(f.limit);
    if (!seen || f.budget - f.value < seen.budget - seen.value) byLimit.set(f.limit, f);
  }
  return [...byLimit.values()];
}
