// npm run build -w client: always rebuilds.
import { rmSync } from "node:fs";
import { join } from "node:path";
import { DIST_DIR, ensureClientBuild } from "./client-build.ts";

rmSync(join(DIST_DIR, ".build-stamp"), { force: true });
await ensureClientBuild((l) => process.stdout.write(l));
