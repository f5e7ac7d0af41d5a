import createClient from 'openapi-fetch';
import type { components, paths } from '../../generated/openapi-typescript/schema.js';
import { check, DEMO_CEO, newPhone, recording } from './scenario.js';

/** Sends a multipart body as FormData: openapi-fetch sends JSON unless told otherwise. */
function formData(body: object): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(body)) if (value !== undefined) form.append(name, value);
  return form;
}

/** openapi-typescript types with openapi-fetch: form login, a multipart create with a file, and a 422. */
export async function runOpenapiFetch(baseUrl: string): Promise<void> {
  const client = createClient<paths>({ baseUrl });
  const login = await client.POST('/auth/login', {
    body: { username: DEMO_CEO.email, password: DEMO_CEO.password, grant_type: 'password' },
    bodySerializer: (body) => new URLSearchParams(body as Record<string, string>),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  check(login.data, `login answered ${login.response.status}`);
  const headers = { authorization: `Bearer ${login.data.access_token}` };
  const me = await client.GET('/auth/me', { headers });
  check(me.data?.email === DEMO_CEO.email, `me answered ${me.response.status}`);

  const created = await client.POST('/crm/customers', {
    headers,
    body: { full_name: 'openapi-fetch Client', platform: 'telegram', phone_number: newPhone(), audio: recording() },
    bodySerializer: formData,
  });
  check(created.data, `create answered ${created.response.status}: ${JSON.stringify(created.error)}`);
  const detail = await client.GET('/crm/detail/{id}', { headers, params: { path: { id: created.data.id } } });
  check(detail.data, `detail answered ${detail.response.status}`);
  check(detail.data.status === 'need_to_call', `a customer without a status got ${detail.data.status}`);
  check(detail.data.audio_file_id !== null, 'the recording was not stored');

  const invalid = await client.POST('/crm/customers', {
    headers,
    body: { full_name: 'openapi-fetch Client', platform: 'myspace', phone_number: newPhone() },
    bodySerializer: formData,
  });
  check(invalid.response.status === 422, `an unknown platform answered ${invalid.response.status}`);
  check(invalid.error && 'detail' in invalid.error && Array.isArray(invalid.error.detail), 'no 422 detail');
  const issues: components['schemas']['ValidationIssue'][] = invalid.error.detail;
  check(
    issues.some((issue) => issue.loc.join('.') === 'body.platform' && issue.msg.length > 0),
    `422 detail: ${JSON.stringify(issues)}`,
  );
}
