import type { Customer, InstagramAccount } from '@cims/contracts';
import { describe, expectTypeOf, it } from 'vitest';
import type * as Mocks from './index.js';
import { createMockApi, type MockApi, type MockMail, type Scenario } from './index.js';
import type { MockState } from './internal.js';

describe('the public API of @cims/mocks', () => {
  it('serves the contract types from its controls', () => {
    const mocks = createMockApi({ baseUrl: 'http://cims.test' });
    expectTypeOf(mocks).toEqualTypeOf<MockApi>();
    expectTypeOf(mocks.crm.customers()).toEqualTypeOf<Customer[]>();
    expectTypeOf(mocks.crm.customer(1)).toEqualTypeOf<Customer | undefined>();
    expectTypeOf(mocks.instagram.account()).toEqualTypeOf<InstagramAccount | null>();
    expectTypeOf(mocks.mailbox.latest()).toEqualTypeOf<MockMail | undefined>();
  });

  it('takes only the scenarios it knows', () => {
    const mocks = createMockApi({ baseUrl: 'http://cims.test' });
    expectTypeOf(mocks.useScenario).parameter(0).toEqualTypeOf<Scenario>();
    // @ts-expect-error not a scenario
    mocks.useScenario('no-such-scenario');
  });

  it('keeps the storage behind the ./internal subpath', () => {
    expectTypeOf<MockApi['state']>().toEqualTypeOf<MockState>();
    // @ts-expect-error the record types are not exported from the package root
    expectTypeOf<Mocks.MockState>().not.toBeAny();
  });
});
