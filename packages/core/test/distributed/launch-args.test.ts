// mlxts-launch's command line and hostfile reading (pure functions).
import { describe, expect, it } from 'vitest';
import { parseLaunchArgs, UsageError } from '../../src/launch/args.js';
import { ringHostsFrom } from '../../src/launch/hostfile.js';

describe('parseLaunchArgs', () => {
  it('takes options up to the command and leaves the command\'s own arguments alone', () => {
    expect(parseLaunchArgs(['-n', '4', 'train.mjs', '--lr', '0.1', '-n', '2'])).toEqual({
      help: false, processes: 4, startingPort: 32323, env: {}, command: ['train.mjs', '--lr', '0.1', '-n', '2'],
    });
    const withHostfile = parseLaunchArgs(['--hostfile=h.json', '--ranks', '0,2', '--env', 'A=b=c', '--', '-odd-command']);
    expect(withHostfile).toMatchObject({ hostfile: 'h.json', ranks: [0, 2], env: { A: 'b=c' }, command: ['-odd-command'] });
    expect(parseLaunchArgs(['--help']).help).toBe(true);
  });

  it.each([
    [['-n', '0', 'a.mjs'], '-n must be an integer from 1 to 1024'],
    [['-n', 'x', 'a.mjs'], "-n must be an integer from 1 to 1024, got 'x'"],
    [['-n'], '-n needs a value'],
    [['--bogus', 'a.mjs'], "unknown option '--bogus'"],
    [['-n', '2'], 'no script or command to launch'],
    [['--ranks', '0', 'a.mjs'], '--ranks needs --hostfile'],
    [['-n', '2', '--hostfile', 'h.json', 'a.mjs'], 'give either -n or --hostfile, not both'],
    [['--env', 'NOEQUALS', 'a.mjs'], "--env must be KEY=VALUE, got 'NOEQUALS'"],
  ])('refuses %j', (argv, message) => {
    expect(() => parseLaunchArgs(argv)).toThrow(UsageError);
    expect(() => parseLaunchArgs(argv)).toThrow(message);
  });
});

describe('ringHostsFrom', () => {
  it('reads MLX_HOSTFILE\'s format as it is', () => {
    const ring = [['10.0.0.1:5000', '10.0.0.1:5001'], ['10.0.0.2:5000', '10.0.0.2:5001']];
    expect(ringHostsFrom(ring, 1)).toEqual(ring);
  });

  it('turns MLX\'s launcher hostfile into ring addresses on consecutive ports, as mlx.launch assigns them', () => {
    const hosts = { backend: 'ring', hosts: [{ ssh: 'a', ips: ['10.0.0.1'] }, { ssh: 'b', ips: ['10.0.0.2', '10.0.1.2'] }] };
    expect(ringHostsFrom(hosts, 4000)).toEqual([['10.0.0.1:4000'], ['10.0.0.2:4001', '10.0.1.2:4002']]);
    expect(ringHostsFrom(hosts.hosts, 4000)).toEqual([['10.0.0.1:4000'], ['10.0.0.2:4001', '10.0.1.2:4002']]);
  });

  it.each([
    [[], 'non-empty JSON list'],
    [{ nodes: [] }, 'non-empty JSON list'],
    [[['10.0.0.1']], `rank 0's entry must be a non-empty list of "host:port" strings`],
    [[['10.0.0.1:1'], []], `rank 1's entry must be a non-empty list`],
    [[{ ssh: 'a' }], `rank 0's host must have "ips"`],
  ])('refuses %j', (json, message) => {
    expect(() => ringHostsFrom(json, 1)).toThrow(message);
  });
});
