import { writeFileSync } from 'node:fs';
import { isTickwireError } from '../errors.ts';
import {
  ANALYZE_FLAG_OPTIONS,
  analysisText,
  analyze,
  analyzeFlagsSchema,
  htmlReport,
  LOADTEST_FLAG_OPTIONS,
  LOADTEST_MODES,
  LOADTEST_USAGE,
  loadtestFlagsSchema,
  type LoadtestMode,
  ProgressDisplay,
  progressLine,
  runLoadtest,
  textReport,
} from '../loadtest/index.ts';
import { parseFlags } from './flags.ts';

/**
 * `tickwire loadtest quick|full|analyze [options]` (docs/LOADTEST.md). Exit codes: 0 every check
 * held (analyze: no critical finding), 1 one did not, 2 the test could not run (bad flags, a
 * target that is not allowed or does not answer).
 */
export async function loadtestCommand(args: readonly string[]): Promise<number> {
  const [mode, ...rest] = args;
  try {
    if (mode === 'analyze') {
      const flags = parseFlags(analyzeFlagsSchema, rest, ANALYZE_FLAG_OPTIONS, LOADTEST_USAGE);
      const analysis = await analyze(flags.url, {
        allowHosts: flags['allow-host'],
        ...(apiKeyOf(flags['api-key']) === undefined ? {} : { apiKey: apiKeyOf(flags['api-key'])! }),
      });
      process.stdout.write(flags.json ? `${JSON.stringify(analysis, null, 2)}\n` : analysisText(analysis));
      return analysis.findings.some((finding) => finding.severity === 'critical') ? 1 : 0;
    }
    if (!(mode !== undefined && mode in LOADTEST_MODES)) {
      process.stderr.write(`tickwire loadtest: say quick, full or analyze\n\n${LOADTEST_USAGE}\n`);
      return 2;
    }
    const flags = parseFlags(loadtestFlagsSchema, rest, LOADTEST_FLAG_OPTIONS, LOADTEST_USAGE);
    const apiKey = apiKeyOf(flags['api-key']);
    const progress = new ProgressDisplay();
    const stop = new AbortController();
    const interrupt = () => stop.abort();
    process.once('SIGINT', interrupt);
    try {
      const result = await runLoadtest(
        mode as LoadtestMode,
        { ...flags, ...(apiKey === undefined ? {} : { 'api-key': apiKey }) },
        {
          signal: stop.signal,
          onSecond: (point, total) => progress.update(progressLine(point, total), point.atS),
        },
      );
      progress.done();
      if (flags.html !== undefined) writeFileSync(flags.html, htmlReport(result));
      process.stdout.write(flags.json ? `${JSON.stringify(result, null, 2)}\n` : textReport(result));
      return result.passed ? 0 : 1;
    } finally {
      process.off('SIGINT', interrupt);
    }
  } catch (error) {
    if (!isTickwireError(error)) throw error;
    process.stderr.write(`tickwire loadtest: ${error.message}\n`);
    return 2;
  }
}

/** --api-key, or TICKWIRE_API_KEY. */
function apiKeyOf(flag: string | undefined): string | undefined {
  return flag ?? process.env.TICKWIRE_API_KEY;
}
