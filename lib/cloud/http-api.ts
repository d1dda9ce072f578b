/**
 * The HTTP API: one route per wiring route, each to its function, with access logging and stage throttling.
 * Authorization happens in the functions (bearer tokens, or webhook tokens plus provider signatures).
 */
import { Validations } from 'aws-cdk-lib';
import { HttpApi, HttpMethod, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { httpRoutes, type FunctionName } from '../wiring';
import type { StageSettings } from './stage';

export class HttpApiConstruct extends Construct {
  readonly api: HttpApi;
  readonly stage: HttpStage;

  constructor(scope: Construct, id: string, stage: StageSettings) {
    super(scope, id);
    this.api = new HttpApi(this, 'Api', { apiName: `${stage.prefix}-http`, createDefaultStage: false });
    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: stage.logRetention, removalPolicy: stage.removalPolicy });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: stage.throttle,
      accessLogSettings: { destination: new LogGroupLogDestination(accessLogs) },
    });
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'Routes authorize in the function: admin and agent routes verify HS256 bearer tokens from the stack secret; webhooks check the account proxy token and the provider signature on the raw body, which an API Gateway authorizer cannot see.',
    });
  }

  /** Routes are added once the functions exist (they need the API's URL first, for receive URLs). */
  addRoutes(fns: Record<FunctionName, IFunction>): void {
    const integrations = new Map<FunctionName, HttpLambdaIntegration>();
    for (const route of httpRoutes) {
      let integration = integrations.get(route.fn);
      if (!integration) {
        integration = new HttpLambdaIntegration(`${route.fn}Integration`, fns[route.fn]);
        integrations.set(route.fn, integration);
      }
      this.api.addRoutes({ path: route.path, methods: [HttpMethod[route.method]], integration });
    }
  }

  get url(): string {
    return this.stage.url;
  }
}
