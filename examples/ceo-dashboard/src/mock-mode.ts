import { createMockWorker, type MockWorker } from '@cims/mocks/browser';

const DATABASE = 'ceo-dashboard-mocks';
const STORE = 'state';
const KEY = 'state';

/** The running mocks, and how to put their data back to the seed. */
export interface MockMode {
  mocks: MockWorker;
  /** Back to the seeded data (the signed-in session goes with it). */
  reset(): Promise<void>;
}

function openDatabase(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DATABASE, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function transaction<T>(mode: IDBTransactionMode, work: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  return openDatabase().then(
    (db) =>
      new Promise<T>((resolve, reject) => {
        const tx = db.transaction(STORE, mode);
        const request = work(tx.objectStore(STORE));
        tx.oncomplete = () => {
          db.close();
          resolve(request.result);
        };
        tx.onerror = tx.onabort = () => {
          db.close();
          reject(tx.error ?? request.error);
        };
      }),
  );
}

/**
 * The field names of the state and of its plain-object parts, as a fingerprint: a state saved by another version of
 * the mocks is not restored.
 */
function shapeOf(state: object): string {
  return Object.entries(state)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, value]) =>
      value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype
        ? `${key}{${Object.keys(value).sort().join(',')}}`
        : key,
    )
    .join(',');
}

/**
 * Starts @cims/mocks in a service worker: every request to `baseUrl` is answered in this browser, with the seeded
 * users, customers and Instagram history. Unlike a plain mock, its data is kept in IndexedDB after every answer and
 * read back on start, so a reload keeps the session and the customers created, as a server would.
 */
export async function startMockMode(baseUrl: string): Promise<MockMode> {
  const mocks = createMockWorker({ baseUrl });
  try {
    const saved = await transaction<{ shape: string; state: object } | undefined>('readonly', (store) =>
      store.get(KEY),
    );
    if (saved && saved.shape === shapeOf(mocks.state)) Object.assign(mocks.state, saved.state);
  } catch (error) {
    console.warn('The saved mock data could not be read; starting from the seed.', error);
  }

  let saving = Promise.resolve();
  let persist = true;
  const save = () => {
    if (!persist) return;
    // IndexedDB copies the state with the structured clone algorithm (Maps, Sets and Blobs included) at `put`.
    saving = saving
      .then(() =>
        transaction('readwrite', (store) => store.put({ shape: shapeOf(mocks.state), state: mocks.state }, KEY)),
      )
      .then(
        () => undefined,
        (error: unknown) => {
          persist = false;
          console.warn('The mock data cannot be kept across reloads in this browser.', error);
        },
      );
  };
  mocks.worker.events.on('response:mocked', save);

  await mocks.worker.start({
    onUnhandledRequest: 'bypass',
    quiet: true,
    serviceWorker: { url: `${import.meta.env.BASE_URL}mockServiceWorker.js` },
  });
  // For QA in the devtools console (scenarios, the fake Graph API, the mailbox): `mocks.useScenario('refresh-fails')`.
  Object.assign(window, { mocks });

  return {
    mocks,
    async reset() {
      mocks.reset();
      await saving;
      await transaction('readwrite', (store) => store.delete(KEY));
    },
  };
}
