/**
 * The DynamoDB document client. `DDB_ENDPOINT` points it at dynoxide (or any DynamoDB-compatible endpoint) locally;
 * in the cloud it is unset and the SDK finds DynamoDB itself. A store on loopback gets an unsigned, lean client (see
 * ports/aws.ts): the SDK's signing was the largest part of what a request cost the engine. The bindings are live:
 * when the local engine reloads the configuration (a new store, a new table) it calls `refreshStoreClients` and every
 * importer sees them.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { config } from '../config';
import { clientFor, isLoopback } from '../ports/aws';
import { leanDocumentClient, type DocumentStore } from './lean-document';

const marshallOptions = { removeUndefinedValues: true, convertClassInstanceToMap: false };

function build() {
  const client = clientFor(config.DDB_ENDPOINT, (options) => new DynamoDBClient({ region: config.AWS_REGION, ...options }));
  // Towards dynoxide on this machine, a document client whose middleware is resolved once per command (lean-document.ts).
  const doc: DocumentStore = isLoopback(config.DDB_ENDPOINT)
    ? leanDocumentClient(client, { marshallOptions })
    : DynamoDBDocumentClient.from(client, { marshallOptions });
  return { client, doc, endpoint: config.DDB_ENDPOINT, region: config.AWS_REGION };
}

let built = build();

export let dynamo: DynamoDBClient = built.client;
export let db: DocumentStore = built.doc;
export let TABLE: string = config.TABLE_NAME;

/** Rebuilds the clients when the endpoint or region changed, and takes the table name again. */
export function refreshStoreClients(): void {
  TABLE = config.TABLE_NAME;
  if (built.endpoint === config.DDB_ENDPOINT && built.region === config.AWS_REGION) return;
  built = build();
  dynamo = built.client;
  db = built.doc;
}
