import { fileURLToPath } from 'node:url';
import SwaggerParser from '@apidevtools/swagger-parser';

/** Validates contracts/openapi.json against the OpenAPI 3.1 schema (structure and every `$ref`). */
const file = fileURLToPath(new URL('../../openapi.json', import.meta.url));
try {
  const api = await SwaggerParser.validate(file);
  console.log(`contracts/openapi.json is valid OpenAPI ${'openapi' in api ? api.openapi : ''}.`);
} catch (error) {
  console.error(`contracts/openapi.json is invalid: ${(error as Error).message}`);
  process.exit(1);
}
