import { createClient } from '../../generated/hey-api/client/index.js';
import { authLogin, authMe, crmCreate, crmDetail } from '../../generated/hey-api/sdk.gen.js';
import type { ValidationIssue } from '../../generated/hey-api/types.gen.js';
import { check, DEMO_CEO, newPhone, recording } from './scenario.js';

/** The Hey API fetch client: form login, a multipart create with a file, and a 422 read through its types. */
export async function runHeyApi(baseUrl: string): Promise<void> {
  let token: string | undefined;
  const client = createClient({ baseUrl, auth: () => token });
  const login = await authLogin({
    client,
    body: { username: DEMO_CEO.email, password: DEMO_CEO.password, grant_type: 'password' },
  });
  check(login.data, `login answered ${login.response.status}`);
  token = login.data.access_token;
  const me = await authMe({ client });
  check(me.data?.email === DEMO_CEO.email, `me answered ${me.response.status}`);

  const created = await crmCreate({
    client,
    body: { full_name: 'Hey API Client', platform: 'telegram', phone_number: newPhone(), audio: recording() },
  });
  check(created.data, `create answered ${created.response.status}: ${JSON.stringify(created.error)}`);
  const detail = await crmDetail({ client, path: { id: created.data.id } });
  check(detail.data, `detail answered ${detail.response.status}`);
  check(detail.data.status === 'need_to_call', `a customer without a status got ${detail.data.status}`);
  check(detail.data.audio_file_id !== null, 'the recording was not stored');

  const invalid = await crmCreate({
    client,
    body: { full_name: 'Hey API Client', platform: 'myspace', phone_number: newPhone() },
  });
  check(invalid.response.status === 422, `an unknown platform answered ${invalid.response.status}`);
  check(invalid.error && 'detail' in invalid.error && Array.isArray(invalid.error.detail), 'no 422 detail');
  const issues: ValidationIssue[] = invalid.error.detail;
  check(
    issues.some((issue) => issue.loc.join('.') === 'body.platform' && issue.msg.length > 0),
    `422 detail: ${JSON.stringify(issues)}`,
  );
}
