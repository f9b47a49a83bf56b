// Node: upload state in a JSON file, written to a temporary file then renamed (a crash leaves the
// old or the new state, never half of one), mode 0600 because it holds the parts' keys.
import { readFile, rename, rm, writeFile } from "node:fs/promises";
import { parseUploadState, type UploadStateStore } from "./upload-state.ts";

export function fileStateStore(path: string): UploadStateStore {
  return {
    async load() {
      let text: string;
      try {
        text = await readFile(path, "utf8");
      } catch (e: unknown) {
        if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
        throw e;
      }
      try {
        return parseUploadState(JSON.parse(text));
      } catch {
        return undefined;
      }
    },
    async save(state) {
      const tmp = `${path}.tmp`;
      await writeFile(tmp, JSON.stringify(state), { mode: 0o600 });
      await rename(tmp, path);
    },
    async clear() {
      await rm(path, { force: true });
    },
  };
}
