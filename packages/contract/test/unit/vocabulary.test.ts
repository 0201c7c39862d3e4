import type { TaskReport } from '@siliconalley/plan';
import {
  fullType,
  REASON_CODES,
  SHORT_TYPES,
  shortTypeOf,
  SOURCE_TOPICS,
  TASK_STATUSES,
  TOPICS,
  topicOfType,
  locationProblem,
  type TaskProgressReported,
} from '../../src';

describe('vocabulary, topics and reasons', () => {
  it('maps full and short types both ways', () => {
    for (const t of SHORT_TYPES) expect(shortTypeOf(fullType(t))).toBe(t);
    expect(shortTypeOf('cn.gov.dongcheng.siliconalley.enterprise.registered.v2')).toBeNull();
    expect(shortTypeOf('enterprise.registered')).toBeNull();
  });

  it('names the topics of events.md', () => {
    expect(TOPICS).toMatchObject({
      enterprise: 'siliconalley.enterprise.v1',
      certification: 'siliconalley.certification.v1',
      task: 'siliconalley.task.v1',
      deadLetter: 'siliconalley.deadletter.v1',
      alert: 'siliconalley.alert.v1',
    });
    expect(TOPICS.accepted).toMatch(/^siliconalley\./);
    expect(SHORT_TYPES.map(topicOfType)).toEqual([
      'siliconalley.enterprise.v1',
      'siliconalley.enterprise.v1',
      'siliconalley.enterprise.v1',
      'siliconalley.certification.v1',
      'siliconalley.certification.v1',
      'siliconalley.task.v1',
    ]);
    expect(new Set(SHORT_TYPES.map(topicOfType))).toEqual(new Set(SOURCE_TOPICS));
  });

  it('lists the reason codes in checking order', () => {
    expect(REASON_CODES).toEqual([
      'too_large',
      'malformed',
      'unknown_type',
      'schema_invalid',
      'invalid_uscc',
      'subject_mismatch',
      'future_dated',
      'invalid_location',
      'unauthorized_department',
    ]);
  });

  it('shares the task statuses with the plan, and task events fit its reports', () => {
    expect(TASK_STATUSES).toEqual(['not_started', 'in_progress', 'completed', 'blocked']);
    const asReport = (event: TaskProgressReported): TaskReport => event; // compile-time check
    expect(asReport).toBeInstanceOf(Function);
  });
});

describe('locationProblem', () => {
  it('accepts Beijing in any CRS and the box edges', () => {
    expect(locationProblem({ lon: 116.4236, lat: 39.9473 })).toBeNull();
    expect(locationProblem({ lon: 73, lat: 3 })).toBeNull();
    expect(locationProblem({ lon: 136, lat: 54 })).toBeNull();
  });

  it('names each coordinate that is out of range', () => {
    expect(locationProblem({ lon: 116.42, lat: 95 })).toBe('lat 95 is outside 3..54');
    expect(locationProblem({ lon: 72.99, lat: 39.9 })).toBe('lon 72.99 is outside 73..136');
    expect(locationProblem({ lon: Number.POSITIVE_INFINITY, lat: Number.NaN })).toBe('lon Infinity is outside 73..136 and lat NaN is outside 3..54');
    expect(locationProblem({ lon: 39.9, lat: 116.4 })).toMatch(/look swapped/);
  });
});
