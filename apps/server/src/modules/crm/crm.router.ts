import { contract, ReportSchema, reportPage } from '@cims/contracts';
import { initServer } from '@ts-rest/express';
import type { z } from 'zod';
import type { AppContext } from '../../context.js';
import { callerOf, maybeCallerOf } from '../../http/authenticate.js';
import { sendJsonStream, streamJsonObject } from '../../http/json-stream.js';
import { uploadedFile } from '../../http/multipart.js';
import { requestInfo, requestScope } from '../../http/request-info.js';

const s = initServer();

/**
 * `/crm/*`. Who may call what comes from the contract's metadata (enforced before these run); the data rules
 * (archived customers for the CEO only, a note's author, a manager's own customers) are in the services.
 */
export function crmRouter(ctx: AppContext) {
  const { customers, crmStats, periodReports, salesManagers } = ctx;
  return s.router(contract.crm, {
    // lists and statistics
    dashboard: async ({ query, res }) => ({
      status: 200,
      body: await crmStats.dashboard({ caller: callerOf(res) }, query),
    }),
    stats: async () => ({ status: 200, body: await crmStats.stats() }),
    periodStats: async () => ({ status: 200, body: await crmStats.periodStats() }),
    statsSummary: async () => ({ status: 200, body: await crmStats.summary() }),
    report: async ({ query, res }) => {
      const paging = reportPage(query);
      if (paging) return { status: 200, body: await periodReports.page(query, paging) };
      // Every customer of the period, however many: streamed and checked part by part against the contract
      // (json-stream.ts); ts-rest pipes a stream body into the response as it is.
      const report = await periodReports.all(query);
      const body = streamJsonObject(ReportSchema, 'customers', {
        head: report.head,
        items: report.customers,
        tail: report.tail,
      });
      return { status: 200, body: sendJsonStream(res, body) as unknown as z.infer<typeof ReportSchema> };
    },
    latest: async ({ query }) => ({ status: 200, body: await crmStats.latest(query.limit) }),
    filterByStatus: async ({ query }) => ({
      status: 200,
      body: await crmStats.filter({ status: query.status_filter }, query),
    }),
    filterByPlatform: async ({ query }) => ({
      status: 200,
      body: await crmStats.filter({ platform: query.platform }, query),
    }),
    filterByDate: async ({ query }) => ({
      status: 200,
      body: await crmStats.filter({ from: query.start_date, to: query.end_date ?? query.start_date }, query),
    }),
    statuses: async () => ({ status: 200, body: await customers.statuses.dynamic() }),

    // archive
    archived: async ({ query }) => ({ status: 200, body: await crmStats.archived(query) }),
    bulkArchive: async ({ body, req, res }) => ({
      status: 200,
      body: await customers.bulkArchive(requestScope(req, res), body.customer_ids),
    }),
    bulkHardDelete: async ({ body, req, res }) => ({
      status: 200,
      body: await customers.bulkHardDelete(requestScope(req, res), body.customer_ids),
    }),
    audio: async ({ params, query, req, res }) => {
      const served = await customers.audio.serve({
        fileId: params.file_id,
        query,
        caller: maybeCallerOf(res),
        headOnly: req.method === 'HEAD',
        range: req.headers.range,
      });
      res.set(served.headers);
      // A read error after the headers went out cannot become an error response: end the connection instead. A client
      // that goes away stops the read (and closes the file).
      served.body.on('error', (error) => {
        req.log.warn({ err: error }, 'Reading a recording failed after its headers were sent');
        res.destroy();
      });
      res.on('close', () => served.body.destroy());
      // ts-rest pipes a stream into the response as it is (a Stream body skips its response validation and content
      // type).
      return { status: served.status, body: served.body as unknown as Blob };
    },

    // one customer
    create: async ({ body, req, res }) => ({
      status: 201,
      body: await customers.create(requestScope(req, res), { body, file: uploadedFile(req, 'audio') }),
    }),
    intake: async ({ body, req }) => ({
      status: 201,
      body: await customers.intake(requestInfo(req), body),
    }),
    detail: async ({ params, res }) => ({
      status: 200,
      body: await customers.detail({ caller: callerOf(res) }, params.id),
    }),
    update: async ({ params, body, req, res }) => ({
      status: 200,
      body: await customers.update(requestScope(req, res), params.id, { body, file: uploadedFile(req, 'audio') }),
    }),
    patch: async ({ params, body, req, res }) => ({
      status: 200,
      body: await customers.update(requestScope(req, res), params.id, { body, file: uploadedFile(req, 'audio') }),
    }),
    archive: async ({ params, req, res }) => ({
      status: 200,
      body: await customers.archive(requestScope(req, res), params.id),
    }),
    restore: async ({ params, req, res }) => ({
      status: 200,
      body: await customers.restore(requestScope(req, res), params.id),
    }),
    hardDelete: async ({ params, req, res }) => ({
      status: 200,
      body: await customers.hardDelete(requestScope(req, res), params.id),
    }),
    statusHistory: async ({ params, res }) => ({
      status: 200,
      body: await customers.statusHistory({ caller: callerOf(res) }, params.id),
    }),

    // notes
    listNotes: async ({ params, res }) => ({
      status: 200,
      body: await customers.notes.list({ caller: callerOf(res) }, params.id),
    }),
    createNote: async ({ params, body, req, res }) => ({
      status: 201,
      body: await customers.notes.create(requestScope(req, res), params.id, body),
    }),
    updateNote: async ({ params, body, req, res }) => ({
      status: 200,
      body: await customers.notes.update(
        requestScope(req, res),
        { customerId: params.id, noteId: params.noteId },
        body,
      ),
    }),
    patchNote: async ({ params, body, req, res }) => ({
      status: 200,
      body: await customers.notes.update(
        requestScope(req, res),
        { customerId: params.id, noteId: params.noteId },
        body,
      ),
    }),
    deleteNote: async ({ params, req, res }) => ({
      status: 200,
      body: await customers.notes.delete(requestScope(req, res), { customerId: params.id, noteId: params.noteId }),
    }),

    // sales managers
    salesManagers: async () => ({ status: 200, body: await salesManagers.list() }),
    managerCustomers: async ({ params, query, res }) => ({
      status: 200,
      body: await salesManagers.customers({ caller: callerOf(res) }, params.id, query),
    }),
    managerStats: async ({ params, query, res }) => ({
      status: 200,
      body: await salesManagers.stats({ caller: callerOf(res) }, params.id, query),
    }),
    myCustomers: async ({ query, res }) => ({
      status: 200,
      body: await salesManagers.customers({ caller: callerOf(res) }, callerOf(res).userId, query),
    }),
    myStats: async ({ query, res }) => ({
      status: 200,
      body: await salesManagers.stats({ caller: callerOf(res) }, callerOf(res).userId, query),
    }),
    assign: async ({ body, req, res }) => ({
      status: 200,
      body: await salesManagers.assign(requestScope(req, res), body),
    }),
    customerManager: async ({ params, res }) => ({
      status: 200,
      body: await salesManagers.ofCustomer({ caller: callerOf(res) }, params.id),
    }),
    conversionRate: async ({ query }) => ({ status: 200, body: await salesManagers.conversionRate(query.limit) }),
    managerActivity: async ({ query, res }) => ({
      status: 200,
      body: await salesManagers.activity({ caller: callerOf(res) }, query),
    }),
  });
}

/** `/sales/*`: lead statistics for the dashboard. */
export function salesRouter(ctx: AppContext) {
  const { crmStats } = ctx;
  return s.router(contract.sales, {
    stats: async ({ query }) => ({ status: 200, body: await crmStats.sales(query.customer_type) }),
    detailed: async ({ query }) => ({ status: 200, body: await crmStats.salesDetailed(query) }),
    charts: async ({ query }) => ({ status: 200, body: await crmStats.charts(query) }),
    international: async ({ query }) => ({ status: 200, body: await crmStats.international(query.limit) }),
  });
}
