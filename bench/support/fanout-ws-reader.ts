import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import msgpackParser from 'socket.io-msgpack-parser';
import type { ClientWire } from './fanout-protocol.ts';

/**
 * The cheapest WebSocket client we could write, for load clients that share 2 cores with the
 * server they measure. It speaks just enough RFC 6455: the upgrade handshake, masked text frames
 * out, unmasked unfragmented frames in (every server measured sends only those), pong for ping.
 *
 * Why not the `ws` client: per message it runs a stream, a frame state machine, copies the
 * payload and emits an event; here every socket reads into ONE shared buffer (net's `onread`, so
 * no Buffer and no 'data' event per read) and a frame costs a header decode and one call of
 * `onFrame` with offsets into that buffer. What the client does per frame beyond that is the
 * caller's choice: counting, a sampled timestamp, or a full JSON.parse for a realistic consumer.
 */

/** A complete data frame: its payload is `buffer[start, end)`, valid only during the call. */
export type FrameHandler = (buffer: Buffer, start: number, end: number) => void;

export interface ReaderOptions {
  port: number;
  path: string;
  host?: string;
  localAddress?: string;
  /** Extra handshake headers (e.g. x-api-key). */
  headers?: Record<string, string>;
  onFrame: FrameHandler;
  /** Called once when the connection ends, with why (peer close code, socket error, EOF). */
  onClose?: (reason: string) => void;
  /**
   * A slow client: reads at most this many bytes per second (1 KB reads, a pause after each), so
   * the kernel's buffers and then the server's queue fill behind it.
   */
  readBytesPerSecond?: number;
}

/** Big enough that a backlogged socket is drained in few reads; reused by every reader. */
const SHARED_READ_BUFFER = Buffer.allocUnsafe(256 * 1024);
/** A slow reader's read size. */
const SLOW_READ_BYTES = 1024;
const HEADER_END = Buffer.from('\r\n\r\n');
const MAX_HEADER_BYTES = 10;

export class WsReader {
  onFrame: FrameHandler;
  private readonly socket: Socket;
  private upgraded = false;
  private closed = false;
  /** Bytes of an incomplete frame (or of the HTTP response) carried to the next read. */
  private pending = Buffer.allocUnsafe(1024);
  private pendingLength = 0;
  private readonly onClose: ((reason: string) => void) | undefined;
  private readonly opened: Promise<void>;
  private resolveOpen!: () => void;
  private rejectOpen!: (error: Error) => void;

  private constructor(options: ReaderOptions) {
    this.onFrame = options.onFrame;
    this.onClose = options.onClose;
    this.opened = new Promise<void>((resolve, reject) => {
      this.resolveOpen = resolve;
      this.rejectOpen = reject;
    });
    const host = options.host ?? '127.0.0.1';
    const rate = options.readBytesPerSecond;
    this.socket = connect({
      port: options.port,
      host,
      ...(options.localAddress ? { localAddress: options.localAddress } : {}),
      onread: {
        buffer: rate === undefined ? SHARED_READ_BUFFER : Buffer.allocUnsafe(SLOW_READ_BYTES),
        callback: (length: number, buffer: Uint8Array) => {
          this.receive(buffer as Buffer, length);
          if (rate !== undefined && this.upgraded) {
            this.socket.pause();
            setTimeout(() => this.socket.resume(), (length / rate) * 1000);
          }
          return true;
        },
      },
    });
    this.socket.setNoDelay(true);
    this.socket.on('connect', () => {
      const headers = Object.entries(options.headers ?? {})
        .map(([name, value]) => `${name}: ${value}\r\n`)
        .join('');
      this.socket.write(
        `GET ${options.path} HTTP/1.1\r\nHost: ${host}:${options.port}\r\nUpgrade: websocket\r\n` +
          `Connection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n` +
          `Sec-WebSocket-Version: 13\r\n${headers}\r\n`,
      );
    });
    this.socket.on('error', (error) => this.end(`socket error ${(error as NodeJS.ErrnoException).code}`));
    this.socket.on('close', () => this.end('socket closed'));
  }

  /** Connects and completes the handshake; rejects on an HTTP refusal or a socket error. */
  static async connect(options: ReaderOptions): Promise<WsReader> {
    const reader = new WsReader(options);
    await reader.opened;
    return reader;
  }

  /**
   * Connects, subscribes to `topics` (JSON format) and resolves once the server confirmed the
   * subscription; rejects if it refused or the connection ended first. Frames after the
   * confirmation go to `onFrame`; `onClose` is told of the connection's end, before or after.
   */
  static async subscribed(
    options: Omit<ReaderOptions, 'onFrame'> & {
      topics: readonly string[];
      onFrame: FrameHandler;
      /** Default json. */
      wire?: ClientWire;
    },
  ): Promise<WsReader> {
    const wire = options.wire ?? 'json';
    if (wire === 'socketio' || wire === 'socketio-msgpack') return WsReader.socketIoSubscribed(options, wire);
    let confirm!: (error?: Error) => void;
    const confirmed = new Promise<void>((resolve, reject) => {
      confirm = (error) => (error ? reject(error) : resolve());
    });
    const reader = await WsReader.connect({
      ...options,
      onFrame: (buffer, start, end) => {
        const reply = JSON.parse(buffer.toString('utf8', start, end)) as { type?: string; error?: unknown };
        if (reply.type === 'subscribed') confirm();
        else if (reply.type === 'error')
          confirm(new Error(`subscribe refused: ${JSON.stringify(reply.error)}`));
      },
      onClose: (reason) => {
        options.onClose?.(reason);
        confirm(new Error(reason));
      },
    });
    reader.send(JSON.stringify({ op: 'subscribe', id: 1, topics: options.topics, format: wire }));
    await confirmed;
    reader.onFrame = options.onFrame;
    return reader;
  }

  /**
   * The same over Socket.IO (Engine.IO 4 on a WebSocket, no polling): wait for the open packet,
   * connect to the main namespace, emit `subscribe` with the topics and wait for the server's
   * `subscribed` event. After that every frame goes to `onFrame`, but Engine.IO's pings (a text
   * frame `2`), which are answered with a pong (`3`) as Socket.IO's own client does.
   */
  private static async socketIoSubscribed(
    options: Omit<ReaderOptions, 'onFrame'> & { topics: readonly string[]; onFrame: FrameHandler },
    wire: 'socketio' | 'socketio-msgpack',
  ): Promise<WsReader> {
    const msgpack = wire === 'socketio-msgpack';
    const encoder = new msgpackParser.Encoder();
    const decoder = new msgpackParser.Decoder();
    /** Sends a Socket.IO packet: text `4<type><json>` with the default parser, msgpack in a binary frame with the other. */
    const sendPacket = (reader: WsReader, type: number, data?: unknown) => {
      const packet = { type, nsp: '/', ...(data === undefined ? {} : { data }) };
      // The typings say ArrayBuffer; the parser returns [Buffer].
      if (msgpack) reader.sendBinary((encoder.encode(packet) as unknown as [Buffer])[0]);
      else reader.send(`4${type}${data === undefined ? '' : JSON.stringify(data)}`);
    };
    let step: 'open' | 'connect' | 'subscribe' = 'open';
    let confirm!: (error?: Error) => void;
    const confirmed = new Promise<void>((resolve, reject) => {
      confirm = (error) => (error ? reject(error) : resolve());
    });
    /** A Socket.IO packet of the handshake: its type and data, from either parser. */
    const packetOf = (
      buffer: Buffer,
      start: number,
      end: number,
    ): { type: number; data?: unknown } | undefined => {
      if (msgpack && buffer[start] !== 0x30 && buffer[start] !== 0x32) {
        let packet: { type: number; data?: unknown } | undefined;
        decoder.once('decoded', (decoded: { type: number; data?: unknown }) => (packet = decoded));
        decoder.add(buffer.subarray(start, end));
        return packet;
      }
      const text = buffer.toString('utf8', start, end);
      if (!text.startsWith('4')) return undefined;
      const json = text.slice(2);
      return { type: Number(text[1]), ...(json === '' ? {} : { data: JSON.parse(json) as unknown }) };
    };
    // Called as the reader's onFrame, so `reader` is the reader even for frames that arrive with
    // the upgrade response, before connect() has resolved.
    const handshake = (reader: WsReader, buffer: Buffer, start: number, end: number): void => {
      if (end - start === 1 && buffer[start] === 0x32) return reader.send('3');
      if (step === 'open') {
        if (buffer[start] !== 0x30) return confirm(new Error('no Engine.IO open packet'));
        step = 'connect';
        sendPacket(reader, 0);
        return;
      }
      const packet = packetOf(buffer, start, end);
      if (packet === undefined) return;
      if (step === 'connect' && packet.type === 0) {
        step = 'subscribe';
        sendPacket(reader, 2, ['subscribe', { topics: options.topics }]);
      } else if (
        step === 'subscribe' &&
        packet.type === 2 &&
        (packet.data as unknown[])[0] === 'subscribed'
      ) {
        confirm();
      } else if (packet.type === 4) confirm(new Error(`connect refused: ${JSON.stringify(packet.data)}`));
    };
    const reader = await WsReader.connect({
      ...options,
      path: '/socket.io/?EIO=4&transport=websocket',
      onFrame(this: WsReader, buffer, start, end) {
        handshake(this, buffer, start, end);
      },
      onClose: (reason) => {
        options.onClose?.(reason);
        confirm(new Error(reason));
      },
    });
    await confirmed;
    const onFrame = options.onFrame;
    reader.onFrame = (buffer, start, end) => {
      if (end - start === 1 && buffer[start] === 0x32) reader.send('3');
      else onFrame(buffer, start, end);
    };
    return reader;
  }

  /** Sends `text` as one masked text frame. */
  send(text: string): void {
    this.socket.write(maskedFrame(0x1, Buffer.from(text, 'utf8')));
  }

  /** Sends `bytes` as one masked binary frame. */
  sendBinary(bytes: Uint8Array): void {
    this.socket.write(maskedFrame(0x2, bytes));
  }

  /** Stops reading the socket for good: the kernel's buffers fill, then the server's. */
  stopReading(): void {
    this.socket.pause();
  }

  /** Closes the socket at once; onClose is not called (the caller knows). */
  destroy(): void {
    this.closed = true;
    this.socket.destroy();
  }

  private end(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.rejectOpen(new Error(reason));
    this.onClose?.(reason);
  }

  private receive(buffer: Buffer, length: number): void {
    let position = 0;
    if (!this.upgraded) {
      position = this.readHandshake(buffer, length);
      if (position < 0) return;
    }
    if (this.pendingLength !== 0) {
      position = this.completePending(buffer, position, length);
      if (position < 0) return;
    }
    while (position + 2 <= length) {
      const frameStart = position;
      const opcode = buffer[position]! & 0x0f;
      let payloadLength = buffer[position + 1]!;
      if (payloadLength > 125) {
        // Masked server frames (bit 7) are a protocol error; they fall here and are refused below.
        if (payloadLength === 126) {
          if (position + 4 > length) break;
          payloadLength = buffer.readUInt16BE(position + 2);
          position += 4;
        } else if (payloadLength === 127) {
          if (position + 10 > length) break;
          payloadLength =
            buffer.readUInt32BE(position + 2) * 0x1_0000_0000 + buffer.readUInt32BE(position + 6);
          position += 10;
        } else {
          this.fail('the server sent a masked frame');
          return;
        }
      } else {
        position += 2;
      }
      const end = position + payloadLength;
      if (end > length) {
        // The whole frame, header included, is carried to the next read.
        position = frameStart;
        break;
      }
      this.dispatch(opcode, buffer, position, end);
      position = end;
    }
    if (position < length) this.carry(buffer, position, length);
  }

  private dispatch(opcode: number, buffer: Buffer, start: number, end: number): void {
    if (opcode === 0x1 || opcode === 0x2) this.onFrame(buffer, start, end);
    else if (opcode === 0x9) this.socket.write(maskedFrame(0xa, buffer.subarray(start, end)));
    else if (opcode === 0x8) {
      const code = end - start >= 2 ? buffer.readUInt16BE(start) : 1005;
      this.end(`closed by the server with ${code} ${buffer.toString('utf8', start + 2, end)}`);
      this.socket.destroy();
    } else if (opcode !== 0xa) this.fail(`unexpected opcode ${opcode} (fragmented frames are not read)`);
  }

  /** Completes the carried frame with bytes from `buffer`; returns where the next frame starts, or -1. */
  private completePending(buffer: Buffer, position: number, length: number): number {
    for (;;) {
      const total = frameLength(this.pending, this.pendingLength);
      const wanted = (total < 0 ? MAX_HEADER_BYTES : total) - this.pendingLength;
      const taken = Math.min(wanted, length - position);
      this.append(buffer, position, position + taken);
      position += taken;
      const known = frameLength(this.pending, this.pendingLength);
      if (known >= 0 && this.pendingLength >= known) {
        // A header read past a tiny frame took bytes of the next one: give them back.
        position -= this.pendingLength - known;
        this.pendingLength = 0;
        const headerBytes = headerLengthOf(this.pending);
        this.dispatch(this.pending[0]! & 0x0f, this.pending, headerBytes, known);
        return position;
      }
      if (position >= length) return -1;
    }
  }

  private readHandshake(buffer: Buffer, length: number): number {
    this.append(buffer, 0, length);
    const headerEnd = this.pending.subarray(0, this.pendingLength).indexOf(HEADER_END);
    if (headerEnd < 0) return -1;
    const head = this.pending.toString('latin1', 0, headerEnd);
    if (!head.startsWith('HTTP/1.1 101')) {
      this.fail(head.slice(0, head.indexOf('\r\n')));
      return -1;
    }
    this.upgraded = true;
    // Frames that arrived with the response are re-read from the carried bytes.
    const rest = this.pendingLength - (headerEnd + HEADER_END.length);
    const restStart = length - rest;
    this.pendingLength = 0;
    this.resolveOpen();
    return restStart;
  }

  private carry(buffer: Buffer, start: number, end: number): void {
    this.pendingLength = 0;
    this.append(buffer, start, end);
  }

  private append(buffer: Buffer, start: number, end: number): void {
    const needed = this.pendingLength + (end - start);
    if (needed > this.pending.length) {
      const grown = Buffer.allocUnsafe(Math.max(needed, this.pending.length * 2));
      this.pending.copy(grown, 0, 0, this.pendingLength);
      this.pending = grown;
    }
    buffer.copy(this.pending, this.pendingLength, start, end);
    this.pendingLength = needed;
  }

  private fail(reason: string): void {
    this.end(reason);
    this.socket.destroy();
  }
}

/** Header bytes of the (unmasked) frame starting `frame`, which holds at least 2 bytes. */
function headerLengthOf(frame: Buffer): number {
  const length = frame[1]!;
  return length === 126 ? 4 : length === 127 ? 10 : 2;
}

/** Total bytes of the frame at the start of `frame[0, available)`, or -1 while its header is incomplete. */
function frameLength(frame: Buffer, available: number): number {
  if (available < 2) return -1;
  const header = headerLengthOf(frame);
  if (available < header) return -1;
  const length = frame[1]!;
  if (length < 126) return 2 + length;
  if (length === 126) return 4 + frame.readUInt16BE(2);
  return 10 + frame.readUInt32BE(2) * 0x1_0000_0000 + frame.readUInt32BE(6);
}

/** A client frame: final, masked (RFC 6455 requires it of clients). */
function maskedFrame(opcode: number, payload: Uint8Array): Buffer {
  const length = payload.length;
  const header = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(header + 4 + length);
  frame[0] = 0x80 | opcode;
  if (length < 126) frame[1] = 0x80 | length;
  else if (length < 65_536) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 0x80 | 127;
    frame.writeUInt32BE(Math.floor(length / 0x1_0000_0000), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  const mask = randomBytes(4);
  mask.copy(frame, header);
  for (let i = 0; i < length; i++) frame[header + 4 + i] = payload[i]! ^ mask[i & 3]!;
  return frame;
}
