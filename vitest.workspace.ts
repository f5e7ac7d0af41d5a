/** The test projects: each folder has its own vitest.config.ts made with `defineProject` and a `name`. */
export default ['contracts', 'packages/*', 'apps/*', 'examples/*'];
