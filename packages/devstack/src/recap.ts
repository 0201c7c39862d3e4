// What `npm test` repeats after a failed run: CI logs are often read from their tail, where a
// suite's own failure (printed minutes earlier, between thousands of service log lines) is gone.
// Turbo prefixes each task's lines with "<package>:<task>: " and names the failed ones at the end
// ("Failed:    @siliconalley/chaos#test:integration").

const TASK_LINE = /^(\S+?):([\w:-]+): (.*)$/;
const FAILED_LINE = /^\s*Failed:\s+(.+)$/;
// Service logs (pino JSON) are the noise; jest's and the suites' own words are the signal.
const SERVICE_LOG = /^\s*\{"level":/;

export class FailureRecap {
  private readonly tails = new Map<string, string[]>();
  private readonly failed = new Set<string>();
  // Per stream: stdout and stderr chunks interleave, each may end mid-line.
  private readonly partial = new Map<string, string>();

  constructor(private readonly linesPerTask = 120) {}

  /** Feeds a chunk of turbo's output on one stream (it may end mid-line). */
  write(chunk: string, stream = 'stdout'): void {
    const lines = ((this.partial.get(stream) ?? '') + chunk).split('\n');
    this.partial.set(stream, lines.pop() ?? '');
    for (const line of lines) this.line(line);
  }

  /** The failed tasks' last own lines, ready to print ('' when nothing failed). */
  render(): string {
    for (const rest of this.partial.values()) if (rest) this.line(rest);
    this.partial.clear();
    const out: string[] = [];
    for (const task of this.failed) {
      const tail = this.tails.get(task) ?? [];
      out.push(`[test] ${task} failed; its last ${tail.length} lines (service logs left out):`);
      out.push(...tail.map((l) => `  ${l}`));
    }
    return out.length ? `${out.join('\n')}\n` : '';
  }

  private line(raw: string): void {
    // eslint-disable-next-line no-control-regex
    const line = raw.replace(/\u001b\[[0-9;]*m/g, '');
    const failed = FAILED_LINE.exec(line);
    if (failed) {
      for (const task of failed[1]!.split(',')) if (task.trim()) this.failed.add(task.trim().replace('#', ':'));
      return;
    }
    const m = TASK_LINE.exec(line);
    if (!m || SERVICE_LOG.test(m[3]!)) return;
    const task = `${m[1]}:${m[2]}`;
    let tail = this.tails.get(task);
    if (!tail) this.tails.set(task, (tail = []));
    tail.push(m[3]!);
    if (tail.length > this.linesPerTask) tail.shift();
  }
}
