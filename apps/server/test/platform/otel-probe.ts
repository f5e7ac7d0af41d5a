/**
 * Loaded with `--import` before the server in a child process (tracing.test.ts): records every `@opentelemetry/*`
 * module the process loads, through ES module resolution and CommonJS `require`, and prints the list when the process
 * exits, on a line of its own: `OTEL_MODULES [...]`.
 */
import { createRequire, register } from 'node:module';
import { MessageChannel } from 'node:worker_threads';

const loaded = new Set<string>();
const { port1, port2 } = new MessageChannel();
port1.on('message', (url: string) => loaded.add(url));
port1.unref();

// Module hooks run on a thread of their own: the resolved URLs come back over the port.
const hooks = `
let port;
export function initialize(data) { port = data.port; }
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  if (result.url.includes('/@opentelemetry/')) port.postMessage(result.url);
  return result;
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`, { data: { port: port2 }, transferList: [port2] });

process.on('exit', () => {
  const required = Object.keys(createRequire(import.meta.url).cache).filter((file) =>
    file.includes('/@opentelemetry/'),
  );
  process.stdout.write(`\nOTEL_MODULES ${JSON.stringify([...loaded, ...required])}\n`);
});
