// schema/mlx-headers.yaml is what the MLX coverage page and the "bound or explained" check work from; it
// must list exactly the functions the installed MLX headers declare.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ensureMlxSdk } from '../../packages/native/scripts/mlx-sdk.mjs';

const repo = fileURLToPath(new URL('../..', import.meta.url));

describe('schema/mlx-headers.yaml', () => {
  it('matches a scan of the installed MLX headers', () => {
    const include = join(ensureMlxSdk().prefix, 'include');
    const run = spawnSync(process.execPath, [join(repo, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(repo, 'codegen', 'src', 'cli.ts'), '--scan-headers', include, '--check'], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });
});
