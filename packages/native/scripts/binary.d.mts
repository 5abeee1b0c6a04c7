// Types of binary.mjs, for the loader in lib/index.ts and the tests.
export type BinaryChoice =
  | { kind: 'source'; path: string }
  | { kind: 'prebuilt'; package: string; path: string }
  | { kind: 'none'; reason: string };

export interface System {
  platform: string;
  arch: string;
  glibc: string | undefined;
}

export type FindInstalled = (name: string) => { dir: string; version: string } | undefined;

export const nativeVersion: string;
export const sourceBuildPath: string;
export const prebuiltPlatforms: Record<string, { os: string; cpu: string; libc?: string; glibc?: string; backend: string }>;
export function prebuiltPackageName(platform: string): string;
export function compareVersions(a: string, b: string): number;
export function prebuiltFor(system: System, findInstalled: FindInstalled, backend?: string): { package: string; path: string } | { reason: string; package?: undefined; path?: undefined };
export function chooseBinary(inputs: { env: NodeJS.ProcessEnv; system: System; sourceBuilt: boolean; findInstalled: FindInstalled }): BinaryChoice;
export function locateBinary(env?: NodeJS.ProcessEnv): BinaryChoice;
