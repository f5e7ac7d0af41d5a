import { REPORT_PAGE_SIZE } from '@cims/contracts';
import { unwrap } from '@cims/sdk';
import { expect, it } from 'vitest';
import { actors, createCustomer, unique } from './crm-kit.js';
import type { Target, withWorld as WithWorld } from './suite-kit.js';

/**
 * `GET /crm/customers/report/period`: the legacy client never pages it (it sends `period` and `search` and shows
 * `customers[]` as the whole list), so without `page` and `page_size` every customer of the period comes back; with
 * either, it pages as before. A few customers suffice: the answer says how it was cut (`page_size`), and an unpaged
 * one must not be cut at all. (The server's own tests list thousands.)
 */
export function reportSuite(target: Target, withWorld: typeof WithWorld): void {
  withWorld(target, 'CRM: the period report', (world) => {
    const as = actors(world);

    it('without page and page_size: every customer of the period, all on page 1; with them: a page', async () => {
      const ceo = await as.ceo();
      const tag = unique();
      const created: number[] = [];
      for (let i = 0; i < 5; i++) {
        created.push((await createCustomer(ceo, { full_name: `Report ${tag} ${i}`, status: 'need_to_call' })).id);
      }
      const newestFirst = [...created].reverse();

      const all = unwrap(await ceo.crm.report({ query: { period: '1d', search: tag } }));
      expect(all.customers.map((c) => c.id)).toEqual(newestFirst);
      expect(all).toMatchObject({ period: '1d', total_customers: 5, page: 1, page_size: 5, total_pages: 1 });
      expect(all.status_dict).toMatchObject({ need_to_call: 5 });

      const page = unwrap(await ceo.crm.report({ query: { period: '1d', search: tag, page: 2, page_size: 2 } }));
      expect(page.customers.map((c) => c.id)).toEqual(newestFirst.slice(2, 4));
      expect(page).toMatchObject({ total_customers: 5, page: 2, page_size: 2, total_pages: 3 });
      expect(page.status_dict).toMatchObject({ need_to_call: 5 });
      const beyond = unwrap(await ceo.crm.report({ query: { period: '1d', search: tag, page: 2 } }));
      expect(beyond).toMatchObject({ customers: [], page: 2, page_size: REPORT_PAGE_SIZE, total_pages: 1 });
      const first = unwrap(await ceo.crm.report({ query: { period: '7d', search: tag, page_size: 4 } }));
      expect(first.customers.map((c) => c.id)).toEqual(newestFirst.slice(0, 4));
      expect(first).toMatchObject({ page: 1, page_size: 4, total_pages: 2 });
    });

    it('without page and page_size, a period with no customer is an empty page 1 of 0', async () => {
      const ceo = await as.ceo();
      const none = unwrap(await ceo.crm.report({ query: { period: '90d', search: unique() } }));
      expect(none).toMatchObject({ customers: [], total_customers: 0, page: 1, page_size: 0, total_pages: 0 });
    });
  });
}
