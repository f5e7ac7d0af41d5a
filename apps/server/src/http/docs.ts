import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Express } from 'express';
import swaggerUi from 'swagger-ui-express';

const require = createRequire(import.meta.url);

/** The OpenAPI 3.1 document generated from the contract (`pnpm openapi`). */
export function loadOpenApiDocument(): unknown {
  return JSON.parse(readFileSync(require.resolve('@cims/contracts/openapi.json'), 'utf8'));
}

/**
 * `GET /openapi.json` and the interactive reference at `/docs`, mounted on their own paths so that API requests never
 * pass through them.
 */
export function mountDocs(app: Express): void {
  const document = loadOpenApiDocument();
  app.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  app.use(
    '/docs',
    swaggerUi.serveFiles(undefined, { swaggerOptions: { url: '/openapi.json' } }),
    swaggerUi.setup(undefined, {
      customSiteTitle: 'CIMS API reference',
      swaggerOptions: { url: '/openapi.json', displayOperationId: true, tryItOutEnabled: false },
    }),
  );
}
