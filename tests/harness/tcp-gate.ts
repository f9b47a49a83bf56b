// A TCP relay between a server and the one calling it, which the test controls: it can hold the
// server's answer bytes after a given count (an origin that stalls mid-file) and let them go, or
// cut every connection after a given count (an origin that dies mid-file). TLS passes through
// untouched, so the two real homeservers still talk HTTPS with their certificates.
import { createServer, connect, type Server, type Socket } from "node:net";

export interface TcpGate {
  port: number;
  /** Where the relay connects (set before the first connection). */
  upstreamPort: number;
  /** Bytes relayed from the server so far, all connections together. */
  readonly relayed: number;
  /** Whether server bytes are being held now. */
  readonly holding: boolean;
  /** Holds the server's bytes once `bytes` more have been relayed; resolves when it holds. */
  holdAfter(bytes: number): Promise<void>;
  /** Lets held bytes go and relays freely again. */
  release(): void;
  /** Cuts every connection once `bytes` more have been relayed; resolves when cut. */
  cutAfter(bytes: number): Promise<void>;
  /** Connections open now (each closed on both sides when either side closes it). */
  readonly connections: number;
  /** Resolves when no connection is open (at once if none is): the caller hung up, the server was hung up on. */
  allClosed(): Promise<void>;
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  upstream: Socket;
  pending: Buffer[];
}

export async function startTcpGate(): Promise<TcpGate> {
  const pairs = new Set<Pair>();
  let relayed = 0;
  let rule: { at: number; kind: "hold" | "cut"; reached: () => void } | undefined;
  let holding = false;
  let closedWaiters: (() => void)[] = [];

  const forward = (p: Pair, chunk: Buffer): void => {
    if (holding) {
      p.pending.push(chunk);
      p.upstream.pause();
      return;
    }
    if (rule && relayed + chunk.length >= rule.at) {
      const head = chunk.subarray(0, rule.at - relayed);
      const tail = chunk.subarray(head.length);
      relayed += head.length;
      const r = rule;
      rule = undefined;
      if (r.kind === "cut") {
        p.client.write(head, () => {
          for (const q of pairs) destroy(q);
          r.reached();
        });
        return;
      }
      p.client.write(head);
      holding = true;
      if (tail.length > 0) forward(p, tail);
      r.reached();
      return;
    }
    relayed += chunk.length;
    p.client.write(chunk);
  };
  const destroy = (p: Pair): void => {
    p.client.destroy();
    p.upstream.destroy();
    pairs.delete(p);
    if (pairs.size === 0) {
      const waiters = closedWaiters;
      closedWaiters = [];
      for (const w of waiters) w();
    }
  };

  const server: Server = createServer((client) => {
    const upstream = connect(gate.upstreamPort, "127.0.0.1");
    const p: Pair = { client, upstream, pending: [] };
    pairs.add(p);
    client.pipe(upstream);
    upstream.on("data", (chunk: Buffer) => forward(p, chunk));
    upstream.on("end", () => client.end());
    upstream.on("error", () => destroy(p));
    client.on("error", () => destroy(p));
    client.on("close", () => destroy(p));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("tcp gate: no port");

  const arm = (bytes: number, kind: "hold" | "cut"): Promise<void> => new Promise((resolve) => {
    rule = { at: relayed + bytes, kind, reached: resolve };
  });
  const gate: TcpGate = {
    port: address.port,
    upstreamPort: 0,
    get relayed() {
      return relayed;
    },
    get holding() {
      return holding;
    },
    get connections() {
      return pairs.size;
    },
    allClosed: () => new Promise<void>((resolve) => {
      if (pairs.size === 0) resolve();
      else closedWaiters.push(resolve);
    }),
    holdAfter: (bytes) => arm(bytes, "hold"),
    cutAfter: (bytes) => arm(bytes, "cut"),
    release() {
      holding = false;
      for (const p of pairs) {
        const held = p.pending;
        p.pending = [];
        for (const chunk of held) forward(p, chunk);
        if (!holding) p.upstream.resume();
      }
    },
    async close() {
      for (const p of pairs) destroy(p);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return gate;
}
