// Types of model-cache.mjs (see there).
export interface ModelSpec {
  readonly description: string;
  readonly file: string;
  readonly bytes: number;
  readonly sha256: string;
  readonly pypi: { readonly requirement: string; readonly wheelSha256: string; readonly member: string };
}
export declare const MODELS: Readonly<Record<string, ModelSpec>>;
export declare function modelCacheDir(env?: NodeJS.ProcessEnv): string;
export declare function modelPath(id: string, env?: NodeJS.ProcessEnv): string;
export declare function cachedModelPath(id: string, env?: NodeJS.ProcessEnv): string | undefined;
export declare function fetchModel(id: string, options?: { log?: (line: string) => void; env?: NodeJS.ProcessEnv }): Promise<string>;
