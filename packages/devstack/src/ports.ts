import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * Where free ports are chosen: below the kernel's ephemeral range, and clear of the stacks' fixed
 * ports (8080–9193 for `npm start`, 2xxxx for tests, 3xxxx for benchmarks). A port the kernel hands
 * out for port 0 comes from the ephemeral range, which outgoing connections (Kafka, the database)
 * use too; one of them took an indicator's chosen port between the choice and the start, and every
 * restart of the indicator then failed to listen.
 */
export const CHOSEN_PORTS = { from: 10000, to: 20000 } as const;

/** The kernel's ephemeral port range (Linux), or the IANA default elsewhere. */
export function ephemeralPortRange(): { from: number; to: number } {
  try {
    const [from, to] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (Number.isInteger(from) && Number.isInteger(to)) return { from: from!, to: to! };
  } catch {
    // not Linux
  }
  return { from: 49152, to: 65535 };
}

const canListen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    // The services listen on every interface: check the same.
    server.listen(port, '0.0.0.0', () => server.close(() => resolve(true)));
  });

const taken = new Set<number>();

/** A free port for a service started on a chosen port, outside the ephemeral range, not handed out twice by this process. */
export async function freePort(): Promise<number> {
  const ephemeral = ephemeralPortRange();
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = CHOSEN_PORTS.from + Math.floor(Math.random() * (CHOSEN_PORTS.to - CHOSEN_PORTS.from));
    if (taken.has(port) || (port >= ephemeral.from && port <= ephemeral.to)) continue;
    taken.add(port); // before the check: concurrent calls must not both get it
    if (await canListen(port)) return port;
    taken.delete(port);
  }
  throw new Error(`no free port between ${CHOSEN_PORTS.from} and ${CHOSEN_PORTS.to} after 200 tries`);
}
