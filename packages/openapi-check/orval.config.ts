import { defineConfig } from 'orval';

/** orval: one fetch client for every operation, with the server's base URL put in by `base-url.ts`. */
export default defineConfig({
  cims: {
    input: { target: '../../contracts/openapi.json' },
    output: {
      target: 'generated/orval/cims.ts',
      client: 'fetch',
      mode: 'single',
      override: { mutator: { path: 'src/clients/orval-fetch.ts', name: 'orvalFetch' } },
    },
  },
});
