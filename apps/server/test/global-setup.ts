import type { TestProject } from 'vitest/node';
import { buildServerForTests, type ServerBuild } from './server-build.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The compiled server (test/server-build.ts) that the tests start in processes of their own. */
    serverBuild: ServerBuild;
  }
}

/** Before any test starts: builds the compiled server, or finds it in the cache, and tells the tests where it is. */
export default async function setup(project: TestProject): Promise<void> {
  project.provide('serverBuild', await buildServerForTests());
}
