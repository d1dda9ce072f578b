/**
 * The DynamoDB document client, created once. `DDB_ENDPOINT` points it at dynoxide (or any DynamoDB-compatible
 * endpoint) locally; in the cloud it is unset and the SDK finds DynamoDB itself.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { config } from '../config';
import { localCredentials } from '../ports/aws';

export const dynamo = new DynamoDBClient({
  region: config.AWS_REGION,
  ...(config.DDB_ENDPOINT ? { endpoint: config.DDB_ENDPOINT, credentials: localCredentials } : {}),
});

export const db = DynamoDBDocumentClient.from(dynamo, {
  marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
});

export const TABLE = config.TABLE_NAME;
