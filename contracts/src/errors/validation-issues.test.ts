import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { validationIssues } from './validation-issues.js';

const Form = z.object({ name: z.string(), tags: z.array(z.string().max(3)), age: z.number().int().optional() });

function issuesOf(value: unknown, location: 'body' | 'query' = 'body') {
  const parsed = Form.safeParse(value);
  if (parsed.success) throw new Error('expected a failure');
  return validationIssues(location, parsed.error);
}

describe('validationIssues', () => {
  it('words an absent field as FastAPI does: Field required, type missing, loc ending in the field', () => {
    expect(issuesOf({ tags: [] })).toEqual([{ loc: ['body', 'name'], msg: 'Field required', type: 'missing' }]);
  });

  it("keeps zod's message and code for every other issue, with the whole path under the location", () => {
    expect(issuesOf({ name: 'a', tags: ['abcd'], age: 1.5 }, 'query')).toEqual([
      { loc: ['query', 'tags', 0], msg: 'String must contain at most 3 character(s)', type: 'too_big' },
      { loc: ['query', 'age'], msg: 'Expected integer, received float', type: 'invalid_type' },
    ]);
  });

  it('a value of the wrong type that is present is no missing field', () => {
    expect(issuesOf({ name: null, tags: [] })).toEqual([
      { loc: ['body', 'name'], msg: 'Expected string, received null', type: 'invalid_type' },
    ]);
  });
});
