/**
 * The smallest useful program on @cims/sdk: point it at a server and it reports whether the server is up and ready.
 *
 *   CIMS_URL=http://127.0.0.1:8000 pnpm --filter node-quickstart start
 */
import { CimsApiError, createCimsClient, unwrap } from '@cims/sdk';

const baseUrl = process.env.CIMS_URL ?? 'http://127.0.0.1:8000';
const cims = createCimsClient({ baseUrl });

try {
  const live = unwrap(await cims.health.liveness());
  console.log(`Server ${baseUrl} is up: version ${live.version}, running for ${live.uptime_seconds}s.`);

  const ready = await cims.health.readiness({ query: { verbose: 'true' } });
  const checks = Object.entries(ready.body && 'checks' in ready.body ? (ready.body.checks ?? {}) : {});
  console.log(`Ready for traffic: ${ready.status === 200 ? 'yes' : 'no'}`);
  for (const [name, check] of checks) {
    console.log(`  - ${name}: ${check.status}${check.latency_ms === undefined ? '' : ` (${check.latency_ms} ms)`}`);
  }
} catch (error) {
  if (error instanceof CimsApiError) console.error(`The server refused: ${error.code} ${error.message}`);
  else console.error(`Could not reach ${baseUrl}: ${(error as Error).message}`);
  process.exitCode = 1;
}
