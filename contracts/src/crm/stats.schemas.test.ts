import { describe, expect, it } from 'vitest';
import { REPORT_PAGE_SIZE, ReportQuerySchema, ReportSchema, reportPage, unpagedReportPaging } from './stats.schemas.js';

describe('the period report’s paging', () => {
  it('pages only when asked: a query without page and page_size keeps both unset', () => {
    const query = ReportQuerySchema.parse({ period: '30d', search: 'x' });
    expect(query).not.toHaveProperty('page');
    expect(query).not.toHaveProperty('page_size');
    expect(reportPage(query)).toBeUndefined();
  });

  it('with page or page_size, the other takes its default (1, or 200)', () => {
    expect(reportPage(ReportQuerySchema.parse({ page: '3' }))).toEqual({ page: 3, page_size: REPORT_PAGE_SIZE });
    expect(reportPage(ReportQuerySchema.parse({ page_size: '25' }))).toEqual({ page: 1, page_size: 25 });
    expect(REPORT_PAGE_SIZE).toBe(200);
    expect(ReportQuerySchema.safeParse({ page_size: '501' }).success).toBe(false);
    expect(ReportQuerySchema.safeParse({ page: '0' }).success).toBe(false);
  });

  it('an unpaged report is page 1 holding everything; with nothing, page 1 of 0', () => {
    expect(unpagedReportPaging(10_000)).toEqual({ page: 1, page_size: 10_000, total_pages: 1 });
    expect(unpagedReportPaging(0)).toEqual({ page: 1, page_size: 0, total_pages: 0 });
    const empty = { period: '7d', from_date: '2026-01-01', to_date: '2026-01-07', total_customers: 0, customers: [] };
    const stats = { status_stats: {}, status_dict: {}, status_percentages: {} };
    expect(ReportSchema.safeParse({ ...empty, ...unpagedReportPaging(0), ...stats }).success).toBe(true);
  });
});
