// Node: upload state in a JSON file, written to a temporary file then renamed (a crash leaves the
// old or the new state, never half of one), mode 0600 because it holds the parts' keys.
import { readFile, rename, rm, writeFile } from "node:fs/promises";
import { parseUploadState, type UploadStateStore } from "./upload-state.ts";

export function fileStateStore(path: string): UploadStateStore {
  // Saves (and clears) run one after the other, each with the state as it was when asked: two
  // parts in flight may save at once, and two writes of the one temporary file raced (the second
  // rename found no file: ENOENT, and its part was sent again).
  let last: Promise<void> = Promise.resolve();
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
    save(state) {
      const tmp = `${path}.tmp`;
      const json = JSON.stringify(state);
      const saved = last.then(async () => {
        await writeFile(tmp, json, { mode: 0o600 });
        await rename(tmp, path);
      });
      last = saved.catch(() => undefined);
      return saved;
    },
    clear() {
      // behind the saves asked before it: a save still queued (a part acknowledged just before a
      // cancel) would otherwise bring the state, and its keys, back after the removal
      const cleared = last.then(async () => {
        await rm(`${path}.tmp`, { force: true });
        await rm(path, { force: true });
      });
      last = cleared.catch(() => undefined);
      return cleared;
    },
  };
}
