// Stage 1: read YAML files keeping positions, so every later message can say file:line.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { LineCounter, parseDocument, type Document } from 'yaml';

export type Path = ReadonlyArray<string | number>;

export interface LoadedFile {
  /** Path relative to the repository root, as messages print it. */
  readonly file: string;
  readonly data: unknown;
  /** The 1-based line of the node at `path` (or of the closest parent that exists). */
  lineOf(path: Path): number;
}

export interface Problem {
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

export function formatProblem(p: Problem): string {
  return `${p.file}:${p.line}: ${p.message}`;
}

export function parseYaml(file: string, text: string): { loaded?: LoadedFile; problems: Problem[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: true });
  // The first syntax error is the real one; the rest are usually its echoes.
  const problems: Problem[] = doc.errors.slice(0, 1).map((e) => ({
    file,
    line: e.linePos?.[0]?.line ?? 1,
    message: e.message.split('\n')[0] ?? e.message,
  }));
  if (problems.length > 0) return { problems };
  const lineOf = (path: Path) => {
    for (let n = path.length; n >= 0; n--) {
      const node = nodeAt(doc, path.slice(0, n));
      if (node?.range) return lineCounter.linePos(node.range[0]).line;
    }
    return 1;
  };
  return { loaded: { file, data: doc.toJS(), lineOf }, problems };
}

function nodeAt(doc: Document, path: Path): { range?: [number, number, number] | null } | undefined {
  if (path.length === 0) return doc.contents ?? undefined;
  const node = doc.getIn(path, true) as { range?: [number, number, number] | null } | undefined;
  if (node !== undefined && (typeof node === 'object')) return node;
  return undefined;
}

/** Loads every .yaml file under `dir`, recursively, sorted for determinism. */
export function loadTree(root: string, dir: string): { files: LoadedFile[]; problems: Problem[] } {
  const files: LoadedFile[] = [];
  const problems: Problem[] = [];
  for (const path of listYaml(join(root, dir))) {
    const rel = relative(root, path).split('\\').join('/');
    const result = parseYaml(rel, readFileSync(path, 'utf8'));
    problems.push(...result.problems);
    if (result.loaded) files.push(result.loaded);
  }
  return { files, problems };
}

function listYaml(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...listYaml(path));
    else if (name.endsWith('.yaml')) out.push(path);
  }
  return out;
}

