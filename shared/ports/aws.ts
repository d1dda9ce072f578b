/**
 * What the AWS SDK clients need to talk to the local engine's stand-ins (dynoxide, the local SQS endpoint and the
 * local `@connections` API) on this machine. None of them checks a signature, and on two cores the SDK's own work per
 * request is most of what the engine spends on a message: a plain DynamoDB client costs about 0.9 ms of CPU per
 * GetItem here, SigV4 signing and three middlewares that only label the request (user agent, recursion detection,
 * logging) about 0.5 ms of it. So a client aimed at loopback signs nothing and drops those three; a client aimed
 * anywhere else (AWS itself, or a store on another host) keeps SigV4 and the whole stack.
 */
import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';

/** Static credentials for local stand-ins (dynoxide, the local SQS and @connections endpoints ignore signatures). */
export const localCredentials = { accessKeyId: 'local', secretAccessKey: 'local' };

type AuthScheme = NonNullable<DynamoDBClientConfig['httpAuthSchemes']>[number];

/** True for an endpoint on this machine: localhost, 127.0.0.0/8 or ::1. */
export function isLoopback(endpoint: string | undefined): boolean {
  if (!endpoint) return false;
  let host: string;
  try {
    host = new URL(endpoint).hostname;
  } catch {
    return false;
  }
  return host === 'localhost' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * Stands in for SigV4 towards a loopback stand-in. dynoxide refuses a request without an Authorization header and a
 * date, but reads neither the signature nor the key, so both are fixed strings; the date is the request's own.
 */
const unsignedScheme: AuthScheme = {
  schemeId: 'aws.auth#sigv4',
  identityProvider: () => async () => ({ ...localCredentials, expiration: new Date(8.64e15) }),
  signer: {
    async sign(request) {
      const date = new Date().toISOString().replace(/[-:]|\.\d{3}/g, '');
      request.headers['x-amz-date'] = date;
      request.headers.authorization =
        `AWS4-HMAC-SHA256 Credential=${localCredentials.accessKeyId}/${date.slice(0, 8)}/local/local/aws4_request, ` +
        'SignedHeaders=host, Signature=unsigned';
      return request;
    },
  },
};

/** The client options for an endpoint: where it is, the local credentials, and for loopback the unsigned scheme. */
export interface EndpointOptions {
  endpoint?: string;
  credentials?: typeof localCredentials;
  httpAuthSchemes?: AuthScheme[];
}

/** Middlewares that only label a request for AWS's own logs and for logging: not needed towards a loopback stand-in. */
const LABELLING_MIDDLEWARES = ['getUserAgentMiddleware', 'recursionDetectionMiddleware', 'loggerMiddleware'];

/**
 * Builds a client for `endpoint` with `make`, given the options for it: none when it is unset (the SDK finds AWS);
 * the endpoint and the local credentials, signed with SigV4, for one elsewhere; and for one on loopback, the
 * unsigned scheme, with the labelling middlewares removed from the built client.
 */
export function clientFor<C extends { middlewareStack: { remove(name: string): boolean } }>(endpoint: string | undefined, make: (options: EndpointOptions) => C): C {
  if (!endpoint) return make({});
  const loopback = isLoopback(endpoint);
  const client = make({ endpoint, credentials: localCredentials, ...(loopback ? { httpAuthSchemes: [unsignedScheme] } : {}) });
  if (loopback) for (const name of LABELLING_MIDDLEWARES) client.middlewareStack.remove(name);
  return client;
}
