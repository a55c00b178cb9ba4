import { resolve } from "node:path";
import { defineConfig } from "vite";

// Two pages, built into the Api's web root: the chat client at / and the operator dashboard at /admin/.
// The output is committed, so the server needs no Node.js at run time (see docs/ARCHITECTURE.md).
export default defineConfig({
  base: "/",
  build: {
    outDir: resolve(import.meta.dirname, "../src/Api/wwwroot"),
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 200,
    rollupOptions: {
      input: {
        chat: resolve(import.meta.dirname, "index.html"),
        admin: resolve(import.meta.dirname, "admin/index.html"),
      },
    },
  },
});
