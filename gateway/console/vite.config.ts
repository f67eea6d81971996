import { defineConfig } from "vite";
import preact from "@preact/preset-vite";

// Served by the gateway at /app (gateway/console/__init__.py): hashed assets under /app/assets/.
export default defineConfig({
  base: "/app/",
  plugins: [preact()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    assetsDir: "assets",
    sourcemap: false,
  },
});
