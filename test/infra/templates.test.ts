/**
 * What a deploy would refuse, checked on the synthesized templates: the project's schema check (the fallback for
 * cfn-lint, lib/cloud/checks/schema.ts) finds nothing, and every stack, function, role and API stays within the
 * service limits (lib/cloud/checks/limits.ts), the resources per stack under 400 so the next issues still fit.
 * Both checks are also shown to catch what they are for, on small hand-written templates.
 * Synthesized for prod: its names are the longer ones, so sizes measured there bound dev's.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../bin/app';
import { invokePathPattern } from '../../lib/cloud/http-api';
import { measureLimits, overBudget, type LimitFigure } from '../../lib/cloud/checks/limits';
import { checkTemplate, type CfnTemplate } from '../../lib/cloud/checks/schema';
import { httpRoutes, type FunctionName } from '../../lib/wiring';

const SYNTH_TIMEOUT_MS = 120_000;

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;
let outdir: string;
let templates: Record<string, CfnTemplate>;
let figures: LimitFigure[];

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'switchboard-cdk-limits-'));
  const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [], stage: 'prod' } });
  buildApp(app);
  app.synth();
  // Every stack of the app, including any added after this file was written.
  templates = Object.fromEntries(
    app.node.children.filter((c): c is Stack => c instanceof Stack).map((stack) => [stack.stackName, Template.fromStack(stack).toJSON() as CfnTemplate]),
  );
  figures = measureLimits(templates);
}, SYNTH_TIMEOUT_MS);
afterAll(() => {
  if (outdir) rmSync(outdir, { recursive: true, force: true });
});

const resourcesOf = (stack: string) => templates[stack]!.Resources as Resources;
const codeStack = 'switchboard-prod-code';
const of = (limit: string) => figures.filter((f) => f.limit === limit);
const over = (limit: string) => overBudget(of(limit)).map((f) => `${f.subject}: ${f.value} > ${f.budget} ${f.unit}`);

describe('the schema check on the synthesized templates', () => {
  it('finds no error in any stack', () => {
    expect(Object.keys(templates)).toEqual(expect.arrayContaining(['switchboard-prod-state', 'switchboard-prod-code']));
    for (const [stack, template] of Object.entries(templates)) expect({ stack, findings: checkTemplate(template) }).toEqual({ stack, findings: [] });
  });

  it('declares FIFO-only attributes on FIFO queues only', () => {
    const queues = Object.values(resourcesOf('switchboard-prod-state')).filter((r) => r.Type === 'AWS::SQS::Queue');
    const standard = queues.filter((q) => q.Properties.FifoQueue !== true);

    expect(standard.length).toBeGreaterThan(0);
    for (const q of standard) expect(Object.keys(q.Properties)).not.toContain('ContentBasedDeduplication');
  });
});

describe('the schema check on templates with mistakes', () => {
  const queue = (properties: Record<string, unknown>) => ({ Type: 'AWS::SQS::Queue', Properties: properties });

  it('refuses ContentBasedDeduplication on a standard queue, as cfn-lint (E3501) and SQS do', () => {
    const findings = checkTemplate({ Resources: { Q: queue({ ContentBasedDeduplication: false, VisibilityTimeout: 60 }) } });

    expect(findings).toEqual([
      expect.objectContaining({ resource: 'Q', rule: 'E3501', message: expect.stringContaining("'ContentBasedDeduplication' was unexpected") }),
    ]);
  });

  it('accepts ContentBasedDeduplication on a FIFO queue named .fifo', () => {
    expect(checkTemplate({ Resources: { Q: queue({ FifoQueue: true, ContentBasedDeduplication: false, QueueName: 'q.fifo' }) } })).toEqual([]);
  });

  it('names a property the type does not have, at the top level and inside a property type', () => {
    const findings = checkTemplate({
      Resources: {
        Q: queue({ VisibilityTimout: 60 }),
        Role: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: {} } },
        Fn: {
          Type: 'AWS::Lambda::Function',
          Properties: { Role: { 'Fn::GetAtt': ['Role', 'Arn'] }, Code: { ZipFile: 'x' }, Environment: { Variables: {}, Variabels: {} } },
        },
      },
    });

    expect(findings.map((f) => `${f.rule} ${f.resource}: ${f.message}`)).toEqual([
      expect.stringMatching(/^E3002 Q: .*'VisibilityTimout' was unexpected/),
      expect.stringMatching(/^E3002 Fn: .*'Variabels' was unexpected\) at Properties\.Environment\.Variabels/),
    ]);
  });

  it('reports a missing required property, an unknown type and a dangling reference, each on its resource', () => {
    const findings = checkTemplate({
      Resources: {
        NoCode: { Type: 'AWS::Lambda::Function', Properties: { Role: 'arn:aws:iam::123456789012:role/r' } },
        Odd: { Type: 'AWS::SQS::Queueue', Properties: {} },
        Dangling: queue({ RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['Missing', 'Arn'] }, maxReceiveCount: 5 } }),
      },
    });

    expect(findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ resource: 'NoCode', rule: 'E3003', message: expect.stringContaining('code') }),
        expect.objectContaining({ resource: 'Odd', rule: 'E3006' }),
        expect.objectContaining({ resource: 'Dangling', rule: 'E1012', message: expect.stringContaining("'Missing'") }),
      ]),
    );
    expect(findings).toHaveLength(3);
  });
});

describe('stack limits', () => {
  it('keeps every stack under 400 resources (CloudFormation allows 500)', () => {
    expect(of('resources per stack').map((f) => f.subject).sort()).toEqual(Object.keys(templates).sort());
    for (const f of of('resources per stack')) expect(f.value).toBeLessThanOrEqual(400);
  });

  it('keeps outputs per stack and the template size within CloudFormation limits', () => {
    expect([...over('outputs per stack'), ...over('template size')]).toEqual([]);
  });

  it("keeps every function's environment within Lambda's 4 KB, references counted at their longest", () => {
    const fns = Object.values(templates).flatMap((t) => Object.values(t.Resources as Resources)).filter((r) => r.Type === 'AWS::Lambda::Function');

    expect(of('Lambda environment')).toHaveLength(fns.length);
    expect(over('Lambda environment')).toEqual([]);
  });

  it("keeps every function's resource policy within Lambda's 20 KB", () => {
    expect(over('Lambda resource policy')).toEqual([]);
  });

  it("keeps every role's inline policies within IAM's 10,240 characters and its trust policy within 2,048", () => {
    const roles = Object.values(templates).flatMap((t) => Object.values(t.Resources as Resources)).filter((r) => r.Type === 'AWS::IAM::Role');

    expect(of('IAM inline policies per role')).toHaveLength(roles.length);
    expect([...over('IAM inline policies per role'), ...over('IAM trust policy'), ...over('IAM managed policy')]).toEqual([]);
  });

  it('keeps routes and integrations of each API within API Gateway quotas (300 each)', () => {
    const http = of('API routes').find((f) => f.subject.endsWith('(HTTP)'));

    expect(http?.value).toBe(httpRoutes.length);
    expect([...over('API routes'), ...over('API integrations')]).toEqual([]);
  });
});

describe('one integration and one invoke permission per function', () => {
  const httpApiId = () => Object.entries(resourcesOf(codeStack)).find(([, r]) => r.Type === 'AWS::ApiGatewayV2::Api' && r.Properties.ProtocolType === 'HTTP')![0];
  const routedFunctions = [...new Set(httpRoutes.map((r) => r.fn))];

  it('creates one HTTP integration per routed function, shared by its routes', () => {
    const integrations = Object.values(resourcesOf(codeStack)).filter(
      (r) => r.Type === 'AWS::ApiGatewayV2::Integration' && (r.Properties.ApiId as { Ref: string }).Ref === httpApiId(),
    );

    expect(integrations).toHaveLength(routedFunctions.length);
  });

  it('grants API Gateway one invoke permission per routed function, whose source ARN covers exactly its routes', () => {
    const resources = resourcesOf(codeStack);
    const fnIdOf = (name: FunctionName) => Object.entries(resources).find(([, r]) => r.Properties.FunctionName === `switchboard-prod-${name}`)![0];
    const patternOf = (arn: unknown) => {
      const parts = (arn as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
      expect(parts.at(-2)).toEqual({ Ref: httpApiId() });
      return String(parts.at(-1)).replace(/^\/\*\/\*/, '');
    };
    const matches = (pattern: string, path: string) =>
      new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`).test(path);

    for (const fn of routedFunctions) {
      const permissions = Object.values(resources).filter(
        (r) =>
          r.Type === 'AWS::Lambda::Permission' &&
          (r.Properties.FunctionName as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0] === fnIdOf(fn) &&
          JSON.stringify(r.Properties.SourceArn).includes(`"Ref":"${httpApiId()}"`),
      );
      expect(permissions).toHaveLength(1);
      const pattern = patternOf(permissions[0]!.Properties.SourceArn);
      for (const route of httpRoutes) {
        if (route.fn === fn) expect(matches(pattern, route.path)).toBe(true);
        // Another function's route in another area of the API is not covered (admin functions share /admin).
        else if (!route.path.startsWith('/admin') || !fn.startsWith('admin')) expect(`${fn} ${matches(pattern, route.path)}`).toBe(`${fn} false`);
      }
    }
  });

  it('derives the permission path from the routes: exact for one literal route, else their common literal segments', () => {
    expect(invokePathPattern(['/health'])).toBe('/health');
    expect(invokePathPattern(['/admin/agents', '/admin/agents/{id}', '/admin/agents/export'])).toBe('/admin/agents*');
    expect(invokePathPattern(['/admin/dispositions', '/admin/accounts/{id}/dispositions'])).toBe('/admin*');
    expect(invokePathPattern(['/webhooks/{accountId}/{token}', '/webhooks/{accountId}/{token}/status'])).toBe('/webhooks*');
  });
});

describe('the limit measurements on templates over a limit', () => {
  it('flags a stack of 401 resources, a 5 KB environment and a role whose policies pass 10,240 characters', () => {
    const resources: Record<string, unknown> = {};
    for (let i = 0; i < 398; i += 1) resources[`Q${i}`] = { Type: 'AWS::SQS::Queue', Properties: {} };
    resources.Role = { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: {} } };
    resources.Fn = { Type: 'AWS::Lambda::Function', Properties: { FunctionName: 'big', Environment: { Variables: { BIG: 'x'.repeat(5000) } } } };
    resources.Policy = {
      Type: 'AWS::IAM::Policy',
      Properties: {
        Roles: [{ Ref: 'Role' }],
        PolicyDocument: { Statement: Array.from({ length: 80 }, (_, i) => ({ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': [`Q${i}`, 'Arn'] } })) },
      },
    };

    const flagged = overBudget(measureLimits({ big: { Resources: resources } as CfnTemplate })).map((f) => `${f.limit} ${f.subject}`);

    expect(flagged.sort()).toEqual(['IAM inline policies per role big/Role', 'Lambda environment big/big', 'resources per stack big']);
  });

  it('counts an environment variable that is a reference at the longest value it can take', () => {
    const [env] = measureLimits({
      t: { Resources: { Fn: { Type: 'AWS::Lambda::Function', Properties: { Environment: { Variables: { URL: { 'Fn::ImportValue': 'x' } } } } } } },
    }).filter((f) => f.limit === 'Lambda environment');

    expect(env?.value).toBe('URL'.length + 128);
  });
});
