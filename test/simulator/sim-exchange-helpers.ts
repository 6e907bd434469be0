import WebSocket from 'ws';

/** Polls `condition` every 10 ms until it holds; throws after `timeoutMs`. */
export async function waitFor(
  condition: () => boolean,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export interface Closed {
  code: number;
  reason: string;
}

/** A `ws` client that keeps every text frame (raw and parsed) and how the connection ended. */
export class TestClient {
  readonly texts: string[] = [];
  readonly messages: unknown[] = [];
  closed: Closed | undefined;
  readonly ws: WebSocket;
  private readonly opened: Promise<void>;

  constructor(url: string, options: WebSocket.ClientOptions = {}) {
    this.ws = new WebSocket(url, options);
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
    this.ws.on('error', () => undefined);
    this.ws.on('message', (data: WebSocket.RawData) => {
      const text = data.toString();
      this.texts.push(text);
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      this.messages.push(parsed);
    });
    this.ws.on('close', (code: number, reason: Buffer) => {
      this.closed = { code, reason: reason.toString() };
    });
  }

  open(): Promise<void> {
    return this.opened;
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** Waits for a parsed message that `match` accepts (looking at those already received too). */
  async next<T = Record<string, unknown>>(
    match: (message: Record<string, unknown>) => boolean,
    timeoutMs = 10_000,
  ): Promise<T> {
    let found: unknown;
    await waitFor(
      () => {
        found = this.messages.find(
          (m) => typeof m === 'object' && m !== null && match(m as Record<string, unknown>),
        );
        return found !== undefined;
      },
      timeoutMs,
      'a matching message',
    );
    return found as T;
  }

  /** Sends a control request and waits for the reply with its id. */
  async request(message: Record<string, unknown>): Promise<Record<string, unknown>> {
    this.send(message);
    return this.next((m) => m.id === message.id && ('result' in m || 'error' in m));
  }

  async waitClosed(timeoutMs = 10_000): Promise<Closed> {
    await waitFor(() => this.closed !== undefined, timeoutMs, 'the connection to close');
    return this.closed!;
  }

  close(): void {
    this.ws.terminate();
  }
}

export async function getJson(url: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url);
  return { status: response.status, body: await response.json() };
}

export async function postJson(url: string, body: unknown): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

/** `"123.45"`-style decimal with exactly `decimals` digits after the point (none when 0). */
export function decimalPattern(decimals: number): RegExp {
  return decimals === 0 ? /^\d+$/ : new RegExp(`^\\d+\\.\\d{${decimals}}$`);
}
