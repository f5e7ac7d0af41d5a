// The baseline: an app that uses zod and ts-rest itself, without the SDK.
import { initClient, initContract } from '@ts-rest/core';
import { z } from 'zod';

const c = initContract();
const contract = c.router({
  item: { method: 'GET', path: '/items/:id', responses: { 200: z.object({ id: z.number(), name: z.string() }) } },
});
const client = initClient(contract, { baseUrl: '/api', baseHeaders: {} });
export const item = await client.item({ params: { id: '1' } });
