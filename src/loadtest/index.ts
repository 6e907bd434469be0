/** Load testing a running node (docs/LOADTEST.md): `tickwire loadtest quick|full|analyze`. */
export { type Analysis, analysisText, analyze, type Finding } from './analyze.ts';
export { htmlReport } from './html-report.ts';
export {
  ANALYZE_FLAG_OPTIONS,
  analyzeFlagsSchema,
  LOADTEST_FLAG_OPTIONS,
  LOADTEST_MODES,
  LOADTEST_USAGE,
  type LoadtestFlags,
  loadtestFlagsSchema,
  type LoadtestMode,
} from './loadtest-options.ts';
export { ProgressDisplay } from './progress.ts';
export { type Check, type LoadtestResult, runLoadtest, type TimelinePoint } from './run-loadtest.ts';
export { parseThreshold } from './thresholds.ts';
export { progressLine, textReport } from './text-report.ts';
