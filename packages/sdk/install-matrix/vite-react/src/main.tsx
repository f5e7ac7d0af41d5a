// A Vite + React app on zod 4 and MSW 3 (which calls `onUnhandledRequest` `onUnhandledFrame`): the mocks' service worker in development, the SDK with its typed results
// and errors on a client of one generated route, and a form schema on the app's own zod.
import { CimsApiError, CimsError, createCimsDomainClient, localStorageTokenStore, unwrap } from '@cims/sdk';
import { dashboard } from '@cims/sdk/routes/crm';
import { useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { z } from 'zod';

// zod 4's top-level string formats: this does not compile on zod 3, so the app really is on zod 4.
const SignInForm = z.object({ email: z.email(), password: z.string().min(8) });

// The light path: `auth` (always there) and the one CRM route the page calls, with their generated validators.
const cims = createCimsDomainClient({
  baseUrl: '/api',
  tokenStore: localStorageTokenStore(),
  domains: { crm: { dashboard } },
});

async function startMocks() {
  if (!import.meta.env.DEV) return;
  const { createMockWorker } = await import('@cims/mocks/browser');
  await createMockWorker({ baseUrl: '/api' }).worker.start({ onUnhandledFrame: 'bypass' });
}

function describe(error: unknown): string {
  if (error instanceof CimsApiError && error.hasStatus(429)) return `Try again in ${error.retryAfterSeconds} s`;
  if (error instanceof CimsApiError) return `${error.code}: ${error.message}`;
  if (error instanceof CimsError) return `The server cannot be reached (${error.name})`;
  return String(error);
}

function App() {
  const [text, setText] = useState('Signing in…');
  useEffect(() => {
    const form = SignInForm.parse({ email: 'ceo@cims.local', password: 'ceo-demo-password' });
    cims
      .login(form)
      .then(async () => {
        const me = unwrap(await cims.auth.me());
        const page = unwrap(await cims.crm.dashboard({ query: { page: 1 } }));
        setText(`${me.email} (${me.role}): ${page.total_items} customers`);
      })
      .catch((error: unknown) => setText(describe(error)));
  }, []);
  return <p>{text}</p>;
}

const root = document.getElementById('root');
if (root) void startMocks().then(() => createRoot(root).render(<App />));
