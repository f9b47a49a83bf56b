import { defineConfig } from "vite";

// The crypto WebAssembly and matrix-js-sdk end up in chunks loaded after sign-in (dynamic import in
// src/main.ts); the entry chunk is what an agent downloads before signing in.
export default defineConfig({
  root: import.meta.dirname,
  base: "./",
  build: { outDir: "dist", emptyOutDir: true, target: "es2022", sourcemap: false, chunkSizeWarningLimit: 4000 },
});
