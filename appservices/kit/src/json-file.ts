// A bot's small state file: read as text (undefined when it does not exist yet), written whole as
// JSON through a temporary file, synced then renamed, so a crash leaves the old file or the new
// one, never half of one. The folder is created private (0700), the file too (0600).
import { mkdir, open, readFile, rename } from "node:fs/promises";
import { dirname } from "node:path";

export async function readTextIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    return undefined;
  }
}

export async function writeJsonFileAtomic(path: string, data: unknown): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  const fh = await open(tmp, "w", 0o600);
  try {
    await fh.writeFile(JSON.stringify(data));
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
}
