/**
 * Trading (docs/TRADING.md): what Tickwire knows of its accounts' orders, fills and positions,
 * from the exchange's execution reports.
 */
export { decimal, units } from './amounts.ts';
export { type ExecutionUpdate, parseExecutionReport } from './execution-report.ts';
export {
  type ApplyOutcome,
  isTerminal,
  ORDER_STATES,
  type OrderState,
  REFUSALS,
  type Refusal,
  TrackedOrder,
  type TradeFill,
} from './order-tracker.ts';
export { Position } from './positions.ts';
