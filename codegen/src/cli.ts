// npm run codegen [-- --check]: regenerate everything from schema/, or fail listing any drift.
// npm run codegen -- --scan-headers DIR [--check]: refresh schema/mlx-headers.yaml from MLX's headers.
// npm run codegen -- --scan-python-stubs DIR [--check]: refresh schema/mlx-python.yaml from MLX Python's
// type stubs (DIR: where the mlx wheel was unpacked, holding mlx/core/__init__.pyi and mlx-*.dist-info).
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { emitAll, type Seed } from './emit.js';
import { headerListText, SCANNED_HEADERS, scanHeader, versionOf } from './headers.js';
import { formatProblem } from './load.js';
import { pythonListText, scanStub, STUB_MODULES } from './python-stubs.js';
import { loadSchema } from './validate.js';
import { syncTree } from './write.js';

// --root DIR generates from DIR/schema into DIR (the repository by default).
const rootFlag = process.argv.indexOf('--root');
const root = rootFlag >= 0 ? resolve(process.argv[rootFlag + 1]) : resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const check = process.argv.includes('--check');

// A scan's directory is relative to where `npm run` was typed (npm runs the script inside codegen/).
const scanDir = (flag: number) => resolve(process.env.INIT_CWD ?? '.', process.argv[flag + 1] ?? '.');
const scanFlag = process.argv.indexOf('--scan-headers');
if (scanFlag >= 0) process.exit(scanHeaders(scanDir(scanFlag)));
const stubsFlag = process.argv.indexOf('--scan-python-stubs');
if (stubsFlag >= 0) process.exit(scanPythonStubs(scanDir(stubsFlag)));

const { schema, problems } = loadSchema(root);
if (!schema) {
  for (const p of problems) console.error(formatProblem(p));
  console.error(`codegen: ${problems.length} schema problem(s)`);
  process.exit(1);
}
const files = emitAll(schema, readSeeds(join(root, 'schema', 'seed-ops.tsv')));
const drift = syncTree(root, files, { check });
const total = drift.changed.length + drift.added.length + drift.stale.length;
if (check) {
  if (total > 0) {
    for (const p of drift.changed) console.error(`out of date: ${p}`);
    for (const p of drift.added) console.error(`missing:     ${p}`);
    for (const p of drift.stale) console.error(`stale:       ${p}`);
    console.error(`codegen --check: ${total} generated file(s) differ from the schema; run \`npm run codegen\``);
    process.exit(1);
  }
  console.log(`codegen --check: ${files.size} generated files match ${schema.ops.length} ops`);
} else {
  console.log(`codegen: ${schema.ops.length} ops, ${files.size} files (${drift.added.length} added, ${drift.changed.length} changed, ${drift.stale.length} removed)`);
}

// --scan-headers DIR: rewrite (or with --check, compare) schema/mlx-headers.yaml from the MLX headers in DIR.
function scanHeaders(includeDir: string): number {
  if (!existsSync(join(includeDir, 'mlx', 'version.h'))) {
    console.error(`codegen --scan-headers: ${includeDir} has no mlx/version.h; pass MLX's include directory (the folder holding mlx/ops.h)`);
    return 1;
  }
  const read = (header: string) => readFileSync(join(includeDir, header), 'utf8');
  const text = headerListText(versionOf(read('mlx/version.h')), new Map(SCANNED_HEADERS.map((h) => [h, scanHeader(read(h))])));
  return refreshScan('mlx-headers.yaml', text, `--scan-headers ${includeDir}`);
}

// --scan-python-stubs DIR: rewrite (or with --check, compare) schema/mlx-python.yaml from the stubs in DIR.
function scanPythonStubs(dir: string): number {
  const distInfo = existsSync(dir) ? readdirSync(dir).find((d) => /^mlx-[\d.]+\.dist-info$/.test(d)) : undefined;
  if (!distInfo || !existsSync(join(dir, STUB_MODULES[0].file))) {
    console.error(`codegen --scan-python-stubs: ${dir} has no mlx-*.dist-info and ${STUB_MODULES[0].file}; unpack the mlx wheel there (unzip mlx-*.whl -d DIR)`);
    return 1;
  }
  const modules = new Map(STUB_MODULES.map((m) => [m.prefix, scanStub(readFileSync(join(dir, m.file), 'utf8'))]));
  return refreshScan('mlx-python.yaml', pythonListText(distInfo.slice(4, -'.dist-info'.length), modules), `--scan-python-stubs ${dir}`);
}

// Writes a scan's output to schema/FILE, or with --check reports whether it differs.
function refreshScan(file: string, text: string, command: string): number {
  const path = join(root, 'schema', file);
  const current = existsSync(path) ? readFileSync(path, 'utf8') : '';
  if (check) {
    if (current === text) return 0;
    console.error(`codegen ${command} --check: schema/${file} differs from the scan; run \`npm run codegen -- ${command}\``);
    return 1;
  }
  writeFileSync(path, text);
  console.log(`codegen: schema/${file} ${current === text ? 'unchanged' : 'updated'}`);
  return 0;
}

function readSeeds(path: string): Seed[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'))
    .map((line) => {
      const [name, family] = line.split('\t');
      return { name: name.trim(), family: (family ?? '').trim() };
    });
}
