import { describe, expect, it } from 'vitest';
import { PLAIN_CUSTOMER_FIELDS, plainChangesOf, plainValuesOf } from '../rules.js';
import { CustomerFormSchema, CustomerSchema, CustomerUpdateFormSchema } from './customers.schemas.js';

describe('the plain customer fields', () => {
  it('are the create form’s fields without a rule of their own, each also returned and editable', () => {
    expect(PLAIN_CUSTOMER_FIELDS).toEqual(['username', 'assistant_name', 'notes', 'chat_url', 'customer_type']);
    for (const field of PLAIN_CUSTOMER_FIELDS) {
      expect(Object.keys(CustomerSchema.shape)).toContain(field);
      expect(Object.keys(CustomerUpdateFormSchema.shape)).toContain(field);
    }
  });

  it('store a new customer’s fields as given, and absent, null or blank ones as null', () => {
    const parsed = CustomerFormSchema.parse({
      full_name: 'A',
      platform: 'website',
      phone_number: '+998901234567',
      username: '@a',
      notes: '   ',
      customer_type: 'International',
    });
    expect(plainValuesOf(parsed)).toEqual({
      username: '@a',
      assistant_name: null,
      notes: null,
      chat_url: null,
      customer_type: 'international',
    });
    // The intake API takes an empty `notes`; fixtures may pass null.
    expect(plainValuesOf({ notes: '', chat_url: null })).toMatchObject({ notes: null, chat_url: null });
  });

  it('change on an edit only where sent, an emptied one to null', () => {
    const parsed = CustomerUpdateFormSchema.parse({ username: '', chat_url: 'https://t.me/a', full_name: 'B' });
    expect(plainChangesOf(parsed)).toEqual({ username: null, chat_url: 'https://t.me/a' });
  });
});
