import { QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app.js';
import { queryClient } from './cims.js';
import { API_URL } from './config.js';
import './styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');

// Tested on the raw build-time value, so the live build drops this branch and ships no mock code at all.
let resetMocks: (() => Promise<void>) | undefined;
if (import.meta.env.VITE_CIMS_MODE !== 'live') {
  const { startMockMode } = await import('./mock-mode.js');
  const mockMode = await startMockMode(API_URL);
  resetMocks = mockMode.reset;
}

createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <App onResetMocks={resetMocks} />
    </QueryClientProvider>
  </StrictMode>,
);
