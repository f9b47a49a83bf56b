// A browser test's entry (a fixture under tests/browser/fixtures, or a client module) bundled by
// rolldown into one script for a blank page (`page.addScriptTag({ content })`). The client's PDF previews import pdf.js's
// worker as a Vite `?url` asset: an empty address stands in (no fixture draws a PDF).
import { join } from "node:path";

const ROOT = join(import.meta.dirname, "../..");

const viteUrlStub = {
  name: "vite-url-stub",
  resolveId: (id: string) => (id.endsWith("?url") ? "\0url-stub" : null),
  load: (id: string) => (id === "\0url-stub" ? "export default \"about:blank\";" : null),
};

/** `entry`: the file's absolute path. */
export async function bundleForPage(entry: string): Promise<string> {
  const { build } = await import("rolldown");
  const out = await build({ input: entry, write: false, cwd: ROOT, plugins: [viteUrlStub], output: { format: "iife" } });
  return out.output[0].code;
}
