import { describe, expect, it } from 'vitest';
import { forbiddenMessage, routeAccess } from './access.js';

describe('routeAccess', () => {
  it.each([
    ['no roles, no pages: every signed-in user', {}, 'Member', 'allow'],
    ['empty pages count as none', { pages: [] }, 'Member', 'allow'],
    ['a listed role', { roles: ['CEO'] }, 'CEO', 'allow'],
    ['a role not listed, no pages', { roles: ['CEO'] }, 'Member', 'deny'],
    ['an empty role list lets nobody in by role', { roles: [] }, 'CEO', 'deny'],
    ['a listed role on a roles-or-pages route', { roles: ['CEO'], pages: ['crm'] }, 'CEO', 'allow'],
    ['another role on a roles-or-pages route: the pages decide', { roles: ['CEO'], pages: ['crm'] }, 'Member', 'pages'],
    // Regression: the server let every signed-in user in here, the mocks only the page holders.
    ['pages without roles: the pages decide', { pages: ['crm'] }, 'CEO', 'pages'],
  ] as const)('%s', (_name, meta, role, expected) => {
    expect(routeAccess(meta, role)).toBe(expected);
  });
});

describe('forbiddenMessage', () => {
  it('names every role and page that would let the caller in', () => {
    expect(forbiddenMessage({ roles: ['CEO'] })).toBe('This needs the role CEO');
    expect(forbiddenMessage({ roles: ['CEO'], pages: ['crm'] })).toBe('This needs the role CEO or the page crm');
    expect(forbiddenMessage({ pages: ['crm', 'ceo'] })).toBe('This needs the page crm or the page ceo');
    expect(forbiddenMessage({ roles: [] })).toBe('This is not allowed');
  });
});
