import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// One build produces every process: Electron main, the media worker, the CLI / Node host,
// the sandboxed preload (one CommonJS file) and the Svelte renderer.
export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      sourcemap: true,
      // zod is bundled: loading it as hundreds of small modules was most of a CLI command's
      // start-up time. Native modules and binaries stay external.
      externalizeDeps: { exclude: ['zod'] },
      rollupOptions: {
        input: {
          index: resolve('main/electron/index.ts'),
          worker: resolve('main/worker/entry.ts'),
          cli: resolve('main/cli/opscope.ts'),
        },
        output: {
          format: 'es',
          entryFileNames: '[name].js',
          chunkFileNames: 'chunks/[name]-[hash].js',
          manualChunks: (id) => (id.includes('/node_modules/zod/') ? 'zod' : undefined),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      externalizeDeps: false,
      isolatedEntries: true,
      rollupOptions: {
        input: { index: resolve('preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'renderer',
    plugins: [svelte()],
    build: {
      outDir: 'out/renderer',
      rollupOptions: { input: { index: resolve('renderer/index.html') } },
    },
  },
});
