import type { contract } from '@cims/contracts';
import { CRM_MESSAGES } from '@cims/contracts/rules';
import type { AuthModel } from '../model/auth-model.js';
import type { CrmModel } from '../model/crm-model.js';
import type { CrmStats } from '../model/crm-stats.js';
import { MockApiError, type MockRouter } from '../route-handler.js';

const message = (text: string) => ({ status: 200 as const, body: { message: text } });

/**
 * The byte range a `Range` header asks for, in a file of `size` bytes: `undefined` to send it all (no header, or one
 * the mocks do not serve, such as several ranges), `'unsatisfiable'` for a range outside the file.
 */
export function requestedRange(
  header: string | null,
  size: number,
): { start: number; end: number } | 'unsatisfiable' | undefined {
  const match = header ? /^\s*bytes=(\d*)-(\d*)\s*$/i.exec(header) : null;
  if (!match) return undefined;
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return undefined;
  if (first === '') {
    const suffix = Number(last);
    return suffix === 0 ? 'unsatisfiable' : { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (last !== '' && Number(last) < start) return undefined;
  return start >= size ? 'unsatisfiable' : { start, end };
}

/**
 * The `/crm` routes over the CRM model. Who may call each route (the CEO, the `crm` page, a sales manager, the intake
 * key, a signed URL) is enforced by the `before` hook from the contract's metadata; the rules that depend on the data
 * (archived customers, a note's author, a manager's own customers) are the model's.
 */
export function crmMocks(crm: CrmModel, stats: CrmStats, auth: AuthModel): MockRouter<typeof contract.crm> {
  const caller = (request: Request) => auth.principal(request).user;
  const updateCustomer: MockRouter<typeof contract.crm>['update'] = async ({ params, body, files, request }) => ({
    status: 200,
    body: await crm.update(caller(request), params.id, { body, file: files.audio }),
  });
  const updateNote: MockRouter<typeof contract.crm>['updateNote'] = ({ params, body, request }) => ({
    status: 200,
    body: crm.updateNote(caller(request), { customerId: params.id, noteId: params.noteId }, body),
  });
  return {
    dashboard: ({ query, request }) => ({ status: 200, body: stats.dashboard(caller(request), query) }),
    stats: () => ({ status: 200, body: stats.stats() }),
    periodStats: () => ({ status: 200, body: stats.periodStats() }),
    statsSummary: () => ({ status: 200, body: stats.summary() }),
    report: ({ query }) => ({ status: 200, body: stats.report(query) }),
    latest: ({ query }) => ({ status: 200, body: stats.latest(query.limit) }),
    filterByStatus: ({ query }) => {
      const wanted = query.status_filter.toLowerCase();
      return { status: 200, body: stats.filtered((c) => c.status === wanted, query) };
    },
    filterByPlatform: ({ query }) => ({
      status: 200,
      body: stats.filtered((c) => c.platform === query.platform, query),
    }),
    filterByDate: ({ query }) => ({
      status: 200,
      body: stats.filtered(stats.createdOn(query.start_date, query.end_date ?? query.start_date), query),
    }),
    statuses: () => ({
      status: 200,
      body: crm.activeStatuses().map((status) => ({
        value: status.name,
        label: status.display_name,
        color: status.color,
        order: status.order,
        description: status.description,
        category: status.category,
      })),
    }),

    archived: ({ query }) => ({ status: 200, body: crm.archived(query) }),
    bulkArchive: ({ body }) => {
      const count = crm.bulkArchive(body.customer_ids);
      return { status: 200, body: { message: `${count} customer(s) archived`, count } };
    },
    bulkHardDelete: ({ body }) => {
      const count = crm.bulkHardDelete(body.customer_ids);
      return { status: 200, body: { message: `${count} customer(s) deleted for good`, count } };
    },
    audio: ({ params, request }) => {
      // Without a token the `before` hook checked the URL's signature instead.
      const viewer = request.headers.has('authorization') ? caller(request) : undefined;
      const recording = crm.recording(params.file_id, viewer);
      const size = recording.blob.size;
      const headers = { 'Content-Type': recording.media_type, 'Accept-Ranges': 'bytes', 'Cache-Control': 'private' };
      const range = requestedRange(request.headers.get('range'), size);
      if (range === 'unsatisfiable') {
        throw new MockApiError('RANGE_NOT_SATISFIABLE', CRM_MESSAGES.rangeOutside(size), {
          'Content-Range': `bytes */${size}`,
        });
      }
      if (!range) return { status: 200, body: recording.blob, headers: { ...headers, 'Content-Length': String(size) } };
      return {
        status: 206,
        body: recording.blob.slice(range.start, range.end + 1, recording.media_type),
        headers: {
          ...headers,
          'Content-Length': String(range.end - range.start + 1),
          'Content-Range': `bytes ${range.start}-${range.end}/${size}`,
        },
      };
    },

    create: async ({ body, files, request }) => ({
      status: 201,
      body: await crm.create(caller(request), { body, file: files.audio }),
    }),
    intake: ({ body }) => ({ status: 201, body: crm.intake(body) }),
    detail: ({ params, request }) => ({ status: 200, body: crm.detail(caller(request), params.id) }),
    update: updateCustomer,
    patch: updateCustomer,
    archive: ({ params, request }) => message(crm.archive(caller(request), params.id)),
    restore: ({ params }) => message(crm.restore(params.id)),
    hardDelete: ({ params }) => message(crm.hardDelete(params.id)),
    statusHistory: ({ params, request }) => ({ status: 200, body: crm.statusHistory(caller(request), params.id) }),

    listNotes: ({ params, request }) => ({ status: 200, body: crm.listNotes(caller(request), params.id) }),
    createNote: ({ params, body, request }) => ({ status: 201, body: crm.addNote(caller(request), params.id, body) }),
    updateNote,
    patchNote: updateNote,
    deleteNote: ({ params, request }) =>
      message(crm.deleteNote(caller(request), { customerId: params.id, noteId: params.noteId })),

    salesManagers: () => ({ status: 200, body: crm.salesManagers() }),
    managerCustomers: ({ params, query, request }) => ({
      status: 200,
      body: stats.managerLeads(caller(request), params.id, query),
    }),
    managerStats: ({ params, query, request }) => ({
      status: 200,
      body: stats.managerStats(caller(request), params.id, query),
    }),
    myCustomers: ({ query, request }) => {
      const me = caller(request);
      return { status: 200, body: stats.managerLeads(me, me.id, query) };
    },
    myStats: ({ query, request }) => {
      const me = caller(request);
      return { status: 200, body: stats.managerStats(me, me.id, query) };
    },
    assign: ({ body, request }) => ({
      status: 200,
      body: crm.assign(caller(request), body),
    }),
    customerManager: ({ params, request }) => ({ status: 200, body: crm.customerManager(caller(request), params.id) }),
    conversionRate: ({ query }) => ({ status: 200, body: stats.conversion(query.limit) }),
    managerActivity: ({ query, request }) => ({
      status: 200,
      body: stats.activity(caller(request), query),
    }),
  };
}

/** The `/sales` routes: lead statistics for the CEO's dashboard, over the CRM statistics. */
export function salesMocks(stats: CrmStats): MockRouter<typeof contract.sales> {
  return {
    stats: ({ query }) => ({ status: 200, body: stats.salesStats(query.customer_type) }),
    detailed: ({ query }) => ({ status: 200, body: stats.salesDetailed(query) }),
    charts: ({ query }) => ({
      status: 200,
      body: stats.charts(query),
    }),
    international: ({ query }) => ({ status: 200, body: stats.international(query.limit) }),
  };
}
