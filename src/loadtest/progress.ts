/**
 * The live progress of a load test on stderr (stdout carries the report, or JSON): one line
 * rewritten in place on a terminal; on anything else (a CI log, a pipe) a plain line every
 * PLAIN_EVERY_S seconds, so a log is not flooded with carriage returns.
 */
const PLAIN_EVERY_S = 5;

export class ProgressDisplay {
  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {}

  update(line: string, elapsedS: number): void {
    if (this.stream.isTTY) this.stream.write(`\r\x1b[2K${line.slice(0, (this.stream.columns ?? 120) - 1)}`);
    else if (elapsedS % PLAIN_EVERY_S === 0) this.stream.write(`${line}\n`);
  }

  done(): void {
    if (this.stream.isTTY) this.stream.write('\n');
  }
}
