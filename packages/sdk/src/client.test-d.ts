import type {
  ApiErrorBody,
  Customer,
  CustomerDetail,
  Dashboard,
  ErrorCode,
  ValidationErrorBody,
} from '@cims/contracts';
import { describe, expectTypeOf, it } from 'vitest';
import {
  type CimsApiError,
  type CimsClient,
  type CimsResponseValidationError,
  createCimsClient,
  createCimsDomainClient,
  type ResponseIssue,
  type SuccessOf,
  unwrap,
} from './index.js';
import { crm, dashboard, detail } from './routes/crm.js';

declare const cims: CimsClient;

describe('the SDK result types', () => {
  it('unwrap gives the body of the 2xx response the contract declares', async () => {
    expectTypeOf(unwrap(await cims.crm.dashboard({ query: {} }))).toEqualTypeOf<Dashboard>();
    expectTypeOf(unwrap(await cims.crm.detail({ params: { id: 1 } }))).toEqualTypeOf<CustomerDetail>();
    expectTypeOf(unwrap(await cims.crm.patch({ params: { id: 1 }, body: {} }))).toEqualTypeOf<Customer>();
  });

  it('narrowing on the status gives that status body: the data, or the error shapes', async () => {
    const result = await cims.crm.detail({ params: { id: 1 } });
    if (result.status === 200) expectTypeOf(result.body).toEqualTypeOf<CustomerDetail>();
    if (result.status === 404) expectTypeOf(result.body).toEqualTypeOf<ApiErrorBody>();
    if (result.status === 422) expectTypeOf(result.body).toEqualTypeOf<ValidationErrorBody>();
  });

  it('SuccessOf keeps only the 2xx members of a result', async () => {
    type Result = Awaited<ReturnType<CimsClient['crm']['detail']>>;
    expectTypeOf<SuccessOf<Result>['status']>().toEqualTypeOf<200>();
  });

  it('refuses a request the contract does not allow', () => {
    // @ts-expect-error a path parameter is required
    void cims.crm.detail({});
  });

  it("the thrown error carries one of the contract's codes and the field errors", () => {
    expectTypeOf<CimsApiError['code']>().toEqualTypeOf<ErrorCode>();
    expectTypeOf<CimsApiError['fieldErrors']>().toEqualTypeOf<Record<string, string>>();
    expectTypeOf(createCimsClient).returns.toEqualTypeOf<CimsClient>();
  });

  it('a client of generated routes has the methods of the contract routes they stand for', async () => {
    const light = createCimsDomainClient({ baseUrl: '/api', domains: { crm: { dashboard, detail } } });
    expectTypeOf(light.crm.dashboard).toEqualTypeOf<CimsClient['crm']['dashboard']>();
    expectTypeOf(light.crm.detail).toEqualTypeOf<CimsClient['crm']['detail']>();
    expectTypeOf(unwrap(await light.crm.detail({ params: { id: 1 } }))).toEqualTypeOf<CustomerDetail>();
    expectTypeOf(light.auth).toEqualTypeOf<CimsClient['auth']>();
    // @ts-expect-error only the routes given are there
    void light.crm.statuses;
    const domain = createCimsDomainClient({ baseUrl: '/api', domains: { crm } });
    expectTypeOf(domain.crm).toEqualTypeOf<CimsClient['crm']>();
  });

  it('a failed response check carries its issues as messages and plain paths', () => {
    expectTypeOf<CimsResponseValidationError['issues']>().toEqualTypeOf<readonly ResponseIssue[]>();
  });
});
