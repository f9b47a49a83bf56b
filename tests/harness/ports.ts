// Ports for tests that must know a port before the server starts (configs, host maps).
// They are chosen below the kernel's ephemeral range (Linux: 32768–60999): a port handed out there
// and bound a moment later could meanwhile be taken by any outgoing connection or `listen(0)` of
// the suite (seen as EADDRINUSE in a federation suite). Below the range only explicit binds
// compete; each port is handed out once per process and checked free before it is returned.
import { readFileSync } from "node:fs";
import { createServer } from "node:net";

const LOW = 20_000;
const handedOut = new Set<number>();

function ephemeralStart(): number {
  try {
    const first = Number(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]);
    return Number.isInteger(first) && first > LOW + 1000 ? first : 32_768;
  } catch {
    return 32_768;
  }
}

const HIGH = ephemeralStart() - 1;

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once("error", () => resolve(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
  });
}

function kernelPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW + 1));
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    if (await canBind(port)) return port;
  }
  return kernelPort(); // the range is crowded: fall back to one the kernel picks
}
