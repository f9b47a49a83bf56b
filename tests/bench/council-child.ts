// One homeserver in its own process, from a config passed as JSON in ENTENTE_CONFIG (the file
// benchmarks read each homeserver's RSS on its own). Prints "ready" once listening.
import { startHomeserver } from "../../homeserver/src/server/compose.ts";
import type { HomeserverConfig } from "../../homeserver/src/config/config-types.ts";

const raw = JSON.parse(process.env["ENTENTE_CONFIG"] ?? "{}") as HomeserverConfig & { federation: { hostMap: unknown } };
const config: HomeserverConfig = { ...raw, federation: { ...raw.federation, hostMap: new Map(raw.federation.hostMap as unknown as [string, never][]) } };
const hs = await startHomeserver(config, { federationSender: { minBackoffMs: 50, maxBackoffMs: 500 } });
process.stdout.write("ready\n");
process.once("SIGTERM", () => {
  void hs.stop().then(() => process.exit(0));
});
