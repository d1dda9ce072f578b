/**
 * Bundle budgets from the wiring: each function's bundle, built with the options NodejsFunction uses
 * (lib/cloud/bundles.ts), weighs at most its `bundleBudget` times its floor, the bundle of only the AWS SDK clients
 * its `access` grants. Size only: load times are the bench's (phase z), never a test's.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { budgetProblem, buildBundles, floorSource, sdkClientsOf, type BundleFigure } from '../../lib/cloud/bundles';
import { functions, type FunctionName } from '../../lib/wiring';

const names = Object.keys(functions) as FunctionName[];

describe('function bundles against their budgets', () => {
  let outdir: string;
  let figures: Map<FunctionName, BundleFigure>;

  beforeAll(async () => {
    outdir = mkdtempSync(join(tmpdir(), 'switchboard-bundles-'));
    figures = new Map((await buildBundles(outdir)).map((f) => [f.name, f]));
  }, 180_000);

  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it.each(names)('%s stays within its bundle budget', (name) => {
    expect(budgetProblem(figures.get(name)!)).toBeUndefined();
  });

  it('builds each floor from exactly the clients the grants imply', () => {
    expect(sdkClientsOf({ table: 'RO', sendTo: ['inbound'], credentials: 'decrypt' })).toEqual(['dynamodb', 'sqs', 'kms']);
    expect(sdkClientsOf({ sendToDeadLetter: ['outbound'], scheduler: true, websocket: true, tokenSecret: true, blobs: 'RO' })).toEqual([
      'sqs',
      'scheduler',
      'websocket',
      'secrets',
      's3',
    ]);
    expect(sdkClientsOf({})).toEqual([]);
    const source = floorSource(['dynamodb', 'kms']);
    expect(source).toContain("from '@aws-sdk/client-dynamodb'");
    expect(source).toContain("from '@aws-sdk/client-kms'");
    expect(source).not.toContain('client-sqs');
  });
});
