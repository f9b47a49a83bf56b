// Runs two federating councils in their own process for the file benchmarks, so the parent can
// read the homeservers' RSS without the benchmark client's own memory. Prints one JSON line.
import { startFederation } from "../harness/federation.ts";
import { registerUser } from "../harness/homeserver.ts";

const fed = await startFederation(["files-a.test", "files-b.test"]);
const a = fed.get("files-a.test").url;
const b = fed.get("files-b.test").url;
const alice = await registerUser(a, "alice");
const bob = await registerUser(b, "bob");
process.stdout.write(JSON.stringify({ a, b, alice: alice.accessToken, bob: bob.accessToken }) + "\n");
process.once("SIGTERM", () => {
  void fed.stop().then(() => process.exit(0));
});
