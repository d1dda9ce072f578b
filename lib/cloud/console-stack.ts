/**
 * The console in the cloud: its static build in a private S3 bucket behind CloudFront (origin access control, HTTPS
 * only, security headers with a CSP naming the WebSocket API, access logs). The same distribution forwards every
 * other path to the HTTP API, uncached, so the console calls the API on its own origin and needs no CORS. A stack of
 * its own: the console can be redeployed, or left out, without touching the functions.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CfnOutput, Duration, Fn, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  Function as CloudFrontFunction,
  FunctionCode,
  FunctionEventType,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  PriceClass,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership, type CfnBucket } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, CacheControl, Source } from 'aws-cdk-lib/aws-s3-deployment';
import type { Construct } from 'constructs';
import { consoleSecurityHeaders, writeConsole } from '../console-build';
import type { StageSettings } from './stage';
import type { StatelessStack } from './stateless-stack';

export class ConsoleStack extends Stack {
  readonly distribution: Distribution;

  constructor(scope: Construct, id: string, stage: StageSettings, code: StatelessStack, props?: StackProps) {
    super(scope, id, props);
    const destroy = stage.removalPolicy === RemovalPolicy.DESTROY;

    const logs = new Bucket(this, 'AccessLogs', {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      // CloudFront's standard logs are written with an ACL, which needs ACLs enabled on the log bucket.
      objectOwnership: ObjectOwnership.OBJECT_WRITER,
      lifecycleRules: [{ expiration: Duration.days(stage.name === 'prod' ? 90 : 7) }],
      removalPolicy: stage.removalPolicy,
      autoDeleteObjects: destroy,
    });
    Validations.of(logs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the access-log bucket itself; logging it into itself would loop.',
    });

    const site = new Bucket(this, 'Site', {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      serverAccessLogsBucket: logs,
      serverAccessLogsPrefix: 'bucket/',
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: true,
    });

    const wsUrl = code.realtime.stage.url;
    const headers = consoleSecurityHeaders([wsUrl]);
    const responseHeaders = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: headers['content-security-policy']!, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: true, override: true },
      },
    });

    // S3 through OAC serves keys, not directories: /console and /console/ are the page.
    const indexRewrite = new CloudFrontFunction(this, 'ConsoleIndex', {
      code: FunctionCode.fromInline(
        "function handler(event) { var r = event.request; if (r.uri === '/console' || r.uri === '/console/') r.uri = '/console/index.html'; return r; }",
      ),
    });

    const apiDomain = Fn.select(2, Fn.split('/', code.http.api.apiEndpoint));
    this.distribution = new Distribution(this, 'Distribution', {
      comment: `${stage.prefix} console and API`,
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: logs,
      logFilePrefix: 'cloudfront/',
      defaultBehavior: {
        origin: new HttpOrigin(apiDomain, { protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY }),
        viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: AllowedMethods.ALLOW_ALL,
        cachePolicy: CachePolicy.CACHING_DISABLED,
        originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      },
      additionalBehaviors: {
        '/console*': {
          origin: S3BucketOrigin.withOriginAccessControl(site),
          viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
          cachePolicy: CachePolicy.CACHING_OPTIMIZED,
          responseHeadersPolicy: responseHeaders,
          functionAssociations: [{ function: indexRewrite, eventType: FunctionEventType.VIEWER_REQUEST }],
        },
      },
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR1',
      reason:
        'Agents work from wherever the contact centre is; a geo restriction is a per-deployment choice, not a default.',
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR2',
      reason:
        'No WAF by default (its cost is per web ACL); the API behind it authorizes every request and throttles per stage.',
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR4',
      reason:
        'On the default *.cloudfront.net certificate CloudFront fixes the TLS floor; a deployment with its own domain adds a certificate and sets TLS 1.2.',
    });

    // Hashed assets may be cached for good; the page and its config must be re-read on every visit.
    const build = writeConsole(mkdtempSync(join(tmpdir(), 'switchboard-console-')));
    const assets = new BucketDeployment(this, 'Assets', {
      sources: [Source.asset(build, { exclude: ['index.html'] })],
      destinationBucket: site,
      destinationKeyPrefix: 'console/',
      cacheControl: [CacheControl.fromString('public, max-age=31536000, immutable')],
      prune: false,
      memoryLimit: 256,
    });
    new BucketDeployment(this, 'Page', {
      sources: [
        Source.asset(build, { exclude: ['*', '!index.html'] }),
        Source.jsonData('config.json', { apiUrl: '', wsUrl }),
      ],
      destinationBucket: site,
      destinationKeyPrefix: 'console/',
      cacheControl: [CacheControl.noCache()],
      prune: false,
      memoryLimit: 256,
      distribution: this.distribution,
      distributionPaths: ['/console', '/console/', '/console/index.html', '/console/config.json'],
    }).node.addDependency(assets);

    // The deployment's provider function and the auto-delete handler are CDK's own singletons.
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason:
        "CDK's BucketDeployment and auto-delete-objects handlers use AWSLambdaBasicExecutionRole for their logs; they run only at deploy time.",
    });
    const wildcards = [
      'Action::s3:GetObject*',
      'Action::s3:GetBucket*',
      'Action::s3:List*',
      'Action::s3:DeleteObject*',
      'Action::s3:Abort*',
      'Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*',
      `Resource::<${this.getLogicalId(site.node.defaultChild as CfnBucket)}.Arn>/*`,
      'Resource::*',
    ];
    for (const evidence of wildcards) {
      Validations.of(this).acknowledge({
        id: `AwsSolutions-IAM5[${evidence}]`,
        reason:
          "CDK's BucketDeployment copies the build from the CDK asset bucket into the console bucket (object wildcards under those two buckets) and invalidates the distribution (CloudFront invalidation has no resource-level permission); it runs only at deploy time.",
      });
    }
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        "The runtime of CDK's deploy-time BucketDeployment and auto-delete handlers is chosen by aws-cdk-lib, not by this app.",
    });

    new CfnOutput(this, 'ConsoleUrl', {
      value: `https://${this.distribution.distributionDomainName}/console/`,
      description: 'The agent console',
    });
  }
}
