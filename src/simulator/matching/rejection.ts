/**
 * A request the exchange refuses, with Binance's error code and message ("Error Codes" of the Spot
 * API docs). REST answers it as HTTP 400 `{"code":…,"msg":…}`, the WebSocket API as an error
 * response; both use the same constructors, so a message is written once.
 */
export class ExchangeRejection extends Error {
  constructor(
    readonly code: number,
    readonly msg: string,
    /** HTTP status for REST (400 unless Binance uses another: 401 for bad keys, 429/418 for limits). */
    readonly status = 400,
    /** Extra detail some refusals carry (cancelReplace's outcomes). */
    readonly data?: unknown,
    /** Seconds a rate-limited client should wait (REST's Retry-After). */
    readonly retryAfterSeconds?: number,
  ) {
    super(`${code}: ${msg}`);
  }
}

export const rejections = {
  unknown: () => new ExchangeRejection(-1000, 'An unknown error occurred while processing the request.'),
  timestampOutside: () =>
    new ExchangeRejection(-1021, 'Timestamp for this request is outside of the recvWindow.'),
  badSignature: () => new ExchangeRejection(-1022, 'Signature for this request is not valid.'),
  illegalChars: (name: string) =>
    new ExchangeRejection(-1100, `Illegal characters found in parameter '${name}'.`),
  mandatory: (name: string) =>
    new ExchangeRejection(-1102, `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`),
  notRequired: (name: string) => new ExchangeRejection(-1106, `Parameter '${name}' sent when not required.`),
  tooMuchPrecision: (name: string) =>
    new ExchangeRejection(-1111, `Parameter '${name}' has too much precision.`),
  invalidTimeInForce: () => new ExchangeRejection(-1115, 'Invalid timeInForce.'),
  invalidOrderType: () => new ExchangeRejection(-1116, 'Invalid orderType.'),
  invalidSide: () => new ExchangeRejection(-1117, 'Invalid side.'),
  badSymbol: () => new ExchangeRejection(-1121, 'Invalid symbol.'),
  badCombination: () => new ExchangeRejection(-1128, 'Combination of optional parameters invalid.'),
  invalidParameter: (name: string) =>
    new ExchangeRejection(-1130, `Data sent for parameter '${name}' is not valid.`),
  badRecvWindow: () => new ExchangeRejection(-1131, 'recvWindow must be less than 60000'),
  filterFailure: (filter: string) => new ExchangeRejection(-1013, `Filter failure: ${filter}`),
  invalidQuantity: () => new ExchangeRejection(-1013, 'Invalid quantity.'),
  insufficientBalance: () =>
    new ExchangeRejection(-2010, 'Account has insufficient balance for requested action.'),
  wouldTake: () => new ExchangeRejection(-2010, 'Order would immediately match and take.'),
  wouldTrigger: () => new ExchangeRejection(-2010, 'Order would trigger immediately.'),
  duplicateClientOrderId: () => new ExchangeRejection(-2010, 'Duplicate order sent.'),
  unknownOrder: () => new ExchangeRejection(-2011, 'Unknown order sent.'),
  unknownOrderList: () => new ExchangeRejection(-2011, 'Order list does not exist.'),
  badPriceRelationship: () =>
    new ExchangeRejection(-2010, 'The relationship of the prices for the orders is not correct.'),
  noSuchOrder: () => new ExchangeRejection(-2013, 'Order does not exist.'),
  badApiKeyFormat: () => new ExchangeRejection(-2014, 'API-key format invalid.', 401),
  malformedRequest: () =>
    new ExchangeRejection(-1000, 'Malformed request: expected a JSON object with id, method and params.'),
  unknownMethod: (method: string) => new ExchangeRejection(-1000, `Unknown method: ${method}.`),
  notLoggedOn: () => new ExchangeRejection(-1002, 'You are not authorized to execute this request.', 401),
  unknownListenKey: () => new ExchangeRejection(-1125, 'This listenKey does not exist.'),
  invalidJsonBody: () => new ExchangeRejection(-1000, 'the body is not valid JSON'),
  /** The simulator's own admin endpoint: a bad account description. */
  badAccount: (detail: string) => new ExchangeRejection(-1130, `invalid account: ${detail}`),
  rejectedApiKey: () => new ExchangeRejection(-2015, 'Invalid API-key, IP, or permissions for action.', 401),
} as const;
