// Which addon binary @mlxts/native loads: a prebuilt platform package (@mlxts/native-<platform>-<arch>, an
// optional dependency that npm installs only where its os/cpu/libc fields match) or the addon built from
// source into this package's build/ folder. Plain JavaScript, because the install script uses it before
// any TypeScript is built; the loader (lib/index.ts) and `npm run doctor` use it too.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

export const nativeVersion = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')).version;
export const sourceBuildPath = join(packageDir, 'build', 'Release', 'mlxts.node');

/**
 * The prebuilt packages, by name suffix: npm's os/cpu/libc fields, the oldest glibc their binaries load on
 * (MLX's Linux wheels are manylinux_2_35; the addon is built with g++ 12, which needs libstdc++'s
 * GLIBCXX_3.4.30, as on Ubuntu 22.04 and Debian 12) and the MLX backend. The CUDA package is installed by
 * hand (it needs NVIDIA's CUDA 13 libraries beside it); darwin-arm64 is built on a Mac. See
 * docs/concepts/install.md.
 */
export const prebuiltPlatforms = {
  'linux-x64': { os: 'linux', cpu: 'x64', libc: 'glibc', glibc: '2.35', backend: 'cpu' },
  'linux-x64-cuda': { os: 'linux', cpu: 'x64', libc: 'glibc', glibc: '2.35', backend: 'cuda' },
  'darwin-arm64': { os: 'darwin', cpu: 'arm64', backend: 'metal' },
};

export const prebuiltPackageName = (platform) => `@mlxts/native-${platform}`;

const howToBuild =
  'build it from source with `npm rebuild @mlxts/native` (needs Python 3 with pip, CMake, Ninja and a C++20 compiler; see the install docs)';

/** -1, 0 or 1 as dotted version a is older than, equal to or newer than b. */
export function compareVersions(a, b) {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

/**
 * The prebuilt package for `system` ({ platform, arch, glibc }), if one is installed and fits:
 * `{ package, path }`, or `{ reason }` saying why not. `findInstalled(name)` returns the installed
 * package's `{ dir, version }` or undefined. `backend` is MLXTS_BACKEND: 'cuda' takes only the CUDA
 * package, 'cpu' never; unset, an installed CUDA package comes first (installing it is the choice).
 */
export function prebuiltFor(system, findInstalled, backend) {
  if (backend !== undefined && !['cpu', 'cuda'].includes(backend)) {
    return { reason: `MLXTS_BACKEND=${backend} is not known; use cpu or cuda` };
  }
  const key = `${system.platform}-${system.arch}`;
  const wanted = { cuda: (b) => b === 'cuda', cpu: (b) => b !== 'cuda', undefined: () => true }[backend];
  // An installed CUDA package comes first.
  const candidates = [`${key}-cuda`, key].filter((k) => k in prebuiltPlatforms && wanted(prebuiltPlatforms[k].backend));
  if (candidates.length === 0) {
    const which = backend === 'cuda' ? 'CUDA ' : '';
    return { reason: `there is no ${which}prebuilt binary for ${key} (there are for: ${Object.keys(prebuiltPlatforms).join(', ')})` };
  }
  const results = candidates.map((candidate) => fits(candidate, system, findInstalled));
  const found = results.find((r) => r.path);
  if (found) return found;
  // The telling reason: not "the CUDA package is not installed" when it is the CPU one that was expected.
  return { reason: (results.find((r) => !r.absent) ?? results.at(-1)).reason };
}

function fits(platform, system, findInstalled) {
  const spec = prebuiltPlatforms[platform];
  const name = prebuiltPackageName(platform);
  if (spec.libc === 'glibc' && !system.glibc) {
    return { reason: `${name} needs glibc, and this system's C library is another one (musl?)` };
  }
  if (spec.glibc && compareVersions(system.glibc, spec.glibc) < 0) {
    return { reason: `${name} needs glibc >= ${spec.glibc} (MLX's Linux build is manylinux_${spec.glibc.replace('.', '_')}); this system has glibc ${system.glibc}` };
  }
  const installed = findInstalled(name);
  if (!installed) {
    const how = spec.backend === 'cuda' ? 'install it with npm install' : 'npm installs it as an optional dependency unless optional dependencies are omitted';
    return { absent: true, reason: `${name} is not installed (${how})` };
  }
  if (installed.version !== nativeVersion) {
    return { reason: `${name} ${installed.version} is installed, but @mlxts/native is ${nativeVersion}: install matching versions` };
  }
  return { package: name, path: join(installed.dir, 'mlxts.node') };
}

/**
 * Decides which binary to load: `{ kind: 'source' | 'prebuilt', path, package? }`, or `{ kind: 'none', reason }`.
 * A source build wins when there is one: it exists only where it was asked for (MLXTS_BUILD_FROM_SOURCE=1
 * at install, `npm rebuild`, a repository checkout) or where no prebuilt fitted. MLXTS_BUILD_FROM_SOURCE=1
 * at load time accepts nothing else.
 */
export function chooseBinary({ env, system, sourceBuilt, findInstalled }) {
  const source = { kind: 'source', path: sourceBuildPath };
  if (env.MLXTS_BUILD_FROM_SOURCE === '1') {
    return sourceBuilt ? source : { kind: 'none', reason: `MLXTS_BUILD_FROM_SOURCE=1 is set and there is no source build: ${howToBuild}` };
  }
  if (sourceBuilt) return source;
  const prebuilt = prebuiltFor(system, findInstalled, env.MLXTS_BACKEND?.toLowerCase());
  if (prebuilt.path) return { kind: 'prebuilt', package: prebuilt.package, path: prebuilt.path };
  return { kind: 'none', reason: `no prebuilt binary fits: ${prebuilt.reason}; and there is no source build: ${howToBuild}` };
}

/** This process's platform, architecture and glibc version (undefined off glibc). */
export function currentSystem() {
  const glibc = process.platform === 'linux' ? process.report.getReport().header.glibcVersionRuntime : undefined;
  return { platform: process.platform, arch: process.arch, glibc };
}

/** Where an installed package is, and its version, as Node resolves it from this package. */
export function findInstalled(name) {
  let manifest;
  try {
    manifest = require.resolve(`${name}/package.json`);
  } catch {
    return undefined;
  }
  if (!existsSync(join(dirname(manifest), 'mlxts.node'))) return undefined;
  return { dir: dirname(manifest), version: JSON.parse(readFileSync(manifest, 'utf8')).version };
}

/** The binary this process loads (see chooseBinary). */
export function locateBinary(env = process.env) {
  const sourceBuilt = existsSync(sourceBuildPath);
  // The glibc version comes from a diagnostic report, which is only worth making when a prebuilt may load.
  const system = sourceBuilt ? { platform: process.platform, arch: process.arch, glibc: undefined } : currentSystem();
  return chooseBinary({ env, system, sourceBuilt, findInstalled });
}
