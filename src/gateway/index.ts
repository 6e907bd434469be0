export {
  type AuthConfig,
  type Authenticator,
  authConfigSchema,
  type Credential,
  createAuthenticator,
  credentialFromHandshake,
} from './auth.ts';
export { CLOSE_CODES, CLOSE_REASONS, type CloseReason, REPLY_ERRORS, type ReplyError } from './codes.ts';
export { Cluster, type ClusterBroadcastResult, type ClusterOptions, type NodeInfo } from './cluster.ts';
export { type CompiledFilter, compileFilter, type Filter } from './filter.ts';
export { type ConnectionInfo, Gateway, type GatewayLimits, type GatewayOptions } from './gateway.ts';
export type { StreamPosition } from './history.ts';
export {
  createHttpServer,
  DEFAULT_HEADER_TIMEOUT_MS,
  readJsonBody,
  type RouteHandler,
  type RouteKey,
  sendError,
  sendJson,
} from './http-server.ts';
export { LANES, type Lane } from './lanes.ts';
export { DEFAULT_ANONYMOUS_TOPICS, type Principal } from './permissions.ts';
export { PRESET_PATHS } from './presets.ts';
export { sendBufferCap, type SendBufferCapStatus, UNSENT_LIMIT_BYTES } from './send-buffer-cap.ts';
export { CLIENT_OPS, DATA_FORMATS, type DataFormat } from './protocol.ts';
export { authenticated, authorized, managementRoutes, validBody } from './rest-api.ts';
export { TokenBucket } from './token-bucket.ts';
