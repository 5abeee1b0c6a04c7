// The ring's address list (MLX_HOSTFILE): one entry per rank, each a list of "host:port" strings that
// rank listens on (MLX opens one connection per address between neighbours). Read from either that
// format or MLX's launcher hostfile, written for the ranks, or made from free loopback ports.
import { createServer } from 'node:net';

export type RingHosts = string[][];

function isAddress(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const colon = value.lastIndexOf(':');
  const port = Number(value.slice(colon + 1));
  return colon > 0 && Number.isInteger(port) && port > 0 && port < 65536;
}

/**
 * The ring addresses in a hostfile's JSON: MLX_HOSTFILE's format (`[["ip:port", ...], ...]`), or MLX's
 * launcher format (`{"hosts": [{"ssh": ..., "ips": [...]}]}` or its bare list of hosts), in which rank r's
 * addresses are its IPs on consecutive ports from `startingPort`, as MLX's launcher assigns them.
 * Throws an Error that says what is wrong.
 */
export function ringHostsFrom(json: unknown, startingPort: number): RingHosts {
  const hosts = Array.isArray(json) ? json : typeof json === 'object' && json !== null && Array.isArray((json as { hosts?: unknown }).hosts) ? (json as { hosts: unknown[] }).hosts : undefined;
  if (hosts === undefined || hosts.length === 0) throw new Error('a hostfile must be a non-empty JSON list of ranks (or {"hosts": [...]})');
  if (hosts.every((h) => Array.isArray(h))) {
    hosts.forEach((h: unknown[], rank) => {
      if (h.length === 0 || !h.every(isAddress)) throw new Error(`rank ${rank}'s entry must be a non-empty list of "host:port" strings, got ${JSON.stringify(h)}`);
    });
    return hosts as RingHosts;
  }
  let port = startingPort;
  return hosts.map((h: unknown, rank) => {
    const ips = typeof h === 'object' && h !== null ? (h as { ips?: unknown }).ips : undefined;
    if (!Array.isArray(ips) || ips.length === 0 || !ips.every((ip) => typeof ip === 'string' && ip !== '')) {
      throw new Error(`rank ${rank}'s host must have "ips", a non-empty list of IP addresses (the ring needs IPs, not host names), got ${JSON.stringify(h)}`);
    }
    return ips.map((ip: string) => `${ip}:${port++}`);
  });
}

/** Free TCP ports on 127.0.0.1, from the operating system. They are free when returned; nothing holds them. */
export async function freeLoopbackPorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () => new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve(server));
    })),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

/** `count` ranks on this machine, one free loopback port each. */
export async function loopbackRing(count: number): Promise<RingHosts> {
  return (await freeLoopbackPorts(count)).map((port) => [`127.0.0.1:${port}`]);
}
