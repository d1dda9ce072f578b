/**
 * The HTTP API: one route per wiring route, each to its function, with access logging and stage throttling.
 * Authorization happens in the functions (bearer tokens, or webhook tokens plus provider signatures).
 *
 * Each function has one integration and one invoke permission, shared by all its routes. CDK's default is a
 * permission per route, which made routes cost two resources each (the code stack would pass CloudFormation's 500
 * resources with the routes the open issues add) and grows the function's resource policy towards Lambda's 20 KB.
 * The shared permission is scoped to the routes' common path prefix, so a function still cannot be invoked
 * through another area of the API.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import { HttpApi, HttpMethod, HttpStage, LogGroupLogDestination, type HttpRouteIntegrationBindOptions } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { httpRoutes, type FunctionName, type HttpRoute } from '../wiring';
import type { StageSettings } from './stage';

/**
 * The execute-api resource path (after `{api}/{stage}/{method}`) that covers every route path given: the exact
 * path for one literal route, else the literal path segments all of them start with, followed by `*`.
 */
export function invokePathPattern(paths: string[]): string {
  const [first, ...rest] = paths;
  if (first === undefined) throw new Error('a function with no routes needs no invoke permission');
  if (rest.every((p) => p === first) && !first.includes('{')) return first;
  const split = paths.map((p) => p.split('/'));
  const common: string[] = [];
  for (const [i, segment] of (split[0] ?? []).entries()) {
    if (segment.includes('{') || !split.every((s) => s[i] === segment)) break;
    common.push(segment);
  }
  return `${common.join('/')}*`;
}

/** A Lambda integration that adds its invoke permission once, for all the routes it serves, instead of per route. */
class SharedPermissionLambdaIntegration extends HttpLambdaIntegration {
  private permitted = false;

  constructor(
    private readonly owner: Construct,
    private readonly integrationId: string,
    private readonly fn: IFunction,
    private readonly pathPattern: string,
  ) {
    super(integrationId, fn);
  }

  protected override completeBind(options: HttpRouteIntegrationBindOptions): void {
    if (this.permitted) return;
    this.permitted = true;
    const route = options.route;
    // Owned by the API construct, not by the first route, so its logical id survives routes being reordered.
    this.fn.addPermission(`${this.integrationId}Invoke`, {
      scope: this.owner,
      principal: new ServicePrincipal('apigateway.amazonaws.com'),
      sourceArn: Stack.of(route).formatArn({
        service: 'execute-api',
        resource: route.httpApi.apiId,
        resourceName: `*/*${this.pathPattern}`,
      }),
    });
  }
}

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
    const byFunction = new Map<FunctionName, HttpRoute[]>();
    for (const route of httpRoutes) byFunction.set(route.fn, [...(byFunction.get(route.fn) ?? []), route]);
    for (const [fn, routes] of byFunction) {
      const integration = new SharedPermissionLambdaIntegration(
        this,
        `${fn}Integration`,
        fns[fn],
        invokePathPattern(routes.map((r) => r.path)),
      );
      for (const route of routes) this.api.addRoutes({ path: route.path, methods: [HttpMethod[route.method]], integration });
    }
  }

  get url(): string {
    return this.stage.url;
  }
}
