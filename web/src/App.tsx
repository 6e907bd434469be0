import { useEffect, useMemo, useRef, useState } from 'react';
import { TickwireProvider, useConnectionState, useTickwire } from '../../src/client/react.ts';
import { Bots } from './pages/Bots.tsx';
import { Latency } from './pages/Latency.tsx';
import { MarketWatch } from './pages/MarketWatch.tsx';
import { System } from './pages/System.tsx';
import { Trading } from './pages/Trading.tsx';
import { createClient, storeApiKey, storedApiKey } from './session.ts';

const PAGES = {
  market: { title: 'Market', page: MarketWatch },
  trading: { title: 'Orders', page: Trading },
  bots: { title: 'Bots', page: Bots },
  latency: { title: 'Latency', page: Latency },
  system: { title: 'System', page: System },
} as const;
type PageName = keyof typeof PAGES;

function pageOfHash(): PageName {
  const name = location.hash.replace(/^#\/?/, '').split('/')[0] as PageName;
  return name in PAGES ? name : 'market';
}

/** The whole dashboard: one client per API key (none: public market data only), a page per tab. */
export function App() {
  const [apiKey, setApiKey] = useState(storedApiKey());
  const client = useMemo(() => createClient(apiKey), [apiKey]);
  useEffect(() => {
    void client.connect().catch(() => undefined);
    return () => client.close();
  }, [client]);
  const [page, setPage] = useState(pageOfHash());
  useEffect(() => {
    const onHash = () => setPage(pageOfHash());
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  const Page = PAGES[page].page;
  return (
    <TickwireProvider client={client}>
      <header>
        <h1>Tickwire</h1>
        <nav>
          {Object.entries(PAGES).map(([name, { title }]) => (
            <a key={name} href={`#/${name}`} className={name === page ? 'active' : ''}>
              {title}
            </a>
          ))}
        </nav>
        <SignIn
          apiKey={apiKey}
          onChange={(key) => {
            storeApiKey(key);
            setApiKey(key);
          }}
        />
      </header>
      {/* A new key is a new client: its first connection is not a recovery. */}
      <ConnectionBanner key={apiKey ?? ''} />
      <main>
        <Page />
      </main>
    </TickwireProvider>
  );
}

/** Says when the connection is down, and for a few seconds when it has come back. */
function ConnectionBanner() {
  const state = useConnectionState();
  const [banner, setBanner] = useState<'none' | 'lost' | 'recovered' | 'closed'>('none');
  const connectedBefore = useRef(false);
  useEffect(() => {
    if (state === 'connected') {
      // The first connection is not a recovery.
      if (!connectedBefore.current) {
        connectedBefore.current = true;
        return;
      }
      setBanner('recovered');
      const timer = setTimeout(() => setBanner('none'), 4_000);
      return () => clearTimeout(timer);
    }
    if (state === 'closed') setBanner('closed');
    else if (connectedBefore.current) setBanner('lost');
  }, [state]);
  if (banner === 'none') return null;
  const text = {
    lost: 'Connection lost: reconnecting…',
    recovered: 'Connection recovered',
    closed: 'Disconnected: the server refused the API key (sign out to use public data)',
  }[banner];
  return (
    <div className={banner === 'recovered' ? 'banner ok' : 'banner'} data-testid="connection">
      {text}
    </div>
  );
}

function SignIn(props: { apiKey: string | undefined; onChange: (key: string | undefined) => void }) {
  const client = useTickwire();
  useConnectionState();
  const [draft, setDraft] = useState('');
  if (props.apiKey !== undefined) {
    return (
      <span style={{ marginLeft: 'auto' }}>
        <span className="dim">account </span>
        <span data-testid="account">{client.account ?? '…'}</span>{' '}
        <button onClick={() => props.onChange(undefined)}>sign out</button>
      </span>
    );
  }
  return (
    <form
      className="inline"
      style={{ marginLeft: 'auto' }}
      onSubmit={(event) => {
        event.preventDefault();
        props.onChange(draft.trim());
      }}
    >
      <input
        placeholder="API key"
        value={draft}
        onChange={(event) => setDraft(event.target.value)}
        size={36}
      />
      <button type="submit">sign in</button>
    </form>
  );
}
