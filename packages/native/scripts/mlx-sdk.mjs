// Finds or installs the MLX C++ SDK (headers + libmlx + CMake files) that the addon builds against.
//
// Default: the pinned `mlx-cpu` wheel from PyPI, installed with pip into a git-ignored folder of this
// package. The wheel is a plain prefix (mlx/include, mlx/lib, mlx/share/cmake) and needs no Python at
// run time. MLX_DIR=<prefix> uses an existing MLX instead; MLXTS_BACKEND=cuda picks the CUDA 13 wheel.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureOpenBlas } from './blas.mjs';

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export const mlxVersion = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')).mlxts.mlxVersion;

export const wheels = { cpu: 'mlx-cpu', cuda: 'mlx-cuda-13' };

export class SetupError extends Error {}

export function selectedBackend(env = process.env) {
  const backend = (env.MLXTS_BACKEND ?? 'cpu').toLowerCase();
  if (!(backend in wheels)) {
    throw new SetupError(`MLXTS_BACKEND=${env.MLXTS_BACKEND} is not known; use one of: ${Object.keys(wheels).join(', ')}.`);
  }
  return backend;
}

/** Returns `{ prefix, source, blas }`: an MLX prefix holding include/mlx and lib/libmlx.*, and its BLAS. */
export function ensureMlxSdk(env = process.env) {
  if (env.MLX_DIR) {
    const prefix = resolve(env.MLX_DIR);
    if (!existsSync(join(prefix, 'include', 'mlx', 'mlx.h'))) {
      throw new SetupError(`MLX_DIR=${env.MLX_DIR} has no include/mlx/mlx.h. Point MLX_DIR at an MLX install prefix (the folder holding include/ and lib/), or unset it to use the pinned wheel.`);
    }
    return { prefix, source: `MLX_DIR (${prefix})`, blas: 'the BLAS of that MLX build' };
  }
  const backend = selectedBackend(env);
  const wheel = wheels[backend];
  const target = join(packageDir, 'mlx-sdk', `${wheel}-${mlxVersion}`);
  const prefix = join(target, 'mlx');
  const stamp = join(target, '.installed');
  if (!existsSync(stamp)) {
    installWheel(wheel, target, findPython());
    writeFileSync(stamp, `${wheel}==${mlxVersion}\n`);
  }
  const blas = backend === 'cpu' ? ensureOpenBlas(target, findPython()) : 'cuBLAS (CUDA backend)';
  return { prefix, source: `${wheel}==${mlxVersion} wheel`, blas };
}

function installWheel(wheel, target, python) {
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  console.log(`[mlxts] installing ${wheel}==${mlxVersion} with pip into ${target}`);
  const pip = spawnSync(python, ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-warn-script-location',
    '--target', target, `${wheel}==${mlxVersion}`], { stdio: 'inherit' });
  if (pip.status !== 0) {
    throw new SetupError(`pip could not install ${wheel}==${mlxVersion} (exit ${pip.status}). Check that PyPI is reachable and that your platform has a ${wheel} wheel (Linux x86-64/aarch64), or build MLX yourself and set MLX_DIR to its prefix.`);
  }
}

function findPython() {
  for (const candidate of [process.env.PYTHON, 'python3', 'python'].filter(Boolean)) {
    const probe = spawnSync(candidate, ['-m', 'pip', '--version'], { encoding: 'utf8' });
    if (probe.status === 0) return candidate;
    if (probe.error === undefined && /No module named pip/.test(probe.stderr)) {
      throw new SetupError(`${candidate} has no pip. Install it (Debian/Ubuntu: apt-get install python3-pip; otherwise: ${candidate} -m ensurepip), or set MLX_DIR to an existing MLX prefix.`);
    }
  }
  throw new SetupError('python3 was not found. The MLX SDK is installed from its PyPI wheel with pip: install Python 3 with pip (Debian/Ubuntu: apt-get install python3 python3-pip), or set MLX_DIR to an existing MLX prefix.');
}
