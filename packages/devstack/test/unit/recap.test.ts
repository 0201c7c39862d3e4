import { FailureRecap } from '../../src/recap';

describe('FailureRecap: what npm test repeats at the end of a failed run', () => {
  it('repeats only the failed suites, without service logs, across chunks that split lines', () => {
    const recap = new FailureRecap(3);
    const out = [
      '@siliconalley/chaos:test:integration: [chaos] step 1: SIGKILL gateway\n',
      '@siliconalley/chaos:test:integration: {"level":40,"msg":"database disconnected"}\n',
      '@siliconalley/dashboards:test:integration: PASS test/integration/prometheus.test.ts\n',
      '@siliconalley/chaos:test:integration:   ● chaos › ends with exact dispositions\n',
      '@siliconalley/chaos:test:integration:     Expected: []\n@siliconalley/chaos:test:integr',
      'ation:     Received: ["lag 3 on group x"]\n',
      ' Tasks:    30 successful, 31 total\n',
      'Failed:    @siliconalley/chaos#test:integration\n',
    ];
    for (const chunk of out) recap.write(chunk);
    recap.write('@siliconalley/chaos:test:integration: from stderr, unfinished', 'stderr');
    const text = recap.render();
    expect(text.split('\n')).toEqual([
      '[test] @siliconalley/chaos:test:integration failed; its last 3 lines (service logs left out):',
      '      Expected: []',
      '      Received: ["lag 3 on group x"]',
      '  from stderr, unfinished',
      '',
    ]);
    expect(text).not.toContain('dashboards');
    expect(text).not.toContain('"level"');
  });

  it('says nothing when every suite passed', () => {
    const recap = new FailureRecap();
    recap.write('@siliconalley/chaos:test:integration: PASS test/integration/chaos.test.ts\n Tasks:    31 successful, 31 total\n');
    expect(recap.render()).toBe('');
  });

  it('names every failed suite of a comma-separated list, colour codes removed', () => {
    const recap = new FailureRecap();
    recap.write('\u001b[31m@siliconalley/a:test:integration: \u001b[0mboom\n@siliconalley/b:test:integration: bang\n');
    recap.write('\u001b[31mFailed:    @siliconalley/a#test:integration, @siliconalley/b#test:integration\u001b[0m\n');
    const text = recap.render();
    expect(text).toContain('@siliconalley/a:test:integration failed');
    expect(text).toContain('  boom');
    expect(text).toContain('@siliconalley/b:test:integration failed');
    expect(text).toContain('  bang');
  });
});
