import { DEFAULT_FLAG_POLICY, nextFlag, nextTaskFlag, UNFLAGGED, type FlagState, type TargetStatus } from '../../src';

const run = (steps: [TargetStatus | null, number | null][], policy = DEFAULT_FLAG_POLICY) => {
  let state: FlagState = UNFLAGGED;
  return steps.map(([status, ratio]) => {
    const next = nextFlag(state, { status, ratio }, policy);
    state = next.state;
    return next.change;
  });
};

describe('flags with hysteresis', () => {
  it('raises at once on lagging, regressing or missed', () => {
    expect(run([['lagging', 0.3]])).toEqual(['raised']);
    expect(run([['regressing', -0.1]])).toEqual(['raised']);
    expect(run([['missed', 0.9]])).toEqual(['raised']);
    expect(
      run([
        ['on_track', 1],
        ['at_risk', 0.7],
      ]),
    ).toEqual([null, null]);
  });

  it('does not flap when one firm moves the ratio back and forth across 0.5', () => {
    expect(
      run([
        ['lagging', 0.49],
        ['at_risk', 0.51],
        ['lagging', 0.49],
        ['at_risk', 0.52],
        ['lagging', 0.48],
      ]),
    ).toEqual(['raised', null, null, null, null]);
  });

  it('clears after clearAfter consecutive recovered evaluations', () => {
    expect(
      run([
        ['lagging', 0.45],
        ['at_risk', 0.55],
        ['at_risk', 0.55],
        ['at_risk', 0.56],
      ]),
    ).toEqual(['raised', null, null, 'cleared']);
  });

  it('a flagged evaluation restarts the count', () => {
    expect(
      run([
        ['lagging', 0.45],
        ['at_risk', 0.55],
        ['at_risk', 0.55],
        ['lagging', 0.49],
        ['at_risk', 0.55],
        ['at_risk', 0.55],
        ['at_risk', 0.55],
      ]),
    ).toEqual(['raised', null, null, null, null, null, 'cleared']);
  });

  it('clears at once past the margin or when achieved', () => {
    expect(
      run([
        ['lagging', 0.4],
        ['at_risk', 0.6],
      ]),
    ).toEqual(['raised', 'cleared']);
    expect(
      run([
        ['regressing', -0.2],
        ['achieved', 2],
      ]),
    ).toEqual(['raised', 'cleared']);
    expect(
      run([
        ['lagging', 0.4],
        ['on_track', null],
      ]),
    ).toEqual(['raised', null]);
  });

  it('an unknown status changes nothing', () => {
    expect(
      run([
        ['lagging', 0.4],
        [null, null],
        [null, null],
        [null, null],
      ]),
    ).toEqual(['raised', null, null, null]);
  });
});

describe('plan-task flags', () => {
  const runTask = (steps: { overdue: boolean; blocked: boolean }[]) => {
    let state: FlagState = UNFLAGGED;
    return steps.map((t) => {
      const next = nextTaskFlag(state, t);
      state = next.state;
      return [next.change, state.raisedBy];
    });
  };
  const ok = { overdue: false, blocked: false };

  it('raises when a task becomes overdue or blocked, clears when it recovers', () => {
    expect(runTask([ok, { overdue: true, blocked: false }, { overdue: true, blocked: false }, ok, ok])).toEqual([
      [null, null],
      ['raised', 'overdue'],
      [null, 'overdue'],
      ['cleared', null],
      [null, null],
    ]);
    expect(runTask([{ overdue: false, blocked: true }, ok])).toEqual([
      ['raised', 'blocked'],
      ['cleared', null],
    ]);
  });

  it('a change of reason while flagged is no new change; blocked comes before overdue', () => {
    expect(runTask([{ overdue: true, blocked: false }, { overdue: true, blocked: true }, { overdue: false, blocked: true }, ok])).toEqual([
      ['raised', 'overdue'],
      [null, 'blocked'],
      [null, 'blocked'],
      ['cleared', null],
    ]);
  });
});
