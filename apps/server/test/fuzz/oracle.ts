import { ApiErrorSchema, ERROR_STATUS, type ErrorCode, ValidationErrorSchema } from '@cims/contracts';
import { type AppRoute, isAppRouteNoBody, isAppRouteOtherResponse, isZodType } from '@ts-rest/core';

/** An answer as the fuzz suite saw it; status 0 when the connection failed without one. */
export interface Answer {
  status: number;
  contentType: string;
  text: string;
  requestId: string;
}

/** One way an answer breaks the route's contract, with the error code the answer carried, if any. */
export interface Violation {
  problem: string;
  code?: string;
}

/**
 * What is wrong with an answer, per the route's contract; empty when nothing is. A 5xx is always wrong, whether or not
 * the route lists it: a route declares 500 because any server can fail, not because a request may make it.
 */
export function violations(route: AppRoute, answer: Answer): Violation[] {
  const out: Violation[] = [];
  const { status } = answer;
  let json: unknown;
  try {
    json = answer.text ? JSON.parse(answer.text) : undefined;
  } catch {
    json = undefined;
  }
  const code = (json as { code?: unknown } | undefined)?.code;
  const codeText = typeof code === 'string' ? code : undefined;
  if (status === 0) return [{ problem: answer.text }];
  if (status >= 500) out.push({ problem: `answered ${status}`, code: codeText });
  const declared = route.responses[status as keyof typeof route.responses];
  if (declared === undefined) out.push({ problem: `status ${status} is not declared by the route`, code: codeText });
  if (status >= 400) {
    const shape = status === 422 ? ValidationErrorSchema : ApiErrorSchema;
    const parsed = shape.safeParse(json);
    if (!parsed.success) {
      out.push({
        problem: `error body is not the contract's ${status === 422 ? '422 ' : ''}error shape`,
        code: codeText,
      });
    } else if (ERROR_STATUS[parsed.data.code as ErrorCode] !== status) {
      out.push({
        problem: `code ${parsed.data.code} belongs to ${ERROR_STATUS[parsed.data.code as ErrorCode]}`,
        code: codeText,
      });
    }
  } else if (status >= 200 && status < 300 && declared !== undefined) {
    if (isAppRouteNoBody(declared)) {
      if (answer.text !== '') out.push({ problem: `${status} has a body, the contract says none` });
    } else if (isAppRouteOtherResponse(declared)) {
      const [type] = declared.contentType.split('*');
      if (!answer.contentType.startsWith(type ?? '')) {
        out.push({ problem: `${status} is ${answer.contentType}, not ${declared.contentType}` });
      }
    } else if (isZodType(declared)) {
      const parsed = declared.safeParse(json);
      if (!parsed.success) {
        const first = parsed.error.issues[0];
        out.push({
          problem: `${status} body fails the response schema at ${first?.path.join('.')}: ${first?.message}`,
        });
      }
    }
  }
  return out;
}
