/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** `mock` (the default): @cims/mocks in a service worker; `live`: the server at `VITE_CIMS_API_URL`. */
  readonly VITE_CIMS_MODE?: string;
  /** The base URL of the CIMS server in live mode, e.g. `http://127.0.0.1:8000`. */
  readonly VITE_CIMS_API_URL?: string;
}

interface ImportMeta {
  readonly env: ImportMetaEnv;
}
