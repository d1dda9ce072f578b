/**
 * The CDK app: `npx cdk synth|deploy -c stage=dev|prod`. Three stacks (state, code, then the console) and cdk-nag's AwsSolutions
 * checks on everything: an unsuppressed finding fails the synth.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConsoleStack } from '../lib/cloud/console-stack';
import { StatefulStack } from '../lib/cloud/stateful-stack';
import { StatelessStack } from '../lib/cloud/stateless-stack';
import { stageSettings } from '../lib/cloud/stage';
import { writeOpenApi } from './openapi';

export function buildApp(app: App): { state: StatefulStack; code: StatelessStack; console: ConsoleStack } {
  const context = (key: string) => app.node.tryGetContext(key) as string | undefined;
  const stage = stageSettings(context('stage'), { bedrockModelId: context('bedrockModelId'), mailFrom: context('mailFrom'), consoleUrl: context('consoleUrl') });
  const state = new StatefulStack(app, `${stage.prefix}-state`, stage, { description: 'Switchboard: table, key, secret, queues, timers' });
  const code = new StatelessStack(app, `${stage.prefix}-code`, stage, state, { description: 'Switchboard: functions and APIs' });
  const console = new ConsoleStack(app, `${stage.prefix}-console`, stage, code, { description: 'Switchboard: the agent console behind CloudFront' });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { state, code, console };
}

if (require.main === module) {
  // The OpenAPI document the openapi function serves is generated here, so a deploy never ships a stale one.
  writeOpenApi();
  buildApp(new App());
}
