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
 * pass through them. The document is read when first asked for.
 */
export function mountDocs(app: Express): void {
  // Read on the first request for it (it is large), not at start.
  let document: unknown;
  app.get('/openapi.json', (_req, res) => {
    document ??= loadOpenApiDocument();
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
