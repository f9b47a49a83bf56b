// The homeserver's local media store as files on disk: tests count what the server accepted.
import { readdir } from "node:fs/promises";
import { join } from "node:path";

/** Files in the homeserver's media store under `dir` (one per upload the server accepted). */
export async function storedMedia(dir: string): Promise<number> {
  let n = 0;
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true }).catch(() => [])) {
      if (e.isDirectory()) await walk(join(d, e.name));
      else n++;
    }
  };
  await walk(join(dir, "media", "local"));
  return n;
}
