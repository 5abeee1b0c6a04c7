// The command line of mlxts-launch. Pure (no I/O) so it is tested on its own. Options come first; the
// first word that is not an option (or everything after `--`) is the command each rank runs, with its
// own arguments untouched.

export const USAGE = `Usage: mlxts-launch [options] <script.mjs | command> [args...]

Starts the ranks of an MLX distributed job (the ring backend) and prints their output with a rank
prefix. Each rank gets MLX_RANK and MLX_HOSTFILE, as MLX Python's launcher sets them, so mlxts and MLX
Python ranks can share one ring. A .js/.mjs/.cjs script runs under this Node.js; anything else runs
as a command. If one rank fails, the others are stopped.

Options:
  -n, --processes <n>      start n ranks on this machine, on free loopback ports (default 1)
  --hostfile <file>        the ring's addresses: a JSON list with one list of "host:port" per rank
                           (MLX_HOSTFILE's format), or MLX's launcher hostfile ({"hosts": [{"ips": [...]}]})
  --ranks <list>           with --hostfile, the ranks to start here, such as 0,1 (default: all)
  --starting-port <port>   for an MLX launcher hostfile: rank r listens on port + r (default 32323)
  --env <KEY=VALUE>        set an environment variable for every rank (repeatable)
  -h, --help               show this help`;

export interface LaunchOptions {
  help: boolean;
  /** Ranks to start on loopback when there is no hostfile. */
  processes: number;
  hostfile?: string;
  /** With a hostfile: which ranks to start (undefined: all). */
  ranks?: number[];
  startingPort: number;
  env: Record<string, string>;
  /** The command of every rank: a script or a program, then its arguments. */
  command: string[];
}

/** A command line that cannot be run; the message says why. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

function integer(flag: string, value: string | undefined, min: number, max: number): number {
  const n = Number(value);
  if (value === undefined || value.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`${flag} must be an integer from ${min} to ${max}, got ${value === undefined ? 'nothing' : `'${value}'`}`);
  }
  return n;
}

/** Parses `argv` (without node and the launcher itself). */
export function parseLaunchArgs(argv: readonly string[]): LaunchOptions {
  const options: LaunchOptions = { help: false, processes: 1, startingPort: 32323, env: {}, command: [] };
  let processesGiven = false;
  let i = 0;
  const value = (flag: string): string => {
    const v = argv[++i];
    if (v === undefined) throw new UsageError(`${flag} needs a value`);
    return v;
  };
  for (; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      i++;
      break;
    }
    if (!arg.startsWith('-')) break;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const next = () => inline ?? value(flag);
    switch (flag) {
      case '-h':
      case '--help':
        options.help = true;
        break;
      case '-n':
      case '--processes':
        options.processes = integer(flag, next(), 1, 1024);
        processesGiven = true;
        break;
      case '--hostfile':
        options.hostfile = next();
        break;
      case '--ranks':
        options.ranks = next()
          .split(',')
          .map((r) => integer('--ranks', r, 0, 1 << 20));
        break;
      case '--starting-port':
        options.startingPort = integer(flag, next(), 1, 65535);
        break;
      case '--env': {
        const pair = next();
        const eq = pair.indexOf('=');
        if (eq <= 0) throw new UsageError(`--env must be KEY=VALUE, got '${pair}'`);
        options.env[pair.slice(0, eq)] = pair.slice(eq + 1);
        break;
      }
      default:
        throw new UsageError(`unknown option '${arg}' (the command comes after the options; see --help)`);
    }
  }
  options.command = argv.slice(i);
  if (options.help) return options;
  if (options.command.length === 0) throw new UsageError('no script or command to launch');
  if (options.hostfile !== undefined && processesGiven) throw new UsageError('give either -n or --hostfile, not both');
  if (options.ranks !== undefined && options.hostfile === undefined) throw new UsageError('--ranks needs --hostfile');
  return options;
}
