// Provisions MLX, then builds the addon with cmake-js against it (incremental after the first run).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { currentSystem, findInstalled, prebuiltFor, sourceBuildPath } from './binary.mjs';
import { SetupError, ensureMlxSdk } from './mlx-sdk.mjs';

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

// As the package's install script (--if-missing), nothing is built when a prebuilt platform package fits
// or the addon is already built (in the repository, `npm install` builds through Turbo afterwards anyway);
// MLXTS_BUILD_FROM_SOURCE=1 builds all the same.
if (process.argv.includes('--if-missing') && process.env.MLXTS_BUILD_FROM_SOURCE !== '1') {
  if (existsSync(sourceBuildPath)) process.exit(0);
  const prebuilt = prebuiltFor(currentSystem(), findInstalled, process.env.MLXTS_BACKEND?.toLowerCase());
  if (prebuilt.path) {
    console.log(`[mlxts] using the prebuilt addon of ${prebuilt.package}; nothing to build`);
    process.exit(0);
  }
  console.log(`[mlxts] no prebuilt binary fits (${prebuilt.reason}): building the addon from source`);
}

function fail(message) {
  console.error(`\n[mlxts] setup failed: ${message}\n`);
  process.exit(1);
}

let sdk;
try {
  sdk = ensureMlxSdk();
} catch (error) {
  if (error instanceof SetupError) fail(error.message);
  throw error;
}
console.log(`[mlxts] building the addon against MLX from ${sdk.source}, BLAS/LAPACK: ${sdk.blas}`);

const cmakeJs = require.resolve('cmake-js/bin/cmake-js');
const args = [cmakeJs, 'build', '--directory', packageDir, '--generator', 'Ninja', '--parallel', '2',
  `--CDMLX_PREFIX=${sdk.prefix}`];
const built = spawnSync(process.execPath, args, { stdio: 'inherit', cwd: packageDir });
if (built.status !== 0) {
  fail(`the native build failed (exit ${built.status}); the compiler output is above. It needs cmake >= 3.18, ninja and a C++20 compiler (g++ >= 12 or clang >= 15): on Debian/Ubuntu, apt-get install cmake ninja-build g++.`);
}
