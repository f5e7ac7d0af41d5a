import type { Role } from '@cims/contracts';

/** The caller of an authenticated request. */
export interface Caller {
  userId: number;
  sessionId: number;
  role: Role;
  email: string;
}
