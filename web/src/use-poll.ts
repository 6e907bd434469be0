import { useEffect, useRef, useState } from 'react';
import type { TickwireApi } from '../../src/client/index.ts';
import { restApi } from './session.ts';

/**
 * A REST resource read every `intervalMs` (and on `refresh()`), with its last error. `key` names
 * the resource (a new key reads at once; undefined reads nothing); `read` asks the API for it.
 */
export function usePoll<T>(
  key: string | undefined,
  read: (api: TickwireApi) => Promise<T>,
  intervalMs: number,
): { data?: T; error?: string; refresh: () => void } {
  const [state, setState] = useState<{ data?: T; error?: string }>({});
  const [generation, setGeneration] = useState(0);
  // The latest `read`, without making a new function each render restart the timer.
  const reader = useRef(read);
  reader.current = read;
  useEffect(() => {
    if (key === undefined) return;
    let live = true;
    const poll = () =>
      reader.current(restApi()).then(
        (data) => live && setState({ data }),
        (error: Error) => live && setState((previous) => ({ ...previous, error: error.message })),
      );
    void poll();
    const timer = setInterval(poll, intervalMs);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [key, intervalMs, generation]);
  return { ...state, refresh: () => setGeneration((n) => n + 1) };
}
