import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';

const WORKER_FILE = 'mockServiceWorker.js';

/**
 * Serves MSW's worker script at `/mockServiceWorker.js` in development and writes it into the build, straight from
 * the installed `msw` package, so the app never carries a copy that could drift from the library version.
 */
export function mockServiceWorker(): Plugin {
  const source = () => readFileSync(createRequire(import.meta.url).resolve(`msw/${WORKER_FILE}`), 'utf8');
  return {
    name: 'ceo-dashboard:mock-service-worker',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        if (req.url?.split('?')[0] !== `${server.config.base}${WORKER_FILE}`) return next();
        res.setHeader('Content-Type', 'text/javascript');
        res.setHeader('Cache-Control', 'no-cache');
        res.end(source());
      });
    },
    generateBundle() {
      this.emitFile({ type: 'asset', fileName: WORKER_FILE, source: source() });
    },
  };
}

/** One file of a build, with its size on disk and gzipped. */
export interface BundleFile {
  file: string;
  bytes: number;
  gzipBytes: number;
}

/** What a browser downloads for the app: the first page load, and everything the build holds. */
export interface BundleReport {
  /** The files `index.html` loads (its scripts, their static imports, styles), index.html included. */
  initial: { bytes: number; gzipBytes: number; files: string[] };
  /** Every file of the build. */
  total: { bytes: number; gzipBytes: number };
  files: BundleFile[];
}

function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? listFiles(full, `${prefix}${name}/`) : [`${prefix}${name}`];
  });
}

/** Measures a build folder: every file raw and gzipped, and the part the first page load needs. */
export function measureBundle(outDir: string): BundleReport {
  const files = listFiles(outDir)
    .sort()
    .map((file): BundleFile => {
      const bytes = readFileSync(path.join(outDir, file));
      return { file, bytes: bytes.length, gzipBytes: gzipSync(bytes, { level: 9 }).length };
    });
  // index.html names its entry script, its modulepreloads (the entry's static imports) and its stylesheets.
  const html = readFileSync(path.join(outDir, 'index.html'), 'utf8');
  const referenced = new Set(['index.html']);
  for (const match of html.matchAll(/(?:src|href)="\/?([^"]+\.(?:js|css))"/g)) if (match[1]) referenced.add(match[1]);
  const initialFiles = files.filter((f) => referenced.has(f.file));
  const sum = (list: BundleFile[]) => ({
    bytes: list.reduce((n, f) => n + f.bytes, 0),
    gzipBytes: list.reduce((n, f) => n + f.gzipBytes, 0),
  });
  return { initial: { ...sum(initialFiles), files: initialFiles.map((f) => f.file) }, total: sum(files), files };
}

/** `123.4 kB` */
export function kilobytes(bytes: number): string {
  return `${(bytes / 1000).toFixed(1)} kB`;
}

/** One line for people: the first load and the whole build, raw and gzipped. */
export function formatBundleReport(label: string, report: BundleReport): string {
  return (
    `${label}: first load ${kilobytes(report.initial.bytes)} (${kilobytes(report.initial.gzipBytes)} gzip), ` +
    `whole build ${kilobytes(report.total.bytes)} (${kilobytes(report.total.gzipBytes)} gzip) in ${report.files.length} files`
  );
}

/** Prints the size of the build once it is written (`pnpm --filter ceo-dashboard build`). */
export function bundleSizeReport(label: string): Plugin {
  let outDir = '';
  let print: (line: string) => void = () => {};
  return {
    name: 'ceo-dashboard:bundle-size',
    apply: 'build',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
      print = (line) => config.logger.info(line);
    },
    closeBundle() {
      print(formatBundleReport(label, measureBundle(outDir)));
    },
  };
}
