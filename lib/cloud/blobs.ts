/**
 * The exports bucket behind the blob port: CSV exports and transcript zips too large for an API answer. Private
 * (all public access blocked), encrypted at rest, TLS only, and every object expires after the export retention,
 * so a forgotten export does not linger. Downloads go through presigned URLs only.
 */
import { Aws, Duration, Validations } from 'aws-cdk-lib';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { EXPORT_RETENTION_DAYS } from '../../shared/admin/export-retention';
import type { StageSettings } from './stage';

/** A name fixed by the stage, account and region, so the code stack grants on it without a cross-stack export. */
export const exportsBucketName = (prefix: string) => `${prefix}-exports-${Aws.ACCOUNT_ID}-${Aws.REGION}`;

export class Blobs extends Construct {
  readonly bucket: Bucket;

  constructor(scope: Construct, id: string, stage: StageSettings) {
    super(scope, id);
    this.bucket = new Bucket(this, 'Exports', {
      bucketName: exportsBucketName(stage.prefix),
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ id: 'expire-exports', expiration: Duration.days(EXPORT_RETENTION_DAYS), abortIncompleteMultipartUploadAfter: Duration.days(1) }],
      removalPolicy: stage.removalPolicy,
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'Objects are short-lived exports; who created and who fetched a link to each is in the application audit log (GET /admin/audit), so S3 server access logs would add a second bucket to protect and nothing to learn.',
    });
  }
}
