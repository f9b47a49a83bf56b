// Relative base: the built wrapper works from any folder of any static server (docs/widgets.md).
import { defineConfig } from "vite";

export default defineConfig({
  base: "./",
  build: { outDir: "dist", emptyOutDir: true, target: "es2022" },
});
