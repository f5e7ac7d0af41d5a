import { authLogin, authMe, crmCreate, crmDetail, type ValidationIssue } from '../../generated/orval/cims.js';
import { setOrvalBaseUrl } from './orval-fetch.js';
import { check, DEMO_CEO, newPhone, recording } from './scenario.js';

/** The orval fetch client: form login, a multipart create with a file, and a 422 read through its types. */
export async function runOrval(baseUrl: string): Promise<void> {
  setOrvalBaseUrl(baseUrl);
  const login = await authLogin({ username: DEMO_CEO.email, password: DEMO_CEO.password, grant_type: 'password' });
  check(login.status === 200, `login answered ${login.status}`);
  const auth = { headers: { authorization: `Bearer ${login.data.access_token}` } };
  const me = await authMe(auth);
  check(me.status === 200 && me.data.email === DEMO_CEO.email, `me answered ${me.status}`);

  const created = await crmCreate(
    { full_name: 'Orval Client', platform: 'telegram', phone_number: newPhone(), audio: recording() },
    auth,
  );
  check(created.status === 201, `create answered ${created.status}: ${JSON.stringify(created.data)}`);
  const detail = await crmDetail(created.data.id, auth);
  check(detail.status === 200, `detail answered ${detail.status}`);
  check(detail.data.status === 'need_to_call', `a customer without a status got ${detail.data.status}`);
  check(detail.data.audio_file_id !== null, 'the recording was not stored');

  const invalid = await crmCreate({ full_name: 'Orval Client', platform: 'myspace', phone_number: newPhone() }, auth);
  check(invalid.status === 422, `an unknown platform answered ${invalid.status}`);
  const issues: ValidationIssue[] = invalid.data.detail;
  check(
    issues.some((issue) => issue.loc.join('.') === 'body.platform' && issue.msg.length > 0),
    `422 detail: ${JSON.stringify(issues)}`,
  );
}
