import type { TickwireConfig } from '../config/index.ts';
import type { GatewayOptions } from '../gateway/index.ts';

/** The gateway's options from the configuration: everything but the parts a node wires in. */
export function gatewaySettings(config: TickwireConfig): Omit<GatewayOptions, 'bus' | 'registry' | 'auth'> {
  return {
    limits: {
      maxConnections: config.maxConnections,
      maxConnectionsPerAddress: config.maxConnectionsPerAddress,
      maxSubscriptions: config.maxSubscriptions,
      maxFrameBytes: config.maxFrameBytes,
      inboundRatePerSecond: config.inboundRate,
      inboundBurst: config.inboundBurst,
      floodLimit: config.floodLimit,
      conflateAfterBytes: config.conflateAfterBytes,
      maxBufferedBytes: config.maxBufferedBytes,
      pingIntervalMs: config.pingIntervalMs,
      idleTimeoutMs: config.idleTimeoutMs,
      allowedOrigins: config.allowedOrigins,
    },
    recoverable: config.recoverableTopics,
    history: { maxEntries: config.historySize, maxAgeMs: config.historyTtlMs },
    compressionThreshold: config.compressionThreshold,
  };
}
