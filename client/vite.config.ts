import { join } from "node:path";
import { defineConfig, type Plugin } from "vite";

/**
 * The download service worker (src/core/dossiers/download-sw.ts) bundled alone, as ONE classic
 * script at a fixed URL (dist/download-sw.js): a service worker's scope must sit under its
 * script's folder, and module service workers are not in every browser that needs this one.
 */
function downloadServiceWorker(): Plugin {
  return {
    name: "entente-download-sw",
    apply: "build",
    async generateBundle() {
      const { build } = await import("rolldown");
      const out = await build({ input: join(import.meta.dirname, "src/core/dossiers/download-sw.ts"), write: false, platform: "browser", output: { format: "iife", minify: true } });
      this.emitFile({ type: "asset", fileName: "download-sw.js", source: out.output[0].code });
    },
  };
}

// The crypto WebAssembly and matrix-js-sdk end up in chunks loaded after sign-in (dynamic import in
// src/main.ts); the entry chunk is what an agent downloads before signing in.
export default defineConfig({
  root: import.meta.dirname,
  base: "./",
  plugins: [downloadServiceWorker()],
  build: { outDir: "dist", emptyOutDir: true, target: "es2022", sourcemap: false, chunkSizeWarningLimit: 4000 },
});
