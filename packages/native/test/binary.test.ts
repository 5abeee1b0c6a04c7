// Which addon binary @mlxts/native loads: the prebuilt platform package or the source build.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chooseBinary, compareVersions, nativeVersion, prebuiltFor, sourceBuildPath, type FindInstalled } from '../scripts/binary.mjs';

const linux = { platform: 'linux', arch: 'x64', glibc: '2.36' };
const dir = join('app', 'node_modules', '@mlxts', 'native-linux-x64');
const installed: FindInstalled = (name) => (name === '@mlxts/native-linux-x64' ? { dir, version: nativeVersion } : undefined);
const nothing: FindInstalled = () => undefined;

describe('prebuiltFor', () => {
  it('picks the installed linux-x64 package on glibc >= 2.35', () => {
    expect(prebuiltFor(linux, installed)).toEqual({ package: '@mlxts/native-linux-x64', path: join(dir, 'mlxts.node') });
    expect(prebuiltFor({ ...linux, glibc: '2.35' }, installed).path).toBe(join(dir, 'mlxts.node'));
  });

  it('refuses glibc older than 2.35, naming both versions', () => {
    const { reason } = prebuiltFor({ ...linux, glibc: '2.31' }, installed);
    expect(reason).toMatch(/needs glibc >= 2\.35 .*manylinux_2_35.*this system has glibc 2\.31/);
  });

  it('refuses a Linux without glibc', () => {
    expect(prebuiltFor({ ...linux, glibc: undefined }, installed).reason).toMatch(/needs glibc.*musl/);
  });

  it('says when the package is absent, or of another version than @mlxts/native', () => {
    expect(prebuiltFor(linux, nothing).reason).toMatch(/@mlxts\/native-linux-x64 is not installed/);
    const other: FindInstalled = (name) => (name === '@mlxts/native-linux-x64' ? { dir, version: '0.0.1' } : undefined);
    expect(prebuiltFor(linux, other).reason).toBe(`@mlxts/native-linux-x64 0.0.1 is installed, but @mlxts/native is ${nativeVersion}: install matching versions`);
  });

  it('looks for @mlxts/native-darwin-arm64 on Apple silicon, with no glibc to check', () => {
    const asked: string[] = [];
    const mac = { platform: 'darwin', arch: 'arm64', glibc: undefined };
    const found = prebuiltFor(mac, (name) => (asked.push(name), { dir: 'pkg', version: nativeVersion }));
    expect(asked).toEqual(['@mlxts/native-darwin-arm64']);
    expect(found.path).toBe(join('pkg', 'mlxts.node'));
  });

  it('names the platforms it has packages for when there is none for this one', () => {
    expect(prebuiltFor({ platform: 'win32', arch: 'x64', glibc: undefined }, installed).reason).toBe(
      'there is no prebuilt binary for win32-x64 (there are for: linux-x64, linux-x64-cuda, darwin-arm64)',
    );
  });
});

describe('chooseBinary', () => {
  const choose = (env: NodeJS.ProcessEnv, sourceBuilt: boolean, find = installed) => chooseBinary({ env, system: linux, sourceBuilt, findInstalled: find });

  it('loads the prebuilt package when there is no source build', () => {
    expect(choose({}, false)).toEqual({ kind: 'prebuilt', package: '@mlxts/native-linux-x64', path: join(dir, 'mlxts.node') });
  });

  it('loads a source build when there is one: it exists only where it was asked for or nothing else fitted', () => {
    expect(choose({}, true)).toEqual({ kind: 'source', path: sourceBuildPath });
  });

  it('accepts only the source build under MLXTS_BUILD_FROM_SOURCE=1', () => {
    expect(choose({ MLXTS_BUILD_FROM_SOURCE: '1' }, true).kind).toBe('source');
    const none = choose({ MLXTS_BUILD_FROM_SOURCE: '1' }, false);
    expect(none.kind).toBe('none');
    expect(none.kind === 'none' && none.reason).toMatch(/^MLXTS_BUILD_FROM_SOURCE=1 is set and there is no source build: build it from source with `npm rebuild @mlxts\/native`/);
  });

  it('explains both missing paths when nothing can be loaded', () => {
    const none = choose({}, false, nothing);
    expect(none.kind === 'none' && none.reason).toMatch(/^no prebuilt binary fits: @mlxts\/native-linux-x64 is not installed .*; and there is no source build: build it from source/);
  });
});

describe('compareVersions', () => {
  it('compares dotted versions numerically', () => {
    expect(compareVersions('2.4', '2.35')).toBe(-1);
    expect(compareVersions('2.35', '2.35')).toBe(0);
    expect(compareVersions('2.35.1', '2.35')).toBe(1);
    expect(compareVersions('3.0', '2.35')).toBe(1);
  });
});

describe('the CUDA package', () => {
  const cudaDir = join('app', 'node_modules', '@mlxts', 'native-linux-x64-cuda');
  const both: FindInstalled = (name) => (name.startsWith('@mlxts/native-linux-x64') ? { dir: name === '@mlxts/native-linux-x64' ? dir : cudaDir, version: nativeVersion } : undefined);

  it('is taken when installed, unless MLXTS_BACKEND=cpu', () => {
    expect(prebuiltFor(linux, both, undefined)).toEqual({ package: '@mlxts/native-linux-x64-cuda', path: join(cudaDir, 'mlxts.node') });
    expect(prebuiltFor(linux, both, 'cuda').package).toBe('@mlxts/native-linux-x64-cuda');
    expect(prebuiltFor(linux, both, 'cpu').package).toBe('@mlxts/native-linux-x64');
  });

  it('is not missed when absent and the CPU package is there, but is when MLXTS_BACKEND=cuda asks for it', () => {
    expect(prebuiltFor(linux, installed, undefined).package).toBe('@mlxts/native-linux-x64');
    expect(prebuiltFor(linux, installed, 'cuda').reason).toBe('@mlxts/native-linux-x64-cuda is not installed (install it with npm install)');
  });

  it('reports the CPU package missing when neither is installed', () => {
    expect(prebuiltFor(linux, nothing, undefined).reason).toMatch(/^@mlxts\/native-linux-x64 is not installed \(npm installs it/);
  });

  it('refuses an unknown MLXTS_BACKEND, and CUDA where there is no CUDA package', () => {
    expect(prebuiltFor(linux, both, 'rocm').reason).toBe('MLXTS_BACKEND=rocm is not known; use cpu or cuda');
    expect(prebuiltFor({ platform: 'darwin', arch: 'arm64', glibc: undefined }, both, 'cuda').reason).toMatch(/^there is no CUDA prebuilt binary for darwin-arm64/);
  });
});
