// node-llama-cpp (llama.cpp for Node, prebuilt binaries from npm) for bench:compare, installed on first use
// into bench/.llama-cpp (git-ignored) so that the repository's own npm install stays lean. Only the
// linux-x64 CPU binary package is installed; install scripts are skipped, so nothing is downloaded or
// built at run time (the bench asks for build: 'never').
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';

const VERSION = '3.22.1';
const folder = new URL('./.llama-cpp/', import.meta.url).pathname;

/** The folder holding node-llama-cpp, installing it first; undefined where no prebuilt CPU binary fits. */
export function llamaCppFolder() {
  if (process.platform !== 'linux' || process.arch !== 'x64') return undefined;
  if (existsSync(`${folder}node_modules/@node-llama-cpp/linux-x64/package.json`)) return folder;
  console.error(`installing node-llama-cpp ${VERSION} into bench/.llama-cpp...`);
  mkdirSync(folder, { recursive: true });
  writeFileSync(`${folder}package.json`, '{ "private": true, "type": "module" }\n');
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--omit=optional',
    `node-llama-cpp@${VERSION}`, `@node-llama-cpp/linux-x64@${VERSION}`], { cwd: folder, stdio: 'inherit' });
  return folder;
}
