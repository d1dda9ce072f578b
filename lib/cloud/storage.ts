/** The single table (from the wiring's definition), the credentials key and the token-signing secret. */
import { Duration, Validations } from 'aws-cdk-lib';
import { AttributeType, Billing, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { table as tableSpec } from '../wiring';
import type { StageSettings } from './stage';

export class Storage extends Construct {
  readonly table: TableV2;
  readonly credentialsKey: Key;
  readonly tokenSecret: Secret;

  constructor(scope: Construct, id: string, stage: StageSettings) {
    super(scope, id);
    this.table = new TableV2(this, 'Table', {
      tableName: stage.prefix,
      partitionKey: { name: tableSpec.partitionKey, type: AttributeType.STRING },
      sortKey: { name: tableSpec.sortKey, type: AttributeType.STRING },
      billing: Billing.onDemand(),
      timeToLiveAttribute: tableSpec.ttlAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: stage.name === 'prod',
      removalPolicy: stage.removalPolicy,
      globalSecondaryIndexes: tableSpec.indexes.map((index) => ({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
      })),
    });

    this.credentialsKey = new Key(this, 'CredentialsKey', {
      description: 'Encrypts provider credentials stored on accounts',
      enableKeyRotation: true,
      removalPolicy: stage.removalPolicy,
      pendingWindow: Duration.days(7),
    });

    this.tokenSecret = new Secret(this, 'TokenSecret', {
      description: 'Signs Switchboard bearer tokens (HS256)',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: stage.removalPolicy,
    });
    Validations.of(this.tokenSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The HS256 signing key has no external system to rotate against; rotating it logs every user out, so it is rotated by hand (README: Operations).',
    });
  }
}
