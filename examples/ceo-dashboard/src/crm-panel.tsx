import { type DynamicStatus, LANGUAGES, PLATFORMS } from '@cims/contracts';
import { CimsApiError } from '@cims/sdk';
import { useMutation, useQueries } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Bar, BarChart, CartesianGrid, Cell, LabelList, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { queries, queryClient } from './cims.js';
import { describeError } from './errors.js';
import { formatCount, formatDateTime } from './format.js';
import { Notice } from './notice.js';

const NO_COLOUR = '#94A3B8';

/** One bar of the pipeline: a status, in the Management page's order and colour. */
interface PipelineRow {
  name: string;
  label: string;
  color: string;
  count: number;
}

/**
 * The active statuses in their order, then any inactive status customers still carry: the statuses are rows the CEO
 * edits (labels, colours, order), so nothing here knows them in advance.
 */
function pipelineRows(statuses: DynamicStatus[], counts: Record<string, number>): PipelineRow[] {
  const rows = statuses.map((status) => ({
    name: status.value,
    label: status.label,
    color: status.color ?? NO_COLOUR,
    count: counts[status.value] ?? 0,
  }));
  for (const [name, count] of Object.entries(counts)) {
    if (count > 0 && !rows.some((row) => row.name === name)) {
      rows.push({ name, label: name.replaceAll('_', ' '), color: NO_COLOUR, count });
    }
  }
  return rows;
}

/** The four reads of the panel, as one: the data once all have answered, and the first error. */
function useCrm() {
  return useQueries({
    queries: [
      queries.crm.statuses.queryOptions(),
      queries.crm.stats.queryOptions(),
      queries.crm.latest.queryOptions({ query: { limit: 8 } }),
      queries.crm.salesManagers.queryOptions(),
    ],
    combine: ([statuses, stats, latest, managers]) => ({
      error: statuses.error ?? stats.error ?? latest.error ?? managers.error,
      data:
        statuses.data && stats.data && latest.data && managers.data
          ? {
              statuses: statuses.data,
              total: stats.data.total_customers,
              pipeline: pipelineRows(statuses.data, stats.data.status_dict),
              latest: latest.data,
              managers: managers.data,
            }
          : undefined,
    }),
  });
}

type CrmData = NonNullable<ReturnType<typeof useCrm>['data']>;

/** The pipeline by status, the newest customers, a new-customer form and the sales managers' load. */
export function CrmPanel() {
  const crm = useCrm();
  const data = crm.data;
  return (
    <section className="panel crm" aria-labelledby="crm-title">
      <div className="panel-head">
        <h2 id="crm-title">CRM</h2>
        {data && (
          <p className="muted">
            {formatCount(data.total)} {data.total === 1 ? 'customer' : 'customers'}
          </p>
        )}
      </div>
      <Notice tone="warning">{crm.error && describeError(crm.error)}</Notice>
      {data && (
        <>
          <Pipeline rows={data.pipeline} />
          <LatestCustomers data={data} />
          <ManagerLoad data={data} />
          <NewCustomerForm statuses={data.statuses} managers={data.managers} />
        </>
      )}
    </section>
  );
}

function Pipeline({ rows }: { rows: PipelineRow[] }) {
  return (
    <figure className="chart" aria-labelledby="pipeline-caption">
      <figcaption id="pipeline-caption">Pipeline: customers per status</figcaption>
      <ResponsiveContainer width="100%" height={220}>
        <BarChart data={rows} margin={{ top: 20, right: 8, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="label" interval={0} tick={{ fontSize: 11 }} />
          <YAxis allowDecimals={false} width={32} />
          <Tooltip />
          <Bar dataKey="count" name="Customers" isAnimationActive={false}>
            {rows.map((row) => (
              <Cell key={row.name} fill={row.color} />
            ))}
            <LabelList dataKey="count" position="top" />
          </Bar>
        </BarChart>
      </ResponsiveContainer>
      <ul className="legend" aria-label="Customers per status">
        {rows.map((row) => (
          <li key={row.name}>
            <span className="dot" style={{ background: row.color }} aria-hidden="true" />
            {row.label} <strong>{formatCount(row.count)}</strong>
          </li>
        ))}
      </ul>
    </figure>
  );
}

function LatestCustomers({ data }: { data: CrmData }) {
  const colour = new Map(data.pipeline.map((row) => [row.name, row.color]));
  return (
    <table aria-label="Latest customers">
      <caption>Latest customers</caption>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Status</th>
          <th scope="col">Platform</th>
          <th scope="col">Sales manager</th>
          <th scope="col">Created</th>
        </tr>
      </thead>
      <tbody>
        {data.latest.map((customer) => (
          <tr key={customer.id}>
            <th scope="row">{customer.full_name}</th>
            <td>
              <span
                className="dot"
                style={{ background: colour.get(customer.status) ?? NO_COLOUR }}
                aria-hidden="true"
              />
              {customer.status_label}
            </td>
            <td>{customer.platform.replaceAll('_', ' ')}</td>
            <td>{customer.sales_manager ? `${customer.sales_manager.name} ${customer.sales_manager.surname}` : '—'}</td>
            <td>{formatDateTime(customer.created_at)}</td>
          </tr>
        ))}
        {data.latest.length === 0 && (
          <tr>
            <td colSpan={5}>No customers yet.</td>
          </tr>
        )}
      </tbody>
    </table>
  );
}

function ManagerLoad({ data }: { data: CrmData }) {
  const most = Math.max(1, ...data.managers.map((manager) => manager.assigned_leads_count));
  return (
    <table aria-label="Sales manager load">
      <caption>Sales manager load</caption>
      <thead>
        <tr>
          <th scope="col">Sales manager</th>
          <th scope="col">Customers</th>
        </tr>
      </thead>
      <tbody>
        {data.managers.map((manager) => (
          <tr key={manager.id}>
            <th scope="row">
              {manager.name} {manager.surname} <span className="muted">{manager.email}</span>
            </th>
            <td className="load">
              <span className="bar" style={{ width: `${(manager.assigned_leads_count / most) * 100}%` }} />
              {formatCount(manager.assigned_leads_count)}
            </td>
          </tr>
        ))}
        {data.managers.length === 0 && (
          <tr>
            <td colSpan={2}>No active sales manager: new customers stay unassigned.</td>
          </tr>
        )}
      </tbody>
    </table>
  );
}

function NewCustomerForm({ statuses, managers }: { statuses: DynamicStatus[]; managers: CrmData['managers'] }) {
  // A new customer changes every figure of the panel: all CRM queries load again.
  const create = useMutation({
    ...queries.crm.create.mutationOptions(),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queries.crm.queryKey() }),
  });
  const busy = create.isPending;
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const defaultStatus = statuses.some((status) => status.value === 'need_to_call')
    ? 'need_to_call'
    : statuses[0]?.value;

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const text = (name: string) => String(form.get(name) ?? '').trim();
    const audio = form.get('audio');
    setMessage(null);
    setError(null);
    setFieldErrors({});
    try {
      // A plain object: the SDK sends it as multipart, the recording (if any) as a file part.
      const created = await create.mutateAsync({
        body: {
          full_name: text('full_name'),
          phone_number: text('phone_number'),
          platform: text('platform'),
          status: text('status'),
          conversation_language: text('conversation_language'),
          notes: text('notes') || undefined,
          audio: audio instanceof File && audio.size > 0 ? audio : undefined,
        },
      });
      const manager = managers.find((candidate) => candidate.id === created.sales_manager_id);
      setMessage(
        `Customer “${text('full_name')}” created (#${created.id})${manager ? `, assigned to ${manager.name} ${manager.surname}` : ''}.`,
      );
      formElement.reset();
    } catch (caught) {
      if (caught instanceof CimsApiError) setFieldErrors(caught.fieldErrors);
      setError(describeError(caught));
    }
  };

  const field = (name: string) => ({
    name,
    'aria-invalid': fieldErrors[name] ? true : undefined,
    'aria-describedby': fieldErrors[name] ? `${name}-error` : undefined,
  });
  const fieldError = (name: string) =>
    fieldErrors[name] && (
      <span className="field-error" id={`${name}-error`}>
        {fieldErrors[name]}
      </span>
    );

  return (
    <form className="new-customer" aria-labelledby="new-customer-title" onSubmit={submit}>
      <h3 id="new-customer-title">New customer</h3>
      <div className="fields">
        <label>
          Full name
          <input {...field('full_name')} required maxLength={255} />
          {fieldError('full_name')}
        </label>
        <label>
          Phone number
          <input {...field('phone_number')} type="tel" required placeholder="90 123 45 67" />
          {fieldError('phone_number')}
        </label>
        <label>
          Platform
          <select {...field('platform')} defaultValue="telegram">
            {PLATFORMS.map((platform) => (
              <option key={platform} value={platform}>
                {platform.replaceAll('_', ' ')}
              </option>
            ))}
          </select>
          {fieldError('platform')}
        </label>
        <label>
          Status
          <select {...field('status')} defaultValue={defaultStatus}>
            {statuses.map((status) => (
              <option key={status.value} value={status.value}>
                {status.label}
              </option>
            ))}
          </select>
          {fieldError('status')}
        </label>
        <label>
          Language
          <select {...field('conversation_language')} defaultValue="uz">
            {LANGUAGES.map((language) => (
              <option key={language} value={language}>
                {language}
              </option>
            ))}
          </select>
          {fieldError('conversation_language')}
        </label>
        <label>
          Call recording (optional)
          <input {...field('audio')} type="file" accept="audio/*" />
          {fieldError('audio')}
        </label>
        <label className="wide">
          Notes
          <textarea {...field('notes')} rows={2} />
          {fieldError('notes')}
        </label>
      </div>
      <Notice tone="warning">{error}</Notice>
      <Notice tone="info">{message}</Notice>
      <button type="submit" disabled={busy}>
        {busy ? 'Creating…' : 'Create customer'}
      </button>
    </form>
  );
}
