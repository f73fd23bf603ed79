import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// The service puts a <base href> pointing at the console's root into index.html (see
// src/console/console-assets.ts); the dev server does the same so that deep links work there too.
const devBase: Plugin = {
  name: 'alert-relay-dev-base',
  apply: 'serve',
  transformIndexHtml: () => [{ tag: 'base', attrs: { href: '/console/' }, injectTo: 'head-prepend' }],
};

export default defineConfig({
  root: here('.'),
  // Relative asset URLs resolved against that <base>: the console also works behind a path prefix.
  base: './',
  plugins: [devBase],
  resolve: { alias: { '@alert-relay/client': here('../clients/typescript/src/index.ts') } },
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: here('../dist/console'),
    emptyOutDir: true,
    // Every browser the console supports has modulepreload; the polyfill would be dead weight.
    modulePreload: { polyfill: false },
    reportCompressedSize: true,
  },
  // `npm run console:dev`: the app with hot reload, the API of a service running on ALERT_RELAY_URL.
  server: {
    proxy: { '/api': process.env.ALERT_RELAY_URL ?? 'http://127.0.0.1:8080' },
  },
});
