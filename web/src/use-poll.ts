import { useEffect, useState } from 'react';
import { api } from './session.ts';

/** A REST resource read every `intervalMs` (and on `refresh()`), with its last error. */
export function usePoll<T>(
  path: string | undefined,
  intervalMs: number,
): { data?: T; error?: string; refresh: () => void } {
  const [state, setState] = useState<{ data?: T; error?: string }>({});
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    if (path === undefined) return;
    let live = true;
    const read = () =>
      api<T>(path).then(
        (data) => live && setState({ data }),
        (error: Error) => live && setState((previous) => ({ ...previous, error: error.message })),
      );
    void read();
    const timer = setInterval(read, intervalMs);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [path, intervalMs, generation]);
  return { ...state, refresh: () => setGeneration((n) => n + 1) };
}
