/**
 * Function bundles and their budgets. Every function is bundled as `SwitchboardFunction` bundles it (esbuild, the
 * options below, which lib/cloud/function-defaults.ts hands to NodejsFunction), and is compared with its floor: a
 * bundle holding only the AWS SDK clients its wiring `access` grants, instantiated, and a handler that does
 * nothing. What a function carries beyond its floor is its own code and libraries; its `bundleBudget` (a ratio to
 * the floor, default DEFAULT_BUNDLE_BUDGET) caps it. test/infra/bundles.test.ts fails a bundle over its budget;
 * the bench (bench/bundles.ts) prints sizes and load times beside the floors. No aws-cdk-lib here: the bench and the
 * test load this module without the CDK.
 */
import { copyFileSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { functions, type Access, type FunctionName, type FunctionSpec } from '../wiring';

const ROOT = resolve(__dirname, '..', '..');

/**
 * Packages left out of the cloud bundles: they serve the local engine only. nodemailer is the local SMTP transport of
 * invitation mail (shared/ports/mailer.ts); the cloud sends through SES, and a cloud function told to use SMTP
 * answers the invitation link instead of failing.
 */
const CLOUD_EXTERNALS = ['nodemailer'] as const;

/** NodejsFunction's bundling settings for every function (source maps: see README, Benchmarks, phase z). */
export const BUNDLING = { minify: true, sourceMap: true, target: 'node22', format: 'cjs', bundleAwsSDK: true, externals: CLOUD_EXTERNALS } as const;

/** The shell commands (NodejsFunction's `afterBundling`) that copy a function's `files` beside its bundle. */
export function copyFilesCommands(files: readonly string[], inputDir: string, outputDir: string): string[] {
  return files.map((file) => `cp "${join(inputDir, file)}" "${join(outputDir, basename(file))}"`);
}

/** A function's bundle may be at most this many times its floor's size unless its wiring says otherwise. */
export const DEFAULT_BUNDLE_BUDGET = 1.25;

/** One AWS SDK client a grant implies: the package, and the statement that makes a floor bundle hold it. */
interface SdkClient {
  name: string;
  imports: string;
  use: string;
  /** The package whose presence in a bundle means the client is there. */
  pkg: string;
}

const CLIENTS = {
  dynamodb: {
    name: 'DynamoDB',
    imports: "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';\nimport { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';",
    use: 'DynamoDBDocumentClient.from(new DynamoDBClient({}))',
    pkg: '@aws-sdk/client-dynamodb',
  },
  sqs: { name: 'SQS', imports: "import { SQSClient } from '@aws-sdk/client-sqs';", use: 'new SQSClient({})', pkg: '@aws-sdk/client-sqs' },
  scheduler: { name: 'Scheduler', imports: "import { SchedulerClient } from '@aws-sdk/client-scheduler';", use: 'new SchedulerClient({})', pkg: '@aws-sdk/client-scheduler' },
  websocket: {
    name: 'API Gateway management',
    imports: "import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';",
    use: "new ApiGatewayManagementApiClient({ endpoint: 'https://localhost' })",
    pkg: '@aws-sdk/client-apigatewaymanagementapi',
  },
  secrets: { name: 'Secrets Manager', imports: "import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';", use: 'new SecretsManagerClient({})', pkg: '@aws-sdk/client-secrets-manager' },
  kms: { name: 'KMS', imports: "import { KMSClient } from '@aws-sdk/client-kms';", use: 'new KMSClient({})', pkg: '@aws-sdk/client-kms' },
  s3: {
    name: 'S3 (with the presigner)',
    imports: "import { S3Client } from '@aws-sdk/client-s3';\nimport { getSignedUrl } from '@aws-sdk/s3-request-presigner';",
    use: 'new S3Client({}), getSignedUrl',
    pkg: '@aws-sdk/client-s3',
  },
  translate: { name: 'Translate', imports: "import { TranslateClient } from '@aws-sdk/client-translate';", use: 'new TranslateClient({})', pkg: '@aws-sdk/client-translate' },
  ses: { name: 'SES v2', imports: "import { SESv2Client } from '@aws-sdk/client-sesv2';", use: 'new SESv2Client({})', pkg: '@aws-sdk/client-sesv2' },
  bedrock: {
    name: 'Bedrock Runtime',
    imports: "import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';",
    use: 'new BedrockRuntimeClient({})',
    pkg: '@aws-sdk/client-bedrock-runtime',
  },
} satisfies Record<string, SdkClient>;

type ClientKey = keyof typeof CLIENTS;

/** The SDK clients a function's grants imply, in a fixed order (the floor's identity). */
export function sdkClientsOf(access: Access): ClientKey[] {
  const keys: ClientKey[] = [];
  if (access.table) keys.push('dynamodb');
  if ((access.sendTo?.length ?? 0) > 0 || (access.sendToDeadLetter?.length ?? 0) > 0) keys.push('sqs');
  if (access.scheduler) keys.push('scheduler');
  if (access.websocket) keys.push('websocket');
  if (access.tokenSecret) keys.push('secrets');
  if (access.credentials) keys.push('kms');
  if (access.blobs) keys.push('s3');
  if (access.translate) keys.push('translate');
  if (access.mail) keys.push('ses');
  if (access.generative) keys.push('bedrock');
  return keys;
}

export const clientNames = (keys: ClientKey[]): string => (keys.length === 0 ? 'no SDK client' : keys.map((k) => CLIENTS[k].name).join(', '));

/** The floor module of a set of clients: each instantiated at load, as a function's module scope does. */
export function floorSource(keys: ClientKey[]): string {
  const imports = keys.map((k) => CLIENTS[k].imports).join('\n');
  const uses = keys.map((k) => CLIENTS[k].use).join(', ');
  return `${imports}\nexport const clients = [${uses}];\nexport const handler = async () => ({ statusCode: 200, body: String(clients.length) });\n`;
}

/** A ratio to the floor, or (a function with no SDK client, whose floor is an empty handler) a size in KB. */
export type BundleBudget = { ratio: number } | { kb: number };

export const budgetOf = (spec: FunctionSpec): BundleBudget =>
  spec.bundleBudgetKb !== undefined ? { kb: spec.bundleBudgetKb } : { ratio: spec.bundleBudget ?? DEFAULT_BUNDLE_BUDGET };

export const budgetText = (budget: BundleBudget): string => ('kb' in budget ? `${budget.kb} KB` : `${budget.ratio}x floor`);

/** Why a bundle is over its budget, or undefined when it is within it. */
export function budgetProblem(f: BundleFigure): string | undefined {
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;
  const ratio = f.bytes / f.floorBytes;
  const over = 'kb' in f.budget ? f.bytes > f.budget.kb * 1024 : ratio > f.budget.ratio;
  if (!over) return undefined;
  return `${f.name}: ${kb(f.bytes)}, ${ratio.toFixed(2)}x its floor (${kb(f.floorBytes)}: ${f.floorClients}); its budget is ${budgetText(f.budget)}`;
}

export interface BundleFigure {
  name: FunctionName;
  /** The bundle (index.js), minified, without its source map. */
  file: string;
  bytes: number;
  floorFile: string;
  floorBytes: number;
  /** What the floor holds, e.g. `DynamoDB, SQS`. */
  floorClients: string;
  budget: BundleBudget;
  /** SDK clients in the bundle that its wiring does not grant (carried in by an import, never callable). */
  ungranted: string[];
}

/**
 * Builds every function's bundle (or the named ones) and their floors under `outdir`, in one esbuild run with the
 * options NodejsFunction passes to esbuild for BUNDLING (`--bundle --platform=node --target --format --minify
 * --sourcemap`; the SDK is bundled, only BUNDLING.externals are left out).
 */
export async function buildBundles(outdir: string, names: FunctionName[] = Object.keys(functions) as FunctionName[]): Promise<BundleFigure[]> {
  // Loaded here, not at the top: the wiring's readers need not load esbuild.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require('esbuild') as typeof import('esbuild');
  const floorDir = join(outdir, 'floor-src');
  mkdirSync(floorDir, { recursive: true });
  const floors = new Map<string, ClientKey[]>();
  const plan = names.map((name) => {
    const spec: FunctionSpec = functions[name];
    const keys = sdkClientsOf(spec.access);
    const floorKey = keys.length === 0 ? 'empty' : keys.join('-');
    floors.set(floorKey, keys);
    return { name, spec, floorKey };
  });
  const entryPoints = [
    ...plan.map(({ name, spec }) => ({ in: join(ROOT, spec.entry), out: `${name}/index` })),
    ...[...floors].map(([floorKey, keys]) => {
      const source = join(floorDir, `${floorKey}.ts`);
      writeFileSync(source, floorSource(keys));
      return { in: source, out: `floor-${floorKey}/index` };
    }),
  ];
  const result = await esbuild.build({
    entryPoints,
    outdir,
    absWorkingDir: ROOT,
    // The floors' sources sit outside the project; their SDK packages are the project's.
    nodePaths: [join(ROOT, 'node_modules')],
    bundle: true,
    platform: 'node',
    target: BUNDLING.target,
    format: BUNDLING.format,
    minify: BUNDLING.minify,
    sourcemap: BUNDLING.sourceMap,
    external: [...BUNDLING.externals],
    metafile: true,
    logLevel: 'silent',
  });
  // A warning can mean a bundle that runs differently from the source: above all an import kept only for its side
  // effects and dropped because package.json's `sideEffects` does not list its module.
  if (result.warnings.length > 0) {
    const text = await esbuild.formatMessages(result.warnings, { kind: 'warning' });
    throw new Error(`esbuild warned while bundling the functions:\n${text.join('\n')}`);
  }
  const sizeOf = (file: string) => statSync(file).size;
  const outputs = Object.entries(result.metafile.outputs);
  const clientsIn = (name: string): Set<ClientKey> => {
    const inputs = Object.keys(outputs.find(([path]) => path.endsWith(`${name}/index.js`))?.[1].inputs ?? {});
    return new Set((Object.keys(CLIENTS) as ClientKey[]).filter((k) => inputs.some((i) => i.includes(`node_modules/${CLIENTS[k].pkg}/`))));
  };
  // As the cloud ships them: the files a handler reads beside its bundle (not counted in its size).
  for (const { name, spec } of plan) for (const file of spec.files ?? []) copyFileSync(join(ROOT, file), join(outdir, name, basename(file)));
  return plan.map(({ name, spec, floorKey }) => {
    const granted = new Set(floors.get(floorKey) ?? []);
    const file = join(outdir, name, 'index.js');
    const floorFile = join(outdir, `floor-${floorKey}`, 'index.js');
    return {
      name,
      file,
      bytes: sizeOf(file),
      floorFile,
      floorBytes: sizeOf(floorFile),
      floorClients: clientNames(floors.get(floorKey) ?? []),
      budget: budgetOf(spec),
      ungranted: [...clientsIn(name)].filter((k) => !granted.has(k)).map((k) => CLIENTS[k].name),
    };
  });
}
