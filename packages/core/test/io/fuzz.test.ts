// Byte-flip fuzzing of mx.load: every mutated file must either load (and evaluate) or be refused with an
// MlxError naming it, and the process must survive without a hang or a large allocation. Each format runs
// in a child process (fuzz-child.mjs) so that a crash is reported with its case instead of killing the
// runner. MLXTS_FUZZ_CASES sets the cases per format (1000 by default), MLXTS_FUZZ_SEED replays a run.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const CASES = Number(process.env.MLXTS_FUZZ_CASES ?? 1000);
const SEED = Number(process.env.MLXTS_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const child = fileURLToPath(new URL('./fuzz-child.mjs', import.meta.url));
const folder = mkdtempSync(join(tmpdir(), 'mlxts-fuzz-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe(`mx.load on mutated files (${CASES} cases per format, MLXTS_FUZZ_SEED=${SEED})`, () => {
  for (const format of ['npy', 'safetensors', 'gguf']) {
    it(`${format}: every case loads or is refused with an MlxError naming the file`, () => {
      const run = spawnSync(process.execPath, [child, format, String(CASES), String(SEED), folder], { encoding: 'utf8', timeout: 600_000, maxBuffer: 64 << 20 });
      const lines = run.stdout.trim().split('\n');
      const last = lines[lines.length - 1] ?? '';
      const replay = `replay: MLXTS_FUZZ_SEED=${SEED} MLXTS_FUZZ_CASES=${CASES}`;
      expect(run.error, `the run failed or hung after ${last} (${replay})`).toBeUndefined();
      expect(run.status, `the process died (signal ${run.signal}) after ${last} (${replay}): ${run.stderr.slice(-2000)}`).toBe(0);
      const result = JSON.parse(last) as { loaded: number; refused: number; other: { case: number; error: string }[]; maxRssKb: number };
      expect(result.other, replay).toEqual([]);
      expect(result.loaded + result.refused).toBe(CASES);
      // Both outcomes occur: the mutations neither all break the file nor all miss what is checked.
      expect(result.loaded).toBeGreaterThan(0);
      expect(result.refused).toBeGreaterThan(0);
      // The files are a few hundred bytes: nothing may allocate what a hostile header declares.
      expect(result.maxRssKb, 'peak resident memory (KB)').toBeLessThan(1024 * 1024);
    });
  }
});
