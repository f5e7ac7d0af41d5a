import type { Role } from '@cims/contracts';
import type { RequestInfo } from '../audit/audit.js';

/** The caller of an authenticated request. */
export interface Caller {
  userId: number;
  sessionId: number;
  role: Role;
  email: string;
}

/**
 * Who sent an authenticated request and where it came from: what a service method needs besides its input, for its
 * rules (the caller's id, role and session) and its audit entry (the request's address, agent and id). Methods that
 * act for a caller take it first, then the id of what they act on, if any, then one input object.
 */
export interface RequestScope {
  caller: Caller;
  info: RequestInfo;
}
