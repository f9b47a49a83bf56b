// npm run build -w client: always rebuilds.
import { buildClient } from "./client-build.ts";

await buildClient((l) => process.stdout.write(l));
