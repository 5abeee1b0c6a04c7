// The bench-only Python venv (bench/.venv, git-ignored) with MLX Python from PyPI, pinned to the MLX that
// mlxts builds against, for the benchmarks that run MLX Python beside mlxts. npm test never needs it.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const MLX_VERSION = '0.32.4';
const venv = new URL('./.venv', import.meta.url).pathname;

/** The venv's python, after creating the venv (or reinstalling mlx) when it lacks mlx MLX_VERSION. */
export function mlxPython() {
  const python = `${venv}/bin/python`;
  const version = () => execFileSync(python, ['-c', 'import mlx.core as mx; print(mx.__version__)'], { encoding: 'utf8' }).trim();
  if (existsSync(python)) {
    try {
      if (version() === MLX_VERSION) return python;
    } catch {}
  } else {
    console.error('creating bench/.venv with MLX Python from PyPI...');
    execFileSync('python3', ['-m', 'venv', venv], { stdio: 'inherit' });
  }
  execFileSync(python, ['-m', 'pip', 'install', '--quiet', `mlx[cpu]==${MLX_VERSION}`], { stdio: 'inherit' });
  return python;
}
