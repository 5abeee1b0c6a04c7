// Prints what the launcher gave this rank (no MLX needed).
import { readFileSync } from 'node:fs';

console.log(`rank ${process.env.MLX_RANK} extra ${process.env.EXTRA}`);
if (process.env.MLX_RANK === '0') console.error(`hosts ${readFileSync(process.env.MLX_HOSTFILE, 'utf8').trim()}`);
process.stdout.write('tail without newline');
