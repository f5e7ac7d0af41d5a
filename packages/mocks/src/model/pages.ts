import { DEFAULT_PAGES } from '@cims/contracts';
import type { MockPage, MockState } from '../records.js';

/**
 * The key of a built-in page (`crm`, `ceo`, …): the legacy inventory, `DEFAULT_PAGES` of the contract. The CEO can
 * add others at `/management/pages`, so a user's pages are plain strings.
 */
export type PageKey = (typeof DEFAULT_PAGES)[number]['name'];

/** Every built-in page key, in page order. */
export const PAGE_KEYS: readonly PageKey[] = DEFAULT_PAGES.map((page) => page.name);

/** Page order: by `order`, then by id. */
function byPageOrder(a: MockPage, b: MockPage): number {
  return a.order - b.order || a.id - b.id;
}

/** Every page (active or not), in page order. */
export function pagesInOrder(state: MockState): MockPage[] {
  return [...state.pages.values()].sort(byPageOrder);
}

/** The active pages, in page order: what `GET /auth/me` reports and what can be granted. */
export function activePages(state: MockState): MockPage[] {
  return pagesInOrder(state).filter((page) => page.is_active);
}

/** The page with this key (active or not). */
export function pageNamed(state: MockState, name: string): MockPage | undefined {
  for (const page of state.pages.values()) if (page.name === name) return page;
  return undefined;
}

/** The pages among `keys`, in page order (keys of no page are left out). */
export function inPageOrder(state: MockState, keys: Iterable<string>): MockPage[] {
  const wanted = new Set(keys);
  return pagesInOrder(state).filter((page) => wanted.has(page.name));
}
