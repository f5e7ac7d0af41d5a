import { FAKE_GRAPH_DEMO } from '@cims/mocks';
import { startFakeGraphApi } from '@cims/mocks/node';

// A stand-in for Meta's Graph API on this machine, so live mode can connect and sync Instagram without a Meta app.
const port = Number(process.env.PORT ?? 8100);
const fake = await startFakeGraphApi({ port });

console.log(`Fake Graph API at ${fake.url}

Start the server against it (another terminal, from the repository root):
  GRAPH_API_BASE_URL=${fake.url} META_APP_ID=${FAKE_GRAPH_DEMO.appId} META_APP_SECRET=${FAKE_GRAPH_DEMO.appSecret} \\
  CORS_ORIGINS=http://127.0.0.1:5173 pnpm start

Then connect Instagram in the dashboard with:
  username                        ${FAKE_GRAPH_DEMO.username}
  Instagram business account id   ${FAKE_GRAPH_DEMO.accountId}
  Facebook page id                ${FAKE_GRAPH_DEMO.pageId}
  access token                    ${FAKE_GRAPH_DEMO.token}

Ctrl+C stops it.`);

const stop = () => {
  void fake.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
