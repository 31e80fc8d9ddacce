import { defineConfig } from "vite";

// Plain Vite: esbuild compiles the TSX with Preact's JSX runtime (tsconfig's jsxImportSource).
export default defineConfig({
  build: { outDir: "dist", emptyOutDir: true, sourcemap: false, assetsInlineLimit: 0 },
});
