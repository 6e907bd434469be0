import { z } from 'zod';

/**
 * The value shapes the trading config and REST bodies share, written once: amounts as the
 * exchange writes them (decimal strings, at most 8 decimals) and Binance symbol names.
 */
export const decimalText = z
  .string()
  .regex(/^\d{1,20}(\.\d{1,8})?$/, 'must be a decimal string with at most 8 decimals, e.g. "0.001"');

export const positiveDecimal = decimalText.refine((text) => /[1-9]/.test(text), 'must be above 0');

export const symbolName = z
  .string()
  .regex(/^[A-Z0-9]{1,20}$/, 'symbol names are 1-20 characters A-Z and 0-9');
