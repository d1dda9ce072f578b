/**
 * The WebSocket API agents connect to: $connect, $disconnect and $default from the wiring, a stage with access
 * logging and throttling, and the management endpoint the notifier posts to.
 */
import { type CfnElement, Stack, Validations } from 'aws-cdk-lib';
import { type CfnStage, WebSocketApi, WebSocketStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { wsRoutes, type FunctionName } from '../wiring';
import type { StageSettings } from './stage';

export const WS_STAGE = 'live';

export class Realtime extends Construct {
  readonly api: WebSocketApi;
  readonly stage: WebSocketStage;

  constructor(scope: Construct, id: string, stage: StageSettings) {
    super(scope, id);
    this.api = new WebSocketApi(this, 'Api', { apiName: `${stage.prefix}-ws` });
    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: stage.logRetention, removalPolicy: stage.removalPolicy });
    this.stage = new WebSocketStage(this, 'Stage', {
      webSocketApi: this.api,
      stageName: WS_STAGE,
      autoDeploy: true,
      throttle: stage.throttle,
    });
    const cfnStage = this.stage.node.defaultChild as CfnStage;
    cfnStage.accessLogSettings = {
      destinationArn: accessLogs.logGroupArn,
      format: JSON.stringify({
        requestId: '$context.requestId',
        connectionId: '$context.connectionId',
        eventType: '$context.eventType',
        routeKey: '$context.routeKey',
        status: '$context.status',
        ip: '$context.identity.sourceIp',
        time: '$context.requestTimeEpoch',
      }),
    };
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason: '$connect verifies the bearer token in the function (the same HS256 tokens as the HTTP API); later frames ride on that connection.',
    });
  }

  /** Routes are added once the functions exist (they need the callback URL first). */
  addRoutes(fns: Record<FunctionName, IFunction>): void {
    for (const route of wsRoutes) {
      const integration = new WebSocketLambdaIntegration(`${route.fn}Integration`, fns[route.fn]);
      this.api.addRoute(route.route, { integration });
    }
  }

  /** `https://{api}.execute-api.{region}.amazonaws.com/{stage}`, what postToConnection is sent to. */
  get callbackUrl(): string {
    return this.stage.callbackUrl;
  }

  get manageConnectionsArn(): { arn: string; nagResource: string } {
    const stack = Stack.of(this);
    const apiLogicalId = stack.getLogicalId(this.api.node.defaultChild as CfnElement);
    return {
      arn: stack.formatArn({ service: 'execute-api', resource: this.api.apiId, resourceName: `${WS_STAGE}/POST/@connections/*` }),
      nagResource: `arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:<${apiLogicalId}>/${WS_STAGE}/POST/@connections/*`,
    };
  }
}
