/**
 * Summarises a V8 `.cpuprofile` by layer, to see what the server spends its CPU on compared with the baseline.
 * Profiles come from `BENCH_PROFILE_DIR=/tmp/prof pnpm --filter @cims/bench bench:auth` (one per measured phase and
 * process, e.g. `GET_auth_me-server-2.cpuprofile`).
 *
 *   pnpm --filter @cims/bench exec tsx src/profile-summary.ts <file.cpuprofile> [--requests N] [--top N]
 *
 * Two views: "self" puts each sample on the layer whose code was running (Node's own code is "node core"); "caused"
 * puts it on the nearest package on the stack (Node's code working for pino counts as pino). With `--requests`, times
 * are also given per request.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { requests: { type: 'string' }, top: { type: 'string', default: '20' } },
});
const file = positionals[0];
if (!file) throw new Error('usage: profile-summary.ts <file.cpuprofile> [--requests N] [--top N]');
const requests = values.requests ? Number(values.requests) : undefined;
const top = Number(values.top);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;

const LAYERS: [RegExp, string][] = [
  [
    /^(express|body-parser|raw-body|content-type|type-is|qs|finalhandler|send|serve-static|on-finished|path-to-regexp|depd|utils-merge|parseurl|encodeurl|escape-html|fresh|range-parser|proxy-addr|forwarded|mime|mime-types|media-typer|accepts|negotiator|vary|cookie|etag|methods|statuses|http-errors|iconv-lite|safer-buffer|unpipe|bytes|setprototypeof|inherits|side-channel.*|call-bind.*|get-intrinsic|es-.*|function-bind|has-.*|hasown|object-inspect|gopd|dunder-proto|math-intrinsics)$/,
    'express (+ its deps)',
  ],
  [/^helmet$/, 'helmet'],
  [
    /^(pino|pino-http|@pinojs\/.*|pino-std-serializers|sonic-boom|fast-redact|thread-stream|atomic-sleep|on-exit-leak-free|quick-format-unescaped|safe-stable-stringify|real-require|process-warning|fast-safe-stringify)$/,
    'pino / pino-http',
  ],
  [/^@ts-rest\//, 'ts-rest'],
  [/^zod$/, 'zod'],
  [
    /^(@mikro-orm\/.*|knex|tarn|mikro-orm-pglite|dataloader|reflect-metadata|globby|fs-extra|esprima|dotenv|lodash.*|debug|ms|colorette|getopts|interpret|rechoir|pg-connection-string|tildify|escalade)$/,
    'MikroORM + knex',
  ],
  [
    /^(pg|pg-protocol|pg-pool|pg-types|pg-int8|postgres-.*|pgpass|split2|pg-cloudflare|obuf|buffer-writer|packet-reader)$/,
    'pg driver',
  ],
  [/^jose$/, 'jose'],
  [/^(swagger-ui-express|swagger-ui-dist)$/, 'docs'],
  [
    /^(multer|busboy|streamsearch|append-field|concat-stream|mkdirp|object-assign|xtend|typedarray|readable-stream)$/,
    'multer',
  ],
  [/^(cors)$/, 'cors'],
  [/^server:/, 'server code'],
  [/^contracts$/, 'contracts'],
  [/baseline-process/, 'baseline code'],
  [/^(tsx|esbuild|get-tsconfig|resolve-pkg-maps)$/, 'tsx (module loading)'],
];

/** Which package a frame belongs to, or undefined for Node's own code and V8's pseudo-frames. */
function packageOf(frame: ProfileNode['callFrame']): string | undefined {
  const { url } = frame;
  if (!url || url.startsWith('node:')) return undefined;
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + '/node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const server = url.indexOf('/apps/server/src/');
  if (server >= 0) return `server:${url.slice(server + '/apps/server/src/'.length)}`;
  if (url.includes('/contracts/src/')) return 'contracts';
  return url.split('/').pop();
}

function layerOf(pkg: string): string {
  return LAYERS.find(([pattern]) => pattern.test(pkg))?.[1] ?? `other: ${pkg}`;
}

function pseudo(frame: ProfileNode['callFrame']): string {
  if (frame.functionName === '(garbage collector)') return 'garbage collector';
  if (frame.functionName === '(program)') return 'V8 (program)';
  return 'node core';
}

const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

const self = new Map<string, number>();
const caused = new Map<string, number>();
const functions = new Map<string, number>();
const add = (map: Map<string, number>, key: string, ms: number) => map.set(key, (map.get(key) ?? 0) + ms);
let busyMs = 0;
let idleMs = 0;
profile.samples.forEach((id, i) => {
  const ms = (profile.timeDeltas[i] ?? 0) / 1000;
  const node = byId.get(id);
  if (!node) return;
  if (node.callFrame.functionName === '(idle)') {
    idleMs += ms;
    return;
  }
  busyMs += ms;
  const own = packageOf(node.callFrame);
  add(self, own ? layerOf(own) : pseudo(node.callFrame), ms);
  let cause: string | undefined;
  for (let at: number | undefined = id; at !== undefined && !cause; at = parent.get(at)) {
    const frame = byId.get(at);
    if (frame) cause = packageOf(frame.callFrame);
  }
  add(caused, cause ? layerOf(cause) : pseudo(node.callFrame), ms);
  const { functionName, url, lineNumber } = node.callFrame;
  add(functions, `${functionName || '(anonymous)'}  ${own ?? url.replace(/^node:/, '')}:${lineNumber + 1}`, ms);
});

console.log(
  `${file}\n${busyMs.toFixed(0)} ms busy, ${idleMs.toFixed(0)} ms idle` +
    (requests ? `, ${requests} requests: ${(busyMs / requests).toFixed(3)} ms of CPU (main thread) per request` : ''),
);
function print(title: string, map: Map<string, number>, limit = Number.POSITIVE_INFINITY): void {
  console.log(`\n${title}`);
  for (const [name, ms] of [...map].sort((a, b) => b[1] - a[1]).slice(0, limit)) {
    const perRequest = requests ? `  ${((1000 * ms) / requests).toFixed(0).padStart(5)} µs/req` : '';
    console.log(
      `${ms.toFixed(0).padStart(7)} ms  ${((100 * ms) / busyMs).toFixed(1).padStart(5)}%${perRequest}  ${name}`,
    );
  }
}
print('Self time by layer', self);
print('Caused by layer (nearest package on the stack)', caused);
print('Self time by function', functions, top);
