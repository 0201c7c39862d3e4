// `npm run assess` checks its arguments before any network call: a typo or an open period gets a
// clear message and exit code 2, with nothing on stdout (which a user redirects into a file).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const cli = join(__dirname, '../../dist/assess-cli.js');
const run = (...args: string[]) =>
  spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, SA_API_URL: 'http://127.0.0.1:9', SA_TOKEN: 'unused' } });

describe('npm run assess: argument checks', () => {
  it.each([
    [['2025-Q5'], /"2025-Q5" is not a period: write a year \(2025\), a quarter \(2025-Q4\) or a month \(2025-10\)/],
    [['../../etc/passwd'], /is not a period/],
    [['2099-01'], /2099-01 is not over yet \(it ends 2099-01-31; today is \d{4}-\d{2}-\d{2} in China time\)/],
    [['2023'], /before the plan/],
    [['2025-Q4', '--format', 'docx'], /--format must be json, csv, html, xlsx or pdf/],
    [['2025-Q4', '--version', '0'], /--version must be a positive whole number/],
    [[], /give exactly one period/],
    [['2025-Q4', '--bogus'], /Unknown option '--bogus'/],
  ])('%j → exit 2 with a clear message', (args, message) => {
    const r = run(...args);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
  });

  it('says where it tried to connect when the stack is not running (exit 1)', () => {
    const r = run('2025-Q4', '--format', 'csv');
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/cannot reach http:\/\/127\.0\.0\.1:9 .*npm start/);
  });
});
