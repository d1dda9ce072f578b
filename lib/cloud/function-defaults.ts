/**
 * Every function is built the same way: nodejs22.x on ARM64, esbuild with the AWS SDK bundled and minified, source
 * maps (shipped, not enabled at run time), X-Ray tracing, its own log group, and its own role. Its grants come only from its wiring `access`, scoped
 * to the exact resources (table and named indexes, queue ARNs, the schedule group, the key, the secret).
 */
import { ArnFormat, Aws, Duration, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type ICommandHooks } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { join } from 'node:path';
import { table as tableSpec, type FunctionSpec } from '../wiring';
import { exportsBucketName } from './blobs';
import { BUNDLING, copyFilesCommands } from './bundles';
import type { StatefulStack } from './stateful-stack';
import type { StageSettings } from './stage';

const ROOT = join(__dirname, '..', '..');

const TABLE_READ = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem', 'dynamodb:DescribeTable'];
const TABLE_WRITE = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];

export interface SwitchboardFunctionProps {
  name: string;
  spec: FunctionSpec;
  stage: StageSettings;
  state: StatefulStack;
  /** Settings every function gets (queue URLs, WebSocket callback URL, ...), filtered by access below. */
  environment: Record<string, string>;
  /** The WebSocket management API ARN pattern, for functions that post to connections, and how cdk-nag prints it. */
  websocketManageArn?: { arn: string; nagResource: string };
}

export class SwitchboardFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: SwitchboardFunctionProps) {
    const { spec, stage } = props;
    const functionName = `${stage.prefix}-${props.name}`;
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      logGroupName: `/aws/lambda/${functionName}`,
      retention: stage.logRetention,
      removalPolicy: stage.removalPolicy,
    });
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs ${functionName}`,
    });
    super(scope, id, {
      functionName,
      description: spec.description,
      entry: join(ROOT, spec.entry),
      handler: 'handler',
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: spec.memoryMb,
      timeout: Duration.seconds(spec.timeoutSeconds),
      tracing: Tracing.ACTIVE,
      logGroup,
      role,
      // No --enable-source-maps: parsing a bundle's map at start cost 0.26-0.37 s of module load here (bench phase z).
      // The maps still ship beside each bundle, to read a minified stack trace afterwards.
      environment: { ...props.environment },
      // lib/cloud/bundles.ts builds the same bundles for their budgets (test/infra/bundles.test.ts, the bench).
      bundling: {
        minify: BUNDLING.minify,
        sourceMap: BUNDLING.sourceMap,
        target: BUNDLING.target,
        format: BUNDLING.format === 'cjs' ? OutputFormat.CJS : OutputFormat.ESM,
        bundleAwsSDK: BUNDLING.bundleAwsSDK,
        externalModules: [...BUNDLING.externals],
        ...(spec.files?.length ? { commandHooks: filesBeside(spec.files) } : {}),
      },
      projectRoot: ROOT,
      depsLockFilePath: join(ROOT, 'package-lock.json'),
    });

    // Logs: only this function's own group (no managed policy, whose resource is every log group).
    role.addToPolicy(
      new PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }),
    );
    this.grantFromAccess(props);
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'Active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions.',
    });
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-L1',
      reason: 'nodejs22.x is the runtime this project targets and tests (Node 22 on Lambda, Node 20+ locally); nodejs24.x is adopted deliberately, not by default.',
    });
  }

  private grantFromAccess(props: SwitchboardFunctionProps): void {
    const { spec, state } = props;
    const { access } = spec;
    const table = state.storage.table;
    if (access.table) {
      const indexArns = tableSpec.indexes.map((i) => `${table.tableArn}/index/${i.name}`);
      this.addToRolePolicy(
        new PolicyStatement({
          actions: access.table === 'RW' ? [...TABLE_READ, ...TABLE_WRITE] : TABLE_READ,
          resources: [table.tableArn, ...indexArns],
        }),
      );
      this.addEnvironment('TABLE_NAME', table.tableName);
    }
    for (const queueName of access.sendTo ?? []) {
      const queue = state.messaging.queues[queueName];
      queue.grantSendMessages(this);
      this.addEnvironment(`${queueName.toUpperCase()}_QUEUE_URL`, queue.queueUrl);
    }
    for (const queueName of access.sendToDeadLetter ?? []) {
      const queue = state.messaging.deadLetterQueues[queueName];
      queue.grantSendMessages(this);
      this.addEnvironment(`${queueName.toUpperCase()}_DLQ_URL`, queue.queueUrl);
    }
    if (access.scheduler) {
      const group = state.timers.group;
      this.addToRolePolicy(
        new PolicyStatement({
          actions: ['scheduler:CreateSchedule', 'scheduler:UpdateSchedule', 'scheduler:DeleteSchedule'],
          resources: [
            Stack.of(this).formatArn({ service: 'scheduler', resource: 'schedule', resourceName: `${group.scheduleGroupName}/*` }),
          ],
        }),
      );
      state.timers.schedulerRole.grantPassRole(this.grantPrincipal);
      acknowledgeWildcard(
        this,
        `arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/${group.scheduleGroupName}/*`,
        'Timer schedules are named per interaction at run time; the grant is limited to the Switchboard schedule group.',
      );
      this.addEnvironment('SCHEDULE_GROUP', group.scheduleGroupName);
      this.addEnvironment('SCHEDULER_ROLE_ARN', state.timers.schedulerRole.roleArn);
      this.addEnvironment(
        'TIMERS_FUNCTION_ARN',
        Stack.of(this).formatArn({ service: 'lambda', resource: 'function', resourceName: `${props.stage.prefix}-timers`, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
      );
    }
    if (access.websocket && props.websocketManageArn) {
      this.addToRolePolicy(new PolicyStatement({ actions: ['execute-api:ManageConnections'], resources: [props.websocketManageArn.arn] }));
      acknowledgeWildcard(
        this,
        props.websocketManageArn.nagResource,
        'Connection ids are assigned by API Gateway at run time; the grant is limited to POST @connections on this API\'s stage.',
      );
      const url = props.environment.WS_CALLBACK_URL;
      if (url) this.addEnvironment('WS_CALLBACK_URL', url);
    }
    if (access.tokenSecret) {
      state.storage.tokenSecret.grantRead(this);
      this.addEnvironment('TOKEN_SECRET_ARN', state.storage.tokenSecret.secretArn);
    }
    if (access.blobs) {
      // Objects only under exports/: RW writes them, both read them (a presigned URL acts with the signer's grant).
      const bucketName = exportsBucketName(props.stage.prefix);
      const actions = access.blobs === 'RW' ? ['s3:PutObject', 's3:GetObject'] : ['s3:GetObject'];
      this.addToRolePolicy(new PolicyStatement({ actions, resources: [`arn:${Aws.PARTITION}:s3:::${bucketName}/exports/*`] }));
      acknowledgeWildcard(
        this,
        `arn:<AWS::Partition>:s3:::${props.stage.prefix}-exports-<AWS::AccountId>-<AWS::Region>/exports/*`,
        'Export files are named per job at run time; the grant is limited to the exports/ prefix of the exports bucket.',
      );
      this.addEnvironment('BLOB_ADAPTER', 's3');
      this.addEnvironment('BLOB_BUCKET', bucketName);
    }
    if (access.translate) {
      // TranslateText and the language detection it calls for source `auto` support no resource-level permissions
      // (their Resource::* is acknowledged on the role with X-Ray's).
      this.addToRolePolicy(new PolicyStatement({ actions: ['translate:TranslateText', 'comprehend:DetectDominantLanguage'], resources: ['*'] }));
    }
    if (access.mail && props.stage.mailFrom) {
      // Only from the configured sender: its address identity, or the domain identity that verifies it.
      const from = props.stage.mailFrom;
      const domain = from.slice(from.indexOf('@') + 1);
      const identity = (name: string) => Stack.of(this).formatArn({ service: 'ses', resource: 'identity', resourceName: name });
      this.addToRolePolicy(new PolicyStatement({ actions: ['ses:SendEmail'], resources: [identity(from), identity(domain)] }));
      this.addEnvironment('MAIL_TRANSPORT', 'ses');
      this.addEnvironment('MAIL_FROM', from);
    }
    if (access.mail && props.stage.consoleUrl) this.addEnvironment('CONSOLE_URL', props.stage.consoleUrl);
    if (access.generative && props.stage.bedrockModelId) {
      // The one foundation model configured, nothing else.
      const modelId = props.stage.bedrockModelId;
      this.addToRolePolicy(
        new PolicyStatement({
          actions: ['bedrock:InvokeModel'],
          resources: [Stack.of(this).formatArn({ service: 'bedrock', account: '', resource: 'foundation-model', resourceName: modelId })],
        }),
      );
      this.addEnvironment('BEDROCK_MODEL_ID', modelId);
    }
    if (access.credentials) {
      const actions = { encrypt: ['kms:Encrypt'], decrypt: ['kms:Decrypt'], both: ['kms:Encrypt', 'kms:Decrypt'] }[access.credentials];
      this.addToRolePolicy(new PolicyStatement({ actions, resources: [state.storage.credentialsKey.keyArn] }));
      this.addEnvironment('CREDENTIALS_KEY_ARN', state.storage.credentialsKey.keyArn);
    }
  }
}

/** Bundling hooks that copy a function's `files` next to its bundle, where the handler reads them. */
function filesBeside(files: string[]): ICommandHooks {
  return {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (inputDir, outputDir) => copyFilesCommands(files, inputDir, outputDir),
  };
}

/** Acknowledges exactly one wildcard resource of a function's role, with its reason. */
function acknowledgeWildcard(fn: SwitchboardFunction, resource: string, reason: string): void {
  if (fn.role) Validations.of(fn.role).acknowledge({ id: `AwsSolutions-IAM5[Resource::${resource}]`, reason });
}
