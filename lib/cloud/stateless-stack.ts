/**
 * The code: every function of the wiring through the function-defaults construct, their queue event sources, the
 * HTTP API and the WebSocket API. Redeploying it never touches the data in the stateful stack.
 */
import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { Construct } from 'constructs';
import { functions, queues as queueSpecs, type FunctionName, type FunctionSpec } from '../wiring';
import { SwitchboardFunction } from './function-defaults';
import { HttpApiConstruct } from './http-api';
import { Realtime } from './realtime';
import type { StatefulStack } from './stateful-stack';
import type { StageSettings } from './stage';

export class StatelessStack extends Stack {
  readonly functions = {} as Record<FunctionName, SwitchboardFunction>;
  readonly http: HttpApiConstruct;
  readonly realtime: Realtime;

  constructor(scope: Construct, id: string, stage: StageSettings, state: StatefulStack, props?: StackProps) {
    super(scope, id, props);
    this.realtime = new Realtime(this, 'Realtime', stage);
    this.http = new HttpApiConstruct(this, 'Http', stage);

    const environment = {
      STAGE: stage.name,
      // Receive URLs, status callback URLs and invitation links, unless an account names its own domain.
      PUBLIC_BASE_URL: this.http.api.apiEndpoint,
      WS_CALLBACK_URL: this.realtime.callbackUrl,
      TIMERS_ADAPTER: 'aws',
      LOG_LEVEL: 'info',
    };
    for (const [name, spec] of Object.entries(functions) as [FunctionName, FunctionSpec][]) {
      const { WS_CALLBACK_URL: _ws, ...common } = environment;
      const fn = new SwitchboardFunction(this, `${name}Fn`, {
        name,
        spec,
        stage,
        state,
        environment: spec.access.websocket ? environment : common,
        websocketManageArn: this.realtime.manageConnectionsArn,
      });
      if (spec.consumes) {
        fn.addEventSource(
          new SqsEventSource(state.messaging.queues[spec.consumes], {
            batchSize: queueSpecs[spec.consumes].batchSize,
            reportBatchItemFailures: true,
          }),
        );
      }
      if (spec.everyMinutes) {
        new Rule(this, `${name}Schedule`, {
          description: `Runs ${name} every ${spec.everyMinutes} minutes`,
          schedule: Schedule.rate(Duration.minutes(spec.everyMinutes)),
          targets: [new LambdaFunction(fn)],
        });
      }
      this.functions[name] = fn;
    }

    const fns = this.functions as Record<FunctionName, IFunction>;
    this.realtime.addRoutes(fns);
    this.http.addRoutes(fns);

    new CfnOutput(this, 'HttpApiUrl', { value: this.http.url, description: 'Base URL of the HTTP API (and of receive URLs)' });
    new CfnOutput(this, 'WebSocketUrl', { value: this.realtime.stage.url, description: 'Agents connect here with ?token=' });
  }
}
