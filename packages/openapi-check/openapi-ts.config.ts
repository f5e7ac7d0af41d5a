import { defineConfig } from '@hey-api/openapi-ts';

/** Hey API: its fetch client, the SDK functions and the types. */
export default defineConfig({
  input: '../../contracts/openapi.json',
  output: 'generated/hey-api',
  plugins: ['@hey-api/client-fetch', '@hey-api/typescript', '@hey-api/sdk'],
});
