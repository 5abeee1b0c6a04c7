#!/usr/bin/env node
// mlxts-launch: runs an MLX distributed job's ranks on this machine. See USAGE in args.ts.
import { readFileSync } from 'node:fs';
import { parseLaunchArgs, UsageError, USAGE } from './args.js';
import { loopbackRing, ringHostsFrom, type RingHosts } from './hostfile.js';
import { launch } from './launch.js';

async function main(): Promise<number> {
  try {
    const options = parseLaunchArgs(process.argv.slice(2));
    if (options.help) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    let ring: RingHosts;
    if (options.hostfile !== undefined) {
      let json: unknown;
      try {
        json = JSON.parse(readFileSync(options.hostfile, 'utf8'));
      } catch (error) {
        throw new UsageError(`--hostfile ${options.hostfile}: ${error instanceof Error ? error.message : String(error)}`);
      }
      try {
        ring = ringHostsFrom(json, options.startingPort);
      } catch (error) {
        throw new UsageError(`--hostfile ${options.hostfile}: ${(error as Error).message}`);
      }
    } else {
      ring = await loopbackRing(options.processes);
    }
    const ranks = options.ranks ?? ring.map((_, rank) => rank);
    const outside = ranks.find((r) => r >= ring.length);
    if (outside !== undefined) throw new UsageError(`--ranks: rank ${outside} is not in the hostfile (it has ${ring.length} ranks)`);
    return await launch({ ring, ranks, command: options.command, env: options.env });
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`mlxts-launch: ${error.message}\n\n${USAGE}\n`);
      return 2;
    }
    throw error;
  }
}

process.exitCode = await main();
