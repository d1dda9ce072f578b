/**
 * The CDK app against the wiring: every route reaches the function the wiring names, every function's role holds
 * exactly what its `access` implies, the queues, table and functions carry the settings the architecture promises,
 * and cdk-nag's AwsSolutions pack passes with a reason on every acknowledgement. Expectations are derived from
 * lib/wiring.ts, so adding a function or a route there is covered without touching this file.
 * One synth per stage (bundling skipped): dev for everything, prod for what the stage changes.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Validations, type CfnElement, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { buildApp } from '../../bin/app';
import { WS_STAGE } from '../../lib/cloud/realtime';
import {
  functions,
  httpRoutes,
  queues as queueSpecs,
  routeKey,
  table as tableSpec,
  wsRoutes,
  type Access,
  type FunctionName,
  type FunctionSpec,
  type QueueName,
} from '../../lib/wiring';

interface Resource {
  Type: string;
  Properties: Record<string, unknown>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}
interface TemplateJson {
  Resources: Record<string, Resource>;
  Outputs?: Record<string, { Value: unknown; Export?: { Name: string } }>;
}
interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Principal?: unknown;
}

interface Synth {
  app: App;
  outdir: string;
  stateStack: Stack;
  codeStack: Stack;
  built: ReturnType<typeof buildApp>;
  state: TemplateJson;
  code: TemplateJson;
}

const PREFIX = 'switchboard-dev';
/** Per hook: jest reads testTimeout from the global config only, so the infra project's 60 s does not apply. */
const SYNTH_TIMEOUT_MS = 60_000;
const fnNames = Object.keys(functions) as FunctionName[];
const specOf = (name: FunctionName): FunctionSpec => functions[name];

function synth(stage: 'dev' | 'prod'): Synth {
  const outdir = mkdtempSync(join(tmpdir(), `switchboard-cdk-${stage}-`));
  const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [], stage } });
  const built = buildApp(app);
  app.synth();
  return {
    app,
    outdir,
    built,
    stateStack: built.state,
    codeStack: built.code,
    state: Template.fromStack(built.state).toJSON() as TemplateJson,
    code: Template.fromStack(built.code).toJSON() as TemplateJson,
  };
}

const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const logicalId = (stack: Stack, construct: IConstruct) =>
  stack.getLogicalId(construct.node.defaultChild as CfnElement);
const ofType = (t: TemplateJson, type: string) => Object.entries(t.Resources).filter(([, r]) => r.Type === type);

/**
 * Renders a CloudFormation value as a readable string: `${Id}` for a Ref, `${Id.Attr}` for a GetAtt, joins joined,
 * and an import of the stateful stack's export replaced by what that export holds.
 */
function render(value: unknown, s: Synth): string {
  if (typeof value === 'string') return value;
  const v = value as Record<string, unknown>;
  if ('Ref' in v) return `\${${String(v.Ref)}}`;
  if ('Fn::GetAtt' in v) return `\${${(v['Fn::GetAtt'] as string[]).join('.')}}`;
  if ('Fn::Join' in v) {
    const [sep, parts] = v['Fn::Join'] as [string, unknown[]];
    return parts.map((p) => render(p, s)).join(sep);
  }
  if ('Fn::ImportValue' in v) {
    const name = v['Fn::ImportValue'];
    const output = Object.values(s.state.Outputs ?? {}).find((o) => o.Export?.Name === name);
    if (!output) throw new Error(`no export ${String(name)} in the stateful stack`);
    return render(output.Value, s);
  }
  return JSON.stringify(value);
}

/** The logical id of the Lambda function a value points at through `Fn::GetAtt [id, Arn]`, wherever it is nested. */
function functionIdIn(value: unknown, t: TemplateJson): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const v = value as Record<string, unknown>;
  const getAtt = v['Fn::GetAtt'] as string[] | undefined;
  if (getAtt && t.Resources[getAtt[0]!]?.Type === 'AWS::Lambda::Function') return getAtt[0];
  for (const child of Object.values(v)) {
    const found = functionIdIn(child, t);
    if (found) return found;
  }
  return undefined;
}

function functionIdByName(t: TemplateJson, name: string): string {
  const found = ofType(t, 'AWS::Lambda::Function').find(([, r]) => r.Properties.FunctionName === name);
  if (!found) throw new Error(`no function ${name}`);
  return found[0];
}

/** Follows a route's Target to its integration and returns the name of the function the integration invokes. */
function functionNameBehind(t: TemplateJson, route: Resource): string | undefined {
  const target = route.Properties.Target as { 'Fn::Join': [string, unknown[]] };
  const [prefix, ref] = target['Fn::Join'][1] as [string, { Ref: string }];
  expect(prefix).toBe('integrations/');
  const integration = t.Resources[ref.Ref];
  expect(integration?.Type).toBe('AWS::ApiGatewayV2::Integration');
  expect(integration?.Properties.ApiId).toEqual(route.Properties.ApiId);
  const fnId = functionIdIn(integration?.Properties.IntegrationUri, t);
  return fnId ? (t.Resources[fnId]?.Properties.FunctionName as string) : undefined;
}

function apiIdOfProtocol(t: TemplateJson, protocol: 'HTTP' | 'WEBSOCKET'): string {
  const apis = ofType(t, 'AWS::ApiGatewayV2::Api').filter(([, r]) => r.Properties.ProtocolType === protocol);
  expect(apis).toHaveLength(1);
  return apis[0]![0];
}

/** Every Allow grant of a role, one `action on resource` string per pair, from its inline and attached policies. */
function grantsOfRole(s: Synth, roleId: string): string[] {
  const role = s.code.Resources[roleId]!;
  expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  const documents = [
    ...asArray(role.Properties.Policies as { PolicyDocument: { Statement: Statement[] } }[]).map(
      (p) => p.PolicyDocument,
    ),
    ...ofType(s.code, 'AWS::IAM::Policy')
      .filter(([, p]) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleId))
      .map(([, p]) => p.Properties.PolicyDocument as { Statement: Statement[] }),
  ];
  const grants = new Set<string>();
  for (const statement of documents.flatMap((d) => d.Statement)) {
    expect(statement.Effect).toBe('Allow');
    for (const action of asArray(statement.Action)) {
      for (const resource of asArray(statement.Resource)) grants.add(`${action} on ${render(resource, s)}`);
    }
  }
  return [...grants].sort();
}

const XRAY = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'];
/** TranslateText and the language detection it calls for source `auto` support no resource-level permissions. */
const TRANSLATE = ['translate:TranslateText', 'comprehend:DetectDominantLanguage'];
const LOGS = ['logs:CreateLogStream', 'logs:PutLogEvents'];
const TABLE_READ = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DescribeTable',
];
const TABLE_WRITE = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];
const QUEUE_SEND = ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'];
const QUEUE_CONSUME = [
  'sqs:ReceiveMessage',
  'sqs:ChangeMessageVisibility',
  'sqs:GetQueueUrl',
  'sqs:DeleteMessage',
  'sqs:GetQueueAttributes',
];
const SCHEDULES = ['scheduler:CreateSchedule', 'scheduler:UpdateSchedule', 'scheduler:DeleteSchedule'];
const SECRET_READ = ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'];
const KMS = { encrypt: ['kms:Encrypt'], decrypt: ['kms:Decrypt'], both: ['kms:Encrypt', 'kms:Decrypt'] } as const;
/** The access keys expectedGrants understands; a new kind of access fails loudly until it is derived here too. */
const KNOWN_ACCESS = new Set([
  'table',
  'sendTo',
  'sendToDeadLetter',
  'scheduler',
  'websocket',
  'tokenSecret',
  'credentials',
  'blobs',
  'translate',
  // Granted only when the stage names a model (-c bedrockModelId); the dev app names none, so it grants nothing.
  'generative',
  // Granted only when the stage names a sender (-c mailFrom; test/infra/mail.test.ts); the dev app names none.
  'mail',
]);
const TABLE_WRITE_LIKE = /^dynamodb:(Put|Update|Delete|BatchWrite|PartiQL(Insert|Update|Delete)|Restore|Import|Create)/;

/** What a function's role must hold, derived from its wiring alone (plus the resources' logical ids). */
function expectedGrants(s: Synth, name: FunctionName, logGroupId: string): string[] {
  const spec = specOf(name);
  const access: Access = spec.access;
  const { storage, messaging, timers } = s.built.state;
  const grants = new Set<string>();
  const allow = (actions: readonly string[], resources: string[]) => {
    for (const a of actions) for (const r of resources) grants.add(`${a} on ${r}`);
  };
  const queueArn = (q: QueueName) => `\${${logicalId(s.stateStack, messaging.queues[q])}.Arn}`;
  const deadLetterArn = (q: QueueName) => `\${${logicalId(s.stateStack, messaging.deadLetterQueues[q])}.Arn}`;
  const unknown = Object.keys(access).filter((k) => !KNOWN_ACCESS.has(k));
  if (unknown.length) throw new Error(`${name}: this test does not yet derive grants for access ${unknown.join(', ')}`);

  allow(XRAY, ['*']);
  allow(LOGS, [`\${${logGroupId}.Arn}`]);
  if (access.table) {
    const tableArn = `\${${logicalId(s.stateStack, storage.table)}.Arn}`;
    allow(access.table === 'RW' ? [...TABLE_READ, ...TABLE_WRITE] : TABLE_READ, [
      tableArn,
      ...tableSpec.indexes.map((i) => `${tableArn}/index/${i.name}`),
    ]);
  }
  for (const q of access.sendTo ?? []) allow(QUEUE_SEND, [queueArn(q)]);
  for (const q of access.sendToDeadLetter ?? []) allow(QUEUE_SEND, [deadLetterArn(q)]);
  if (spec.consumes) allow(QUEUE_CONSUME, [queueArn(spec.consumes)]);
  if (access.scheduler) {
    const [[, group]] = ofType(s.state, 'AWS::Scheduler::ScheduleGroup') as [[string, Resource]];
    allow(SCHEDULES, [
      `arn:\${AWS::Partition}:scheduler:\${AWS::Region}:\${AWS::AccountId}:schedule/${String(group.Properties.Name)}/*`,
    ]);
    allow(['iam:PassRole'], [`\${${logicalId(s.stateStack, timers.schedulerRole)}.Arn}`]);
  }
  if (access.websocket) {
    const apiId = logicalId(s.codeStack, s.built.code.realtime.api);
    allow(
      ['execute-api:ManageConnections'],
      [
        `arn:\${AWS::Partition}:execute-api:\${AWS::Region}:\${AWS::AccountId}:\${${apiId}}/${WS_STAGE}/POST/@connections/*`,
      ],
    );
  }
  if (access.tokenSecret) allow(SECRET_READ, [`\${${logicalId(s.stateStack, storage.tokenSecret)}}`]);
  if (access.credentials)
    allow(KMS[access.credentials], [`\${${logicalId(s.stateStack, storage.credentialsKey)}.Arn}`]);
  if (access.blobs) {
    allow(access.blobs === 'RW' ? ['s3:PutObject', 's3:GetObject'] : ['s3:GetObject'], [
      `arn:\${AWS::Partition}:s3:::${s.built.state.stage.prefix}-exports-\${AWS::AccountId}-\${AWS::Region}/exports/*`,
    ]);
  }
  if (access.translate) allow(TRANSLATE, ['*']);
  return [...grants].sort();
}

describe('the dev app', () => {
  let s: Synth;
  let synthError: unknown;

  beforeAll(() => {
    try {
      s = synth('dev');
    } catch (error) {
      synthError = error;
    }
  }, SYNTH_TIMEOUT_MS);
  afterAll(() => {
    if (s) rmSync(s.outdir, { recursive: true, force: true });
  });

  it('synthesizes both stacks with cdk-nag running as a validation plugin', () => {
    expect(synthError).toBeUndefined();
    expect(Object.keys(s.state.Resources).length).toBeGreaterThan(0);
    expect(Object.keys(s.code.Resources).length).toBeGreaterThan(0);
  });

  describe('HTTP and WebSocket routes', () => {
    it.each(httpRoutes.map((r) => [routeKey(r), r.fn] as const))('routes %s to the %s function', (key, fn) => {
      const httpApi = apiIdOfProtocol(s.code, 'HTTP');
      const routes = ofType(s.code, 'AWS::ApiGatewayV2::Route').filter(([, r]) => r.Properties.RouteKey === key);

      expect(routes).toHaveLength(1);
      const [, route] = routes[0]!;
      expect(route.Properties.ApiId).toEqual({ Ref: httpApi });
      expect(functionNameBehind(s.code, route)).toBe(`${PREFIX}-${fn}`);
    });

    it('has no HTTP route the wiring does not list', () => {
      const httpApi = apiIdOfProtocol(s.code, 'HTTP');
      const keys = ofType(s.code, 'AWS::ApiGatewayV2::Route')
        .filter(([, r]) => (r.Properties.ApiId as { Ref: string }).Ref === httpApi)
        .map(([, r]) => r.Properties.RouteKey)
        .sort();

      expect(keys).toEqual(httpRoutes.map(routeKey).sort());
    });

    it.each(wsRoutes.map((r) => [r.route, r.fn] as const))(
      'routes the WebSocket %s route to the %s function',
      (key, fn) => {
        const wsApi = apiIdOfProtocol(s.code, 'WEBSOCKET');
        const routes = ofType(s.code, 'AWS::ApiGatewayV2::Route').filter(
          ([, r]) => r.Properties.RouteKey === key && (r.Properties.ApiId as { Ref: string }).Ref === wsApi,
        );

        expect(routes).toHaveLength(1);
        expect(functionNameBehind(s.code, routes[0]![1])).toBe(`${PREFIX}-${fn}`);
      },
    );

    it('lets API Gateway invoke every routed function', () => {
      const routed = new Set([...httpRoutes, ...wsRoutes].map((r) => r.fn));
      for (const fn of routed) {
        const fnId = functionIdByName(s.code, `${PREFIX}-${fn}`);
        const permissions = ofType(s.code, 'AWS::Lambda::Permission').filter(
          ([, p]) =>
            functionIdIn(p.Properties.FunctionName, s.code) === fnId &&
            p.Properties.Principal === 'apigateway.amazonaws.com',
        );
        expect(permissions.length).toBeGreaterThan(0);
      }
    });
  });

  describe('functions', () => {
    it('creates exactly the functions of the wiring', () => {
      const names = ofType(s.code, 'AWS::Lambda::Function')
        .map(([, r]) => r.Properties.FunctionName)
        .sort();

      expect(names).toEqual(fnNames.map((n) => `${PREFIX}-${n}`).sort());
    });

    it.each(fnNames)(
      'runs %s on nodejs22.x, arm64, with active tracing, its own log group and its wiring limits',
      (name) => {
        const fn = s.code.Resources[functionIdByName(s.code, `${PREFIX}-${name}`)]!;
        const logGroupRef = (fn.Properties.LoggingConfig as { LogGroup?: { Ref: string } } | undefined)?.LogGroup;

        expect(fn.Properties).toMatchObject({
          Runtime: 'nodejs22.x',
          Architectures: ['arm64'],
          TracingConfig: { Mode: 'Active' },
          MemorySize: specOf(name).memoryMb,
          Timeout: specOf(name).timeoutSeconds,
        });
        expect(logGroupRef).toBeDefined();
        const logGroup = s.code.Resources[logGroupRef!.Ref]!;
        expect(logGroup.Type).toBe('AWS::Logs::LogGroup');
        expect(logGroup.Properties.LogGroupName).toBe(`/aws/lambda/${PREFIX}-${name}`);
        expect(logGroup.Properties.RetentionInDays).toEqual(expect.any(Number));
      },
    );

    it.each(fnNames.filter((n) => specOf(n).consumes))(
      'feeds %s from its queue in batches with partial batch responses',
      (name) => {
        const spec = specOf(name);
        const fnId = functionIdByName(s.code, `${PREFIX}-${name}`);
        const mappings = ofType(s.code, 'AWS::Lambda::EventSourceMapping').filter(
          ([, m]) => (m.Properties.FunctionName as { Ref: string }).Ref === fnId,
        );
        const queueId = logicalId(s.stateStack, s.built.state.messaging.queues[spec.consumes!]);

        expect(mappings).toHaveLength(1);
        const [, mapping] = mappings[0]!;
        expect(render(mapping.Properties.EventSourceArn, s)).toBe(`\${${queueId}.Arn}`);
        expect(mapping.Properties.BatchSize).toBe(queueSpecs[spec.consumes!].batchSize);
        expect(mapping.Properties.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
      },
    );

    it.each(fnNames.filter((n) => specOf(n).consumes))(
      'gives the queue %s consumes a visibility timeout no shorter than the function timeout (Lambda refuses one)',
      (name) => {
        const spec = specOf(name);
        const queueId = logicalId(s.stateStack, s.built.state.messaging.queues[spec.consumes!]);
        const fn = s.code.Resources[functionIdByName(s.code, `${PREFIX}-${name}`)]!;

        expect(s.state.Resources[queueId]!.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(
          fn.Properties.Timeout as number,
        );
      },
    );
  });

  describe('least privilege', () => {
    it.each(fnNames)('gives %s exactly the grants its wiring access implies', (name) => {
      const fn = s.code.Resources[functionIdByName(s.code, `${PREFIX}-${name}`)]!;
      const roleId = (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      const logGroupId = (fn.Properties.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;

      expect(grantsOfRole(s, roleId)).toEqual(expectedGrants(s, name, logGroupId));
    });

    it('gives every function its own role', () => {
      const roles = ofType(s.code, 'AWS::Lambda::Function').map(([, r]) => JSON.stringify(r.Properties.Role));

      expect(new Set(roles).size).toBe(roles.length);
    });

    it.each(fnNames.filter((n) => specOf(n).access.table === 'RO'))(
      'grants the read-only %s no table write action',
      (name) => {
        const fn = s.code.Resources[functionIdByName(s.code, `${PREFIX}-${name}`)]!;
        const roleId = (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];

        const actions = grantsOfRole(s, roleId).map((g) => g.split(' on ')[0]!);

        expect(actions.filter((a) => TABLE_WRITE_LIKE.test(a))).toEqual([]);
        expect(actions).toEqual(expect.arrayContaining(TABLE_READ));
      },
    );

    it('has no identity policy with a wildcard action, and a wildcard resource only for X-Ray and Amazon Translate', () => {
      const offending: string[] = [];
      for (const [stackName, t] of [
        ['state', s.state],
        ['code', s.code],
      ] as const) {
        for (const [id, r] of Object.entries(t.Resources)) {
          const documents =
            r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy'
              ? [r.Properties.PolicyDocument as { Statement: Statement[] }]
              : r.Type === 'AWS::IAM::Role'
                ? asArray(r.Properties.Policies as { PolicyDocument: { Statement: Statement[] } }[]).map(
                    (p) => p.PolicyDocument,
                  )
                : [];
          for (const st of documents.flatMap((d) => d.Statement)) {
            const actions = asArray(st.Action);
            if (actions.some((a) => a === '*' || a.endsWith(':*')))
              offending.push(`${stackName}/${id}: action ${actions.join(',')}`);
            const wildcardResource = asArray(st.Resource).some((res) => res === '*');
            const isXray = actions.length > 0 && actions.every((a) => XRAY.includes(a));
            const isTranslate = actions.length > 0 && actions.every((a) => TRANSLATE.includes(a));
            if (wildcardResource && !isXray && !isTranslate) offending.push(`${stackName}/${id}: resource * for ${actions.join(',')}`);
          }
        }
      }

      expect(offending).toEqual([]);
    });

    it('has no resource policy that allows the action "*"', () => {
      const documents = [...Object.values(s.state.Resources), ...Object.values(s.code.Resources)].flatMap((r) =>
        [r.Properties.KeyPolicy, r.Properties.PolicyDocument].filter((d): d is { Statement: Statement[] } => !!d),
      );

      const allowAll = documents
        .flatMap((d) => d.Statement)
        .filter((st) => st.Effect === 'Allow' && asArray(st.Action).includes('*'));

      expect(allowAll).toEqual([]);
    });
  });

  describe('queues', () => {
    const queueResources = () => ofType(s.state, 'AWS::SQS::Queue');
    const dlqArns = () =>
      new Set(
        queueResources()
          .map(
            ([, q]) =>
              (q.Properties.RedrivePolicy as { deadLetterTargetArn?: unknown } | undefined)?.deadLetterTargetArn,
          )
          .filter((arn) => arn !== undefined)
          .map((arn) => JSON.stringify(arn)),
      );

    it.each(Object.keys(queueSpecs) as QueueName[])(
      'creates the %s queue with its dead-letter queue as the wiring says',
      (name) => {
        const spec = queueSpecs[name];
        const suffix = spec.fifo ? '.fifo' : '';
        const [, queue] =
          queueResources().find(([, q]) => q.Properties.QueueName === `${PREFIX}-${name}${suffix}`) ?? [];
        const [dlqId, dlq] =
          queueResources().find(([, q]) => q.Properties.QueueName === `${PREFIX}-${name}-dlq${suffix}`) ?? [];

        expect(queue?.Properties).toMatchObject({
          VisibilityTimeout: spec.visibilityTimeoutSeconds,
          RedrivePolicy: {
            deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] },
            maxReceiveCount: spec.maxReceiveCount,
          },
        });
        expect(queue?.Properties.FifoQueue).toBe(spec.fifo ? true : undefined);
        expect(dlq?.Properties.FifoQueue).toBe(spec.fifo ? true : undefined);
        expect(dlq?.Properties.MessageRetentionPeriod).toBe(spec.dlqRetentionDays * 24 * 3600);
      },
    );

    it('gives every queue that is not a dead-letter queue a redrive policy with the wiring maxReceiveCount', () => {
      const dlqs = dlqArns();
      const live = queueResources().filter(([id]) => !dlqs.has(JSON.stringify({ 'Fn::GetAtt': [id, 'Arn'] })));

      expect(live).toHaveLength(Object.keys(queueSpecs).length);
      for (const [, q] of live) {
        const name = String(q.Properties.QueueName).replace(`${PREFIX}-`, '').replace('.fifo', '') as QueueName;
        expect(q.Properties.RedrivePolicy).toMatchObject({ maxReceiveCount: queueSpecs[name].maxReceiveCount });
      }
    });
  });

  describe('table', () => {
    const theTable = (): Resource => {
      const tables = [...ofType(s.state, 'AWS::DynamoDB::GlobalTable'), ...ofType(s.state, 'AWS::DynamoDB::Table')];
      expect(tables).toHaveLength(1);
      return tables[0]![1];
    };

    it('has point-in-time recovery, the wiring TTL attribute and keys', () => {
      const t = theTable().Properties;
      const pitr =
        (t.PointInTimeRecoverySpecification as { PointInTimeRecoveryEnabled?: boolean } | undefined) ??
        (
          t.Replicas as { PointInTimeRecoverySpecification?: { PointInTimeRecoveryEnabled?: boolean } }[] | undefined
        )?.[0]?.PointInTimeRecoverySpecification;

      expect(pitr?.PointInTimeRecoveryEnabled).toBe(true);
      expect(t.TimeToLiveSpecification).toEqual({ AttributeName: tableSpec.ttlAttribute, Enabled: true });
      expect(t.KeySchema).toEqual([
        { AttributeName: tableSpec.partitionKey, KeyType: 'HASH' },
        { AttributeName: tableSpec.sortKey, KeyType: 'RANGE' },
      ]);
      expect(t.BillingMode).toBe('PAY_PER_REQUEST');
    });

    it('has every global secondary index of the wiring', () => {
      const indexes = theTable().Properties.GlobalSecondaryIndexes as { IndexName: string; KeySchema: unknown }[];

      expect(indexes).toEqual(
        tableSpec.indexes.map((i) =>
          expect.objectContaining({
            IndexName: i.name,
            KeySchema: [
              { AttributeName: i.partitionKey, KeyType: 'HASH' },
              { AttributeName: i.sortKey, KeyType: 'RANGE' },
            ],
          }),
        ),
      );
    });

    it('is destroyed with a dev stack', () => {
      expect(theTable().DeletionPolicy).toBe('Delete');
    });
  });

  describe('cdk-nag', () => {
    it('reports no unsuppressed finding in the validation report', () => {
      const file = join(s.outdir, 'validation-report.json');
      const reports = existsSync(file)
        ? (
            JSON.parse(readFileSync(file, 'utf8')) as {
              pluginReports: { violations?: unknown[]; conclusion?: string }[];
            }
          ).pluginReports
        : [];

      expect(reports.flatMap((r) => r.violations ?? [])).toEqual([]);
      expect(reports.filter((r) => r.conclusion === 'failure')).toEqual([]);
    });

    it('finds nothing unsuppressed when the AwsSolutions pack walks the app directly', () => {
      const report = new AwsSolutionsChecks().validateScope(s.app);

      expect(
        report.violations.map(
          (v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.resourceLogicalId).join(', ')}`,
        ),
      ).toEqual([]);
      expect(report.success).toBe(true);
    });

    it('gives every acknowledgement in the construct tree a reason of at least 20 characters', () => {
      const acknowledgements = s.app.node.findAll().flatMap((c) =>
        c.node.metadata
          .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
          .flatMap((m) =>
            Object.entries(m.data as Record<string, unknown>).map(([rule, reason]) => ({
              path: c.node.path,
              rule,
              reason,
            })),
          ),
      );

      expect(acknowledgements.length).toBeGreaterThan(0);
      const weak = acknowledgements.filter((a) => typeof a.reason !== 'string' || a.reason.trim().length < 20);
      expect(weak).toEqual([]);
    });
  });
});

describe('the prod app', () => {
  let s: Synth;
  beforeAll(() => {
    s = synth('prod');
  }, SYNTH_TIMEOUT_MS);
  afterAll(() => {
    if (s) rmSync(s.outdir, { recursive: true, force: true });
  });

  it('retains the table and protects it from deletion', () => {
    const [[, table]] = [
      ...ofType(s.state, 'AWS::DynamoDB::GlobalTable'),
      ...ofType(s.state, 'AWS::DynamoDB::Table'),
    ] as [[string, Resource]];

    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.UpdateReplacePolicy).toBe('Retain');
    expect(JSON.stringify(table.Properties)).toContain('"DeletionProtectionEnabled":true');
  });

  it('names everything with the prod prefix', () => {
    const names = ofType(s.code, 'AWS::Lambda::Function')
      .map(([, r]) => r.Properties.FunctionName)
      .sort();

    expect(names).toEqual(fnNames.map((n) => `switchboard-prod-${n}`).sort());
  });
});
