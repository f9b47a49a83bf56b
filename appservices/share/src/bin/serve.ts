// node appservices/share/src/bin/serve.ts --data DIR --homeserver URL [--host H] [--port P] [--public-url URL]
// Runs the citizen sharing service until SIGTERM/SIGINT. Prints "ready <url>" once listening.
import { parseArgs } from "node:util";
import { startShareService } from "../share-server.ts";

const USAGE = "Usage: serve.ts --data DIR --homeserver URL [--host 127.0.0.1] [--port 8090] [--public-url URL] [--max-bytes N]";
let values;
try {
  ({ values } = parseArgs({ options: { data: { type: "string" }, homeserver: { type: "string" }, host: { type: "string" }, port: { type: "string" }, "public-url": { type: "string" }, "max-bytes": { type: "string" }, help: { type: "boolean" } } }));
} catch (e: unknown) {
  process.stderr.write(`share service: ${(e instanceof Error ? e.message : String(e)).split("\n")[0]}\n`);
  process.exit(2);
}
if (values.help) {
  process.stdout.write(USAGE + "\n");
  process.exit(0);
}
if (!values.data || !values.homeserver) {
  process.stderr.write(`share service: --data and --homeserver are required (${USAGE})\n`);
  process.exit(2);
}
const port = values.port === undefined ? 8090 : Number(values.port);
const maxBytes = values["max-bytes"] === undefined ? undefined : Number(values["max-bytes"]);
if (!Number.isInteger(port) || port < 0 || port > 65535 || (maxBytes !== undefined && !(maxBytes > 0))) {
  process.stderr.write("share service: --port must be 0-65535 and --max-bytes a positive number\n");
  process.exit(2);
}
const svc = await startShareService({
  dataDir: values.data, homeserverUrl: values.homeserver, host: values.host ?? "127.0.0.1", port,
  ...(values["public-url"] ? { publicUrl: values["public-url"] } : {}), ...(maxBytes ? { maxBytes } : {}),
  log: (line) => void process.stdout.write(`${new Date().toISOString()} ${line}\n`),
});
process.stdout.write(`ready ${svc.url}\n`);
for (const sig of ["SIGTERM", "SIGINT"] as const) process.once(sig, () => void svc.close().then(() => process.exit(0)));
