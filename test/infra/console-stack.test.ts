/**
 * The console's cloud hosting: a private, encrypted, TLS-only bucket reached only through CloudFront's origin access
 * control; HTTPS only; the security headers with a CSP that names the WebSocket API; access logs; the API behind the
 * same distribution (uncached, so the console needs no CORS); and a config.json naming both endpoints.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../bin/app';

let outdir: string;
let template: Template;
let synthError: unknown;

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'switchboard-cdk-console-'));
  try {
    const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [], stage: 'dev' } });
    const built = buildApp(app);
    app.synth();
    template = Template.fromStack(built.console);
  } catch (error) {
    synthError = error;
  }
}, 60_000);
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('the console stack', () => {
  it('synthesizes with cdk-nag clean', () => {
    expect(synthError).toBeUndefined();
  });

  it('keeps the site bucket private, encrypted and TLS-only, with access logs', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'bucket/' }),
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    // Only CloudFront, through origin access control, may read it.
    template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Principal: { Service: 'cloudfront.amazonaws.com' }, Action: 's3:GetObject' }),
        ]),
      },
    });
  });

  it('serves /console* from the bucket over HTTPS with the security headers, and everything else from the API uncached', () => {
    const distribution = template.findResources('AWS::CloudFront::Distribution');
    const config = Object.values(distribution)[0]!.Properties.DistributionConfig as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(config.Logging).toEqual(expect.objectContaining({ Prefix: 'cloudfront/' }));
    expect(config.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('https-only');
    expect(config.DefaultCacheBehavior.CachePolicyId).toBe('4135ea2d-6df8-44a3-9df3-4b5a84be39ad'); // CachingDisabled
    const consoleBehavior = config.CacheBehaviors.find((b: { PathPattern: string }) => b.PathPattern === '/console*');
    expect(consoleBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');
    expect(consoleBehavior.ResponseHeadersPolicyId).toBeDefined();
    const apiOrigin = config.Origins.find((o: { CustomOriginConfig?: unknown }) => o.CustomOriginConfig);
    expect(apiOrigin.CustomOriginConfig.OriginProtocolPolicy).toBe('https-only');

    const policies = template.findResources('AWS::CloudFront::ResponseHeadersPolicy');
    const headers = Object.values(policies)[0]!.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig;
    const csp = JSON.stringify(headers.ContentSecurityPolicy.ContentSecurityPolicy);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe');
    expect(csp).toContain('wss://'); // the WebSocket API is the one other place the console connects to
    expect(headers.FrameOptions.FrameOption).toBe('DENY');
    expect(headers.StrictTransportSecurity.AccessControlMaxAgeSec).toBeGreaterThan(0);
  });

  it('deploys the build under console/ with a config.json naming the WebSocket URL, and invalidates the page', () => {
    const deployments = template.findResources('Custom::CDKBucketDeployment');
    expect(Object.keys(deployments)).toHaveLength(2);
    for (const d of Object.values(deployments)) expect(d.Properties.DestinationBucketKeyPrefix).toBe('console/');
    const page = Object.values(deployments).find((d) => d.Properties.DistributionPaths);
    expect(page).toBeDefined();
    // config.json is deploy-time JSON: its WebSocket URL is a marker the deployment fills in from the WebSocket API.
    expect(JSON.stringify(page!.Properties.SourceMarkers)).toMatch(/RealtimeApi/);
    expect(page!.Properties.DistributionPaths).toEqual(
      expect.arrayContaining(['/console/index.html', '/console/config.json']),
    );
    template.hasOutput('ConsoleUrl', {});
  });
});
