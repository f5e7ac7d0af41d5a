import { useCallback, useEffect, useRef, useState } from 'react';

/** The state of data a panel loads: the last data, the last error, and whether a load is running. */
export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  /** Loads again with the same key; the old data stays on screen meanwhile. */
  reload: () => void;
}

/** Runs `load(key)` on mount and whenever `key` changes; only the newest load's answer is kept. */
export function useLoad<T, K = null>(load: (key: K) => Promise<T>, key: K): Loaded<T> {
  const latest = useRef({ load, key, run: 0 });
  latest.current.load = load;
  latest.current.key = key;
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({
    data: undefined,
    error: undefined,
    loading: true,
  });
  const run = useCallback((runKey: K) => {
    const run = ++latest.current.run;
    setState((previous) => ({ ...previous, loading: true }));
    latest.current.load(runKey).then(
      (data) => {
        if (run === latest.current.run) setState({ data, error: undefined, loading: false });
      },
      (error: unknown) => {
        if (run === latest.current.run) setState((previous) => ({ data: previous.data, error, loading: false }));
      },
    );
  }, []);
  useEffect(() => run(key), [run, key]);
  const reload = useCallback(() => run(latest.current.key), [run]);
  return { ...state, reload };
}
