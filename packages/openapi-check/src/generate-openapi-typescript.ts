import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import openapiTS, { astToString } from 'openapi-typescript';
import ts from 'typescript';

const BLOB = ts.factory.createTypeReferenceNode(ts.factory.createIdentifier('Blob'));

/**
 * openapi-typescript types a `format: binary` string as `string`; its documented `transform` hook makes the file parts
 * of multipart bodies `Blob`, which is what a caller puts into FormData.
 */
export async function generateOpenapiTypescript(document: URL, target: string): Promise<void> {
  const ast = await openapiTS(document, {
    transform(schema) {
      if (schema.format === 'binary') return BLOB;
      return undefined;
    },
  });
  await mkdir(dirname(target), { recursive: true });
  await writeFile(target, astToString(ast));
}
