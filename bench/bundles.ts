/**
 * Bench phase z: cold-start weight of every function. Builds each function's bundle as the cloud builds it and its
 * floor (only the AWS SDK clients its wiring grants; lib/cloud/bundles.ts), then prints the minified size and the
 * module load time in a fresh Node process (the median of 5: `require` of the bundle, timed inside the process, so
 * Node's own start is left out), both as ratios to the floor's. Load times are measured without source maps, as
 * Lambda runs the functions; `--source-maps` (or a full run of `npm run bench`) also measures the webhook and the
 * health check with `--enable-source-maps`, which is what that flag costs at start. `--quick` measures only
 * QUICK_FUNCTIONS, median of QUICK_SAMPLES (the full table takes minutes on a loaded machine). Runnable alone:
 * `npx tsx bench/bundles.ts [--quick] [--source-maps]`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { budgetProblem, budgetText, buildBundles, type BundleFigure } from '../lib/cloud/bundles';
import type { FunctionName } from '../lib/wiring';

export interface BundleRow extends BundleFigure {
  loadMs: number;
  floorLoadMs: number;
  /** With --enable-source-maps, where measured. */
  loadMsSourceMaps?: number;
}

export interface BundleBench {
  rows: BundleRow[];
  buildMs: number;
  /** Functions over their size budget (the infra test fails on these). */
  overBudget: string[];
}

const SAMPLES = 5;
/** Which functions also get the source-map figure: the provider-facing webhook and the smallest one. */
const SOURCE_MAP_PROBES = ['webhook', 'health'];

/** The environment a function loads with in the cloud, as far as module scope reads it (config parses it). */
const LOAD_ENV = {
  PATH: process.env.PATH ?? '',
  AWS_REGION: 'us-east-1',
  TABLE_NAME: 'switchboard-bench',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  LOG_LEVEL: 'silent',
};

/** Milliseconds to `require` the file in a new Node process. */
function loadOnce(file: string, sourceMaps: boolean): number {
  const script = `const t=performance.now();require(${JSON.stringify(file)});process.stdout.write(String(performance.now()-t))`;
  const out = execFileSync(process.execPath, [...(sourceMaps ? ['--enable-source-maps'] : []), '-e', script], { env: LOAD_ENV, encoding: 'utf8' });
  return Number(out);
}

function medianLoad(file: string, sourceMaps = false, count = SAMPLES): number {
  const samples = Array.from({ length: count }, () => loadOnce(file, sourceMaps)).sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)] ?? Number.NaN;
}

/** The functions a --quick run measures: the provider-facing webhook and the smallest. */
export const QUICK_FUNCTIONS: FunctionName[] = ['webhook', 'health'];
/** Loads per median in a --quick run. */
export const QUICK_SAMPLES = 3;

export async function measureBundles(options: { sourceMaps?: boolean; names?: FunctionName[]; samples?: number } = {}): Promise<BundleBench> {
  const outdir = mkdtempSync(join(tmpdir(), 'switchboard-bench-bundles-'));
  try {
    const samples = options.samples ?? SAMPLES;
    const started = performance.now();
    const figures = await buildBundles(outdir, options.names);
    const buildMs = performance.now() - started;
    const floorLoads = new Map<string, number>();
    const rows = figures.map((f): BundleRow => {
      if (!floorLoads.has(f.floorFile)) floorLoads.set(f.floorFile, medianLoad(f.floorFile, false, samples));
      return {
        ...f,
        loadMs: medianLoad(f.file, false, samples),
        floorLoadMs: floorLoads.get(f.floorFile) ?? Number.NaN,
        ...(options.sourceMaps && SOURCE_MAP_PROBES.includes(f.name) ? { loadMsSourceMaps: medianLoad(f.file, true, samples) } : {}),
      };
    });
    return { rows, buildMs, overBudget: figures.map(budgetProblem).filter((p): p is string => p !== undefined) };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;
const msText = (v: number) => (Number.isFinite(v) ? `${v.toFixed(1)} ms` : 'n/a');

/** The phase's table, one line per function. */
export function bundleTable(bench: BundleBench): string[] {
  const header = ['function', 'size', 'floor', 'size/floor', 'budget', 'load', 'floor load', 'load/floor', 'floor holds'];
  const lines = bench.rows.map((r) => [
    r.name,
    kb(r.bytes),
    kb(r.floorBytes),
    `${(r.bytes / r.floorBytes).toFixed(2)}x`,
    budgetText(r.budget),
    msText(r.loadMs),
    msText(r.floorLoadMs),
    `${(r.loadMs / r.floorLoadMs).toFixed(2)}x`,
    r.floorClients,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const fmt = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  const out = [fmt(header), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.map(fmt)];
  for (const r of bench.rows) {
    if (r.ungranted.length > 0) out.push(`${r.name} carries SDK clients its wiring does not grant: ${r.ungranted.join(', ')}`);
  }
  for (const r of bench.rows) {
    if (r.loadMsSourceMaps !== undefined) out.push(`${r.name} with --enable-source-maps: load ${msText(r.loadMsSourceMaps)} (without: ${msText(r.loadMs)})`);
  }
  out.push(`built ${bench.rows.length} bundles and their floors in ${(bench.buildMs / 1000).toFixed(1)} s`);
  for (const p of bench.overBudget) out.push(`OVER BUDGET ${p}`);
  return out;
}

if (require.main === module) {
  const quick = process.argv.includes('--quick');
  const sourceMaps = process.argv.includes('--source-maps') || !quick;
  measureBundles({ sourceMaps, ...(quick ? { names: QUICK_FUNCTIONS, samples: QUICK_SAMPLES } : {}) })
    .then((bench) => console.log(bundleTable(bench).join('\n')))
    .catch((error: Error) => {
      console.error(`bundle bench could not run: ${error.stack ?? error.message}`);
    });
}
