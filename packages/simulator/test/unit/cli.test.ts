// The command line: defaults for the local stack, and exit code 2 with a clear message for bad flags.
import { main, parseCli } from '../../src/cli';

const NOW = new Date('2026-11-26T12:00:00Z'); // 2026-11-26 20:00 in China

describe('simulate CLI flags', () => {
  it('defaults to the local dev stack, Kafka, seed 1, from 2015 to today (China time)', () => {
    const options = parseCli(['--firms', '300'], NOW);
    expect(options).toMatchObject({
      simulation: { firms: 300, from: '2015-01-01', to: '2026-11-26', seed: 1 },
      target: 'kafka',
      brokers: ['127.0.0.1:9092'],
      namespace: '',
      gateway: 'http://127.0.0.1:8080',
      rate: null,
      dryRun: false,
    });
  });

  it('takes every flag', () => {
    const options = parseCli(
      [
        '--firms',
        '5',
        '--from',
        '2020-01-01',
        '--to',
        '2025-06-30',
        '--rate',
        '250',
        '--seed',
        '9',
        '--target',
        'http',
        '--gateway',
        'http://gw:8080',
        '--token',
        'T',
        '--namespace',
        'demo1',
        '--brokers',
        'a:1,b:2',
      ],
      NOW,
    );
    expect(options).toMatchObject({
      simulation: { firms: 5, from: '2020-01-01', to: '2025-06-30', seed: 9 },
      rate: 250,
      target: 'http',
      gateway: 'http://gw:8080',
      token: 'T',
      namespace: 'demo1',
      brokers: ['a:1', 'b:2'],
    });
  });

  it.each([
    [['--firms', 'many'], /--firms must be a whole number/],
    [[], /--firms is required/],
    [['--firms', '5', '--target', 'ftp'], /--target must be kafka or http/],
    [['--firms', '5', '--from', '2024-13-01'], /--from must be a calendar date/],
    [['--firms', '5', '--from', '2025-01-01', '--to', '2024-01-01'], /later than --to/],
    [['--firms', '5', '--to', '2027-01-01'], /after today \(2026-11-26, China time\)/],
    [['--firms', '5', '--rate', '0'], /--rate must be a positive number/],
    [['--firms', '5', '--brokers', 'localhost'], /--brokers must be host:port/],
    [['--firms', '5', '--target', 'http'], /needs --token/],
    [['--firms', '5', '--colour'], /Unknown option '--colour'/],
  ])('refuses %j', (argv, message) => {
    const saved = process.env.SA_TOKEN;
    delete process.env.SA_TOKEN;
    try {
      expect(() => parseCli(argv, NOW)).toThrow(message);
    } finally {
      if (saved !== undefined) process.env.SA_TOKEN = saved;
    }
  });

  it('allows a future --to in a dry run (nothing arrives, nothing is future-dated)', () => {
    expect(parseCli(['--firms', '5', '--to', '2027-01-01', '--dry-run'], NOW).simulation.to).toBe('2027-01-01');
  });

  it('exits 2 with the message and the usage on stderr', async () => {
    const written: string[] = [];
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      expect(await main(['--firms=-3'])).toBe(2);
    } finally {
      spy.mockRestore();
    }
    expect(written.join('')).toMatch(/simulate: --firms must be a whole number ≥ 0, got "-3"\nusage: npm run simulate/);
  });

  it('prints records by topic and intended disposition after a dry run', async () => {
    const out: string[] = [];
    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out.push(String(chunk));
      return true;
    });
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(await main(['--firms', '50', '--to', '2025-12-31', '--dry-run', '--json'])).toBe(0);
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
    }
    const summary = JSON.parse(out.join('')) as {
      records: number;
      accepted: number;
      duplicates: number;
      rejected: Record<string, number>;
      byTopic: Record<string, unknown>;
    };
    const rejected = Object.values(summary.rejected).reduce((a, b) => a + b, 0);
    expect(summary.accepted + summary.duplicates + rejected).toBe(summary.records);
    expect(Object.keys(summary.byTopic).sort()).toEqual(['siliconalley.certification.v1', 'siliconalley.enterprise.v1', 'siliconalley.task.v1']);
  });
});
