#!/usr/bin/env node
// npm run doctor (npx mlxts-doctor where @mlxts packages are installed): what a bug report needs — which
// addon binary is loaded (prebuilt or source build) and from where, MLX version and backend, the BLAS/LAPACK
// libmlx really loads, thread counts, Node and Node-API versions.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { blasInUse, openblasVersion } from './blas.mjs';
import { locateBinary } from './binary.mjs';
import { mlxVersion } from './mlx-sdk.mjs';

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The BLAS and LAPACK libraries libmlx.so resolves to, as the dynamic loader sees them. */
function loadedBlas(libmlx) {
  const ldd = spawnSync('ldd', [libmlx], { encoding: 'utf8' });
  if (ldd.status !== 0) return 'unknown (ldd unavailable)';
  const libs = ldd.stdout
    .split('\n')
    .map((l) => l.trim().split(' ')[0])
    .filter((name) => /blas|lapack|accelerate|mkl/i.test(name));
  return libs.length > 0 ? libs.join(', ') : 'none linked dynamically';
}

/** The libraries libmlx.so needs that the dynamic loader cannot find (for CUDA: NVIDIA's, when not on the library path). */
function missingLibraries(libmlx) {
  const ldd = spawnSync('ldd', [libmlx], { encoding: 'utf8' });
  return ldd.status === 0 ? ldd.stdout.split('\n').filter((l) => l.includes('not found')).map((l) => l.trim().split(' ')[0]) : [];
}

export function doctorReport() {
  const lines = [];
  const add = (key, value) => lines.push(`${(key + ':').padEnd(16)} ${value}`);
  const binary = locateBinary();
  let info;
  if (binary.kind === 'none') {
    add('addon', `none to load: ${binary.reason}`);
  } else {
    add('addon', binary.kind === 'prebuilt' ? `prebuilt, from ${binary.package} (${binary.path})` : `built from source (${binary.path})`);
    try {
      info = createRequire(import.meta.url)(binary.path).info;
    } catch (error) {
      add('addon error', `not loadable: ${error.message.split('\n')[0]}`);
    }
  }
  add('mlx', info ? `${info.mlxVersion} (pinned ${mlxVersion})` : `pinned ${mlxVersion}`);
  add('backend', info ? info.backend : process.env.MLXTS_BACKEND ?? 'cpu');
  const sdk = join(packageDir, 'mlx-sdk');
  const cpuSdk = existsSync(sdk) ? readdirSync(sdk).find((d) => d.startsWith('mlx-cpu-')) : undefined;
  if (binary.kind === 'prebuilt') {
    const bundled = dirname(binary.path);
    const manifest = JSON.parse(readFileSync(join(bundled, 'package.json'), 'utf8'));
    add('mlx source', `bundled in ${binary.package} ${manifest.version}`);
    add('blas/lapack', `${manifest.mlxts?.blas ?? 'unknown'} (bundled)`);
    const libmlx = [join(bundled, 'libmlx.so'), join(bundled, 'lib', 'libmlx.so')].find((p) => existsSync(p));
    add('libmlx loads', loadedBlas(libmlx));
    const missing = missingLibraries(libmlx);
    if (missing.length > 0) add('not found', `${missing.join(', ')} (put them on the library path: see the install docs)`);
  } else if (process.env.MLX_DIR) {
    add('mlx source', `MLX_DIR=${process.env.MLX_DIR}`);
    add('blas', loadedBlas(join(process.env.MLX_DIR, 'lib', 'libmlx.so')));
  } else if (cpuSdk) {
    const root = join(sdk, cpuSdk);
    const kind = blasInUse(root);
    add('mlx source', `${cpuSdk} wheel`);
    add('blas/lapack', kind === 'openblas' ? `OpenBLAS ${openblasVersion} (switched from the wheel's reference BLAS)` : 'reference BLAS/LAPACK 3.10.0 bundled with the wheel');
    add('libmlx loads', loadedBlas(join(root, 'mlx', 'lib', 'libmlx.so')));
  }
  add('threads', `${cpus().length} cores; OPENBLAS_NUM_THREADS=${process.env.OPENBLAS_NUM_THREADS ?? '(unset: one per core)'}`);
  if (process.env.OPENBLAS_CORETYPE) add('openblas core', `${process.env.OPENBLAS_CORETYPE} (OPENBLAS_CORETYPE)`);
  if (info?.cpuQuantizedMatmul) add('cpu qmm', `${info.cpuQuantizedMatmul} (the addon's quantized matmul kernel; MLXTS_CPU_THREADS=${process.env.MLXTS_CPU_THREADS ?? '(unset: one per core)'})`);
  add('node', `${process.version} (Node-API ${process.versions.napi})`);
  add('addon napi', info ? String(info.napiVersion) : 'unknown');
  add('platform', `${process.platform} ${process.arch}, ${cpus()[0]?.model ?? 'unknown CPU'}`);
  return lines.join('\n') + '\n';
}

// Run directly or through the mlxts-doctor link in node_modules/.bin.
if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.stdout.write(doctorReport());
}
