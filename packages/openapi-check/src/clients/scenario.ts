/** What every generated client does against the server, and the values it does it with. */

/** The demo CEO the server seeds into a fresh embedded database (`CIMS_DEMO_DATA`). */
export const DEMO_CEO = { email: 'ceo@cims.local', password: 'ceo-demo-password' };

/** A call recording the server accepts: the 12-byte RIFF/WAVE header its content check reads, then silence. */
export function recording(): Blob {
  const bytes = new Uint8Array(64);
  bytes.set(new TextEncoder().encode('RIFF'), 0);
  bytes.set(new TextEncoder().encode('WAVE'), 8);
  return new Blob([bytes], { type: 'audio/wav' });
}

let phones = 0;
/** A phone number no other customer of the run has (duplicates are allowed, but distinct ones read better). */
export function newPhone(): string {
  phones += 1;
  return `+99890${String(10_000_000 + phones).slice(1)}`;
}

/** Fails the check with `message` unless `condition` holds. */
export function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}
