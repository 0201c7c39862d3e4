// events.md end to end on single events: the spec's examples are accepted and normalised; every
// reason code is given for a plausible provider mistake, in the order of events.md, with a
// message that tells the provider what to send.
import { parseKafkaRecord, SHORT_TYPES, type KafkaParseResult, type ReasonCode } from '../../src';
import { cloudEvent, CTX, grantedData, record, registeredData, revokedData, SAMPLE_DATA, structuredRecord, taskData, updatedData, USCC } from '../samples';

function expectRejected(result: KafkaParseResult, reason: ReasonCode, message?: RegExp | string): string {
  if (result.ok) throw new Error(`expected ${reason}, got an accepted ${result.event.type}`);
  expect(result.reason).toBe(reason);
  // Every message says what to do: "<what is wrong>: send …".
  expect(result.message).toMatch(/: (send|publish|report) /);
  if (message !== undefined) expect(result.message).toEqual(typeof message === 'string' ? message : expect.stringMatching(message));
  return result.message;
}

function expectAccepted(result: KafkaParseResult) {
  if (!result.ok) throw new Error(`expected acceptance, got ${result.reason}: ${result.message}`);
  return result.event;
}

const withData = (data: Record<string, unknown>, patch: Record<string, unknown>) => ({ ...data, ...patch });

describe('the examples of events.md are accepted and normalised', () => {
  it('enterprise.registered', () => {
    const event = expectAccepted(parseKafkaRecord(record('enterprise.registered'), CTX));
    expect(event).toEqual({
      source: 'urn:dongcheng:samr',
      id: 'enterprise.registered-0001',
      type: 'enterprise.registered',
      time: '2025-10-10T02:00:00Z',
      subject: USCC,
      effectiveDate: '2021-05-10',
      data: registeredData(),
    });
  });

  it('enterprise.registered without optional fields: nulls, never undefined', () => {
    const { industryCode, focusIndustry, ...rest } = registeredData();
    const event = expectAccepted(parseKafkaRecord(record('enterprise.registered', { ...rest, site: { address: '北京市东城区青龙胡同1号' } }), CTX));
    expect(event.data).toEqual({
      ...rest,
      site: { address: '北京市东城区青龙胡同1号', location: null, buildingId: null },
      industryCode: null,
      focusIndustry: null,
    });
    void industryCode;
    void focusIndustry;
  });

  it('enterprise.updated keeps only the keys sent (null clears)', () => {
    const event = expectAccepted(parseKafkaRecord(record('enterprise.updated'), CTX));
    expect(event).toMatchObject({ type: 'enterprise.updated', effectiveDate: '2024-03-01' });
    expect(event.data).toEqual({
      uscc: USCC,
      effectiveOn: '2024-03-01',
      changes: { districtCode: '110101', site: { address: '北京市东城区青龙胡同2号', location: null, buildingId: 'B_GEHUA' } },
    });
    const cleared = expectAccepted(parseKafkaRecord(record('enterprise.updated', withData(updatedData(), { changes: { focusIndustry: null } })), CTX));
    expect(cleared.data).toEqual({ uscc: USCC, effectiveOn: '2024-03-01', changes: { focusIndustry: null } });
  });

  it('enterprise.deregistered', () => {
    const event = expectAccepted(parseKafkaRecord(record('enterprise.deregistered'), CTX));
    expect(event).toMatchObject({ effectiveDate: '2025-08-01', data: { uscc: USCC, effectiveOn: '2025-08-01', reason: 'cancelled' } });
  });

  it('certification.granted, validUntil null kept as sent', () => {
    const event = expectAccepted(parseKafkaRecord(record('certification.granted'), CTX));
    expect(event).toMatchObject({ type: 'certification.granted', effectiveDate: '2023-12-12', data: grantedData() });
    const { level, validUntil, issuer, batch, ...required } = grantedData();
    void [level, validUntil, issuer, batch];
    const minimal = expectAccepted(parseKafkaRecord(record('certification.granted', required), CTX));
    expect(minimal.data).toEqual({ ...required, level: null, validUntil: null, issuer: null, batch: null });
  });

  it('certification.revoked, reason optional', () => {
    const event = expectAccepted(parseKafkaRecord(record('certification.revoked'), CTX));
    expect(event).toMatchObject({ effectiveDate: '2025-05-20', data: revokedData() });
    const { reason, ...rest } = revokedData();
    void reason;
    expect(expectAccepted(parseKafkaRecord(record('certification.revoked', rest), CTX)).data).toEqual({ ...rest, reason: null });
  });

  it('task.progress.reported: effective from the first day of the quarter, department normalised', () => {
    const event = expectAccepted(parseKafkaRecord(record('task.progress.reported'), CTX));
    expect(event).toEqual({
      source: 'urn:dongcheng:taskforce',
      id: 'task.progress.reported-0001',
      type: 'task.progress.reported',
      time: '2025-10-10T02:00:00Z',
      subject: '14',
      effectiveDate: '2025-07-01',
      data: { ...taskData(), departmentNormalised: '区国资委' },
    });
    const typo = expectAccepted(
      parseKafkaRecord(record('task.progress.reported', withData(taskData(), { taskId: 27, department: '东城区管委会区科委', narrative: undefined })), CTX),
    );
    expect(typo.data).toMatchObject({ department: '东城区管委会区科委', departmentNormalised: '东城园管委会区科委', narrative: null });
  });

  it('ignores unknown extra fields in data and in the envelope (tolerant reader)', () => {
    const data = { ...registeredData(), employees: 12, site: { ...(registeredData().site as object), floor: 3 } };
    const event = expectAccepted(parseKafkaRecord(record('enterprise.registered', data, { traceparent: '00-abc' }), CTX));
    expect(event.data).toEqual(registeredData());
  });

  it('accepts a missing datacontenttype and one with a charset', () => {
    expectAccepted(parseKafkaRecord(record('enterprise.registered', undefined, { datacontenttype: undefined }), CTX));
    expectAccepted(parseKafkaRecord(record('enterprise.registered', undefined, { datacontenttype: 'application/json; charset=utf-8' }), CTX));
  });
});

describe('too_large', () => {
  it('rejects a record over 256 KiB before anything else, even if it is not JSON', () => {
    const narrative = '进展'.repeat(50_000); // 300,000 bytes of UTF-8
    expectRejected(parseKafkaRecord(record('task.progress.reported', withData(taskData(), { narrative })), CTX), 'too_large', /262144 bytes/);
    expectRejected(parseKafkaRecord({ ...record('enterprise.registered'), value: 'x'.repeat(262_145) }, CTX), 'too_large', /262145 bytes/);
  });

  it('counts bytes, not characters, and allows exactly 256 KiB', () => {
    const base = structuredRecord(cloudEvent('task.progress.reported', withData(taskData(), { narrative: '' })));
    const room = 262_144 - Buffer.byteLength(String(base.value));
    const fits = structuredRecord(cloudEvent('task.progress.reported', withData(taskData(), { narrative: 'a'.repeat(room) })));
    expect(Buffer.byteLength(String(fits.value))).toBe(262_144);
    expectAccepted(parseKafkaRecord(fits, CTX));
    const over = structuredRecord(cloudEvent('task.progress.reported', withData(taskData(), { narrative: `${'a'.repeat(room - 2)}进` }))); // fewer characters, one byte over
    expectRejected(parseKafkaRecord(over, CTX), 'too_large');
  });
});

describe('malformed', () => {
  it('not JSON', () => {
    expectRejected(parseKafkaRecord({ ...record('enterprise.registered'), value: '{"specversion":"1.0","id":"bad-1",' }, CTX), 'malformed', /not valid JSON/);
  });

  it('JSON but not an object', () => {
    expectRejected(parseKafkaRecord({ ...record('enterprise.registered'), value: '[1,2]' }, CTX), 'malformed', /\[1,2\], not a JSON object/);
  });

  it.each(['specversion', 'id', 'source', 'type', 'time', 'subject', 'data'])('missing %s', (attribute) => {
    const message = expectRejected(parseKafkaRecord(record('enterprise.registered', undefined, { [attribute]: undefined }), CTX), 'malformed');
    expect(message).toMatch(new RegExp(`^${attribute} is missing: send `));
  });

  it('an empty attribute', () => {
    expectRejected(parseKafkaRecord(record('enterprise.registered', undefined, { id: '' }), CTX), 'malformed', /^id is "": send id as a non-empty string/);
  });

  it('data null', () => {
    expectRejected(parseKafkaRecord(record('enterprise.registered', null), CTX), 'malformed', /^data is null: send data/);
  });

  it('specversion other than 1.0', () => {
    expectRejected(
      parseKafkaRecord(record('enterprise.registered', undefined, { specversion: '0.3' }), CTX),
      'malformed',
      'specversion is "0.3": send specversion "1.0" (CloudEvents 1.0)',
    );
    expectRejected(parseKafkaRecord(record('enterprise.registered', undefined, { specversion: 1.0 }), CTX), 'malformed');
  });

  it('a time that is not RFC 3339', () => {
    expectRejected(
      parseKafkaRecord(record('enterprise.registered', undefined, { time: '2025-10-10 10:00' }), CTX),
      'malformed',
      /^time is "2025-10-10 10:00": send time as an RFC 3339 timestamp/,
    );
  });

  it('a datacontenttype other than JSON', () => {
    expectRejected(
      parseKafkaRecord(record('enterprise.registered', undefined, { datacontenttype: 'text/xml' }), CTX),
      'malformed',
      /^datacontenttype is "text\/xml"/,
    );
  });

  it('a source with spaces', () => {
    expectRejected(
      parseKafkaRecord(record('enterprise.registered', undefined, { source: 'market regulation' }), CTX),
      'malformed',
      /^source is "market regulation"/,
    );
  });

  it('wins over later rules (also an unknown type and a bad uscc)', () => {
    const data = withData(registeredData(), { uscc: 'x' });
    expectRejected(
      parseKafkaRecord(record('enterprise.registered', data, { source: undefined, type: 'cn.gov.dongcheng.siliconalley.enterprise.exploded.v1' }), CTX),
      'malformed',
    );
  });
});

describe('unknown_type', () => {
  it('a type not in the contract', () => {
    const message = expectRejected(
      parseKafkaRecord(
        structuredRecord(
          cloudEvent('enterprise.registered', undefined, { type: 'cn.gov.dongcheng.siliconalley.enterprise.exploded.v1' }),
          'siliconalley.enterprise.v1',
        ),
        CTX,
      ),
      'unknown_type',
    );
    expect(message).toMatch(
      /"cn.gov.dongcheng.siliconalley.enterprise.exploded.v1" is not a type of event contract v1: send one of .*enterprise.registered.v1/,
    );
  });

  it('another version of a known type', () => {
    expectRejected(
      parseKafkaRecord(
        structuredRecord(
          cloudEvent('certification.granted', undefined, { type: 'cn.gov.dongcheng.siliconalley.certification.granted.v2' }),
          'siliconalley.certification.v1',
        ),
        CTX,
      ),
      'unknown_type',
    );
  });

  it('a known type on the wrong topic', () => {
    expectRejected(
      parseKafkaRecord(structuredRecord(cloudEvent('certification.granted'), 'siliconalley.enterprise.v1'), CTX),
      'unknown_type',
      'type cn.gov.dongcheng.siliconalley.certification.granted.v1 does not belong on topic siliconalley.enterprise.v1: publish it to siliconalley.certification.v1',
    );
    expectRejected(parseKafkaRecord(structuredRecord(cloudEvent('task.progress.reported'), 'siliconalley.deadletter.v1'), CTX), 'unknown_type');
  });

  it('wins over a broken data schema', () => {
    expectRejected(parseKafkaRecord(structuredRecord(cloudEvent('certification.granted', { kind: 'GOLD' }), 'siliconalley.task.v1'), CTX), 'unknown_type');
  });
});

describe('schema_invalid', () => {
  it.each<[string, Record<string, unknown>, RegExp]>([
    ['a missing required field', { establishedOn: undefined }, /^data\.establishedOn is missing: send a calendar date YYYY-MM-DD/],
    [
      'an impossible date',
      { establishedOn: '2024-02-30' },
      /^data\.establishedOn is "2024-02-30": send a calendar date YYYY-MM-DD \(China time\), e\.g\. 2024-02-29$/,
    ],
    ['a day-first date', { establishedOn: '31/12/2020' }, /^data\.establishedOn is "31\/12\/2020"/],
    ['a date that is not a leap day', { establishedOn: '2023-02-29' }, /2023-02-29/],
    ['a number where a string is due', { name: 12345 }, /^data\.name is 12345: send the registered name/],
    ['a district code as a number', { districtCode: 110101 }, /^data\.districtCode is 110101: send districtCode as the 6-digit GB\/T 2260 code in a string/],
    ['a bad industry code', { industryCode: '6513' }, /^data\.industryCode is "6513": send a GB\/T 4754-2017 code/],
    ['an unknown focus industry', { focusIndustry: 'ROBOTICS' }, /^data\.focusIndustry is "ROBOTICS": send one of AI, SMART_HEALTH/],
    ['a uscc that is not a string', { uscc: 91110101 }, /^data\.uscc is 91110101: send the Unified Social Credit Code as an 18-character string/],
    ['a site without address', { site: { location: null } }, /^data\.site\.address is missing/],
    [
      'an unknown crs',
      { site: { address: 'x', location: { lon: 116.4, lat: 39.9, crs: 'CGCS2000' } } },
      /^data\.site\.location\.crs is "CGCS2000": send crs as one of WGS84, GCJ02, BD09/,
    ],
    [
      'a coordinate as a string',
      { site: { address: 'x', location: { lon: '116.4', lat: 39.9, crs: 'WGS84' } } },
      /^data\.site\.location\.lon is "116\.4": send lon as a number/,
    ],
  ])('enterprise.registered with %s', (_, patch, message) => {
    const data = withData(registeredData(), patch);
    for (const key of Object.keys(data)) if (data[key] === undefined) delete data[key];
    expectRejected(parseKafkaRecord(record('enterprise.registered', data), CTX), 'schema_invalid', message);
  });

  it('data that is not an object', () => {
    expectRejected(
      parseKafkaRecord(record('enterprise.deregistered', ['x']), CTX),
      'schema_invalid',
      /^data is \["x"\]: send data as a JSON object with the fields of enterprise.deregistered/,
    );
  });

  it('enterprise.updated with no known change', () => {
    expectRejected(
      parseKafkaRecord(record('enterprise.updated', withData(updatedData(), { changes: {} })), CTX),
      'schema_invalid',
      /^data\.changes is \{\}: send at least one of districtCode, site/,
    );
    expectRejected(parseKafkaRecord(record('enterprise.updated', withData(updatedData(), { changes: { phone: '123' } })), CTX), 'schema_invalid');
    expectRejected(
      parseKafkaRecord(record('enterprise.updated', withData(updatedData(), { effectiveOn: 'yesterday' })), CTX),
      'schema_invalid',
      /data\.effectiveOn is "yesterday"/,
    );
  });

  it('enterprise.deregistered with an unknown reason', () => {
    expectRejected(
      parseKafkaRecord(record('enterprise.deregistered', { uscc: USCC, effectiveOn: '2025-08-01', reason: 'moved' }), CTX),
      'schema_invalid',
      /send reason as one of cancelled, revoked, merged, other/,
    );
  });

  it('certification.granted with validUntil before validFrom', () => {
    expectRejected(
      parseKafkaRecord(record('certification.granted', withData(grantedData(), { validFrom: '2024-02-01', validUntil: '2023-01-01' })), CTX),
      'schema_invalid',
      'data.validUntil 2023-01-01 is before data.validFrom 2024-02-01: send validUntil on or after validFrom, or null for the default three years',
    );
    // The same day is fine: a one-day certificate.
    expectAccepted(parseKafkaRecord(record('certification.granted', withData(grantedData(), { validUntil: '2023-12-12' })), CTX));
  });

  it('certification.granted with an unknown kind, level or a missing certificate number', () => {
    expectRejected(
      parseKafkaRecord(record('certification.granted', withData(grantedData(), { kind: 'GOLD_STAR' })), CTX),
      'schema_invalid',
      /^data\.kind is "GOLD_STAR": send kind as one of HNTE/,
    );
    expectRejected(
      parseKafkaRecord(record('certification.granted', withData(grantedData(), { level: 'provincial' })), CTX),
      'schema_invalid',
      /send level as one of national, municipal, district, or null/,
    );
    const { certificateNo, ...noNumber } = grantedData();
    void certificateNo;
    expectRejected(parseKafkaRecord(record('certification.granted', noNumber), CTX), 'schema_invalid', /^data\.certificateNo is missing/);
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['an unknown taskId', { taskId: 35 }, /^data\.taskId is 35: send taskId as a whole number from 1 to 34/],
    ['taskId 0', { taskId: 0 }, /data\.taskId is 0/],
    ['taskId as a string', { taskId: '14' }, /^data\.taskId is "14"/],
    ['a percent over 100', { percentComplete: 140 }, /^data\.percentComplete is 140: send percentComplete as a whole number from 0 to 100/],
    ['a fractional percent', { percentComplete: 60.5 }, /data\.percentComplete is 60\.5/],
    ['a bad period', { period: '2025Q3' }, /^data\.period is "2025Q3": send period as the reported quarter YYYY-Qn/],
    ['a fifth quarter', { period: '2025-Q5' }, /data\.period is "2025-Q5"/],
    ['an unknown status', { status: 'done' }, /^data\.status is "done": send status as one of not_started, in_progress, completed, blocked/],
    ['an empty department', { department: '' }, /^data\.department is "": send department/],
    ['a narrative of the wrong type', { narrative: 42 }, /^data\.narrative is 42: send narrative as a string, or null/],
  ])('task.progress.reported with %s', (_, patch, message) => {
    const event = cloudEvent('task.progress.reported', withData(taskData(), patch), { subject: '14' });
    expectRejected(parseKafkaRecord(structuredRecord(event), CTX), 'schema_invalid', message);
  });

  it('wins over an invalid uscc string and out-of-range coordinates (first rule broken)', () => {
    const data = withData(registeredData(), {
      uscc: '91110101MAK9LPEF6I',
      establishedOn: '2024-02-30',
      site: { address: 'x', location: { lon: 116.4, lat: 99, crs: 'WGS84' }, buildingId: null },
    });
    expectRejected(parseKafkaRecord(record('enterprise.registered', data), CTX), 'schema_invalid', /establishedOn/);
  });
});

describe('invalid_uscc', () => {
  it('a wrong check character', () => {
    const data = withData(registeredData(), { uscc: '91110101MA01ABCD5N' });
    expectRejected(
      parseKafkaRecord(record('enterprise.registered', data), CTX),
      'invalid_uscc',
      'data.uscc "91110101MA01ABCD5N" is not a valid Unified Social Credit Code (its check character is N but the first 17 characters give M): ' +
        "send the firm's 18-character code exactly as on its business licence",
    );
  });

  it('a lower-case code', () => {
    expectRejected(
      parseKafkaRecord(record('certification.revoked', withData(revokedData(), { uscc: '91110101ma01abcd5m' })), CTX),
      'invalid_uscc',
      /lower-case letters/,
    );
  });

  it('a truncated code, which also has a future date: the uscc comes first', () => {
    const data = withData(registeredData(), { uscc: '91110101MAK9LPEF', establishedOn: '2033-01-01' });
    expectRejected(parseKafkaRecord(record('enterprise.registered', data), CTX), 'invalid_uscc', /16 characters/);
  });

  it('an empty string (with a valid subject: the uscc is checked before the subject)', () => {
    const data = { uscc: '', effectiveOn: '2025-08-01', reason: 'other' };
    expectRejected(parseKafkaRecord(record('enterprise.deregistered', data, { subject: USCC }), CTX), 'invalid_uscc', /0 characters/);
  });

  it('a legacy code on the operator allow-list is accepted, in every firm type', () => {
    const legacy = '110101000123456';
    const allow = { ...CTX, legacyUsccAllowList: new Set([legacy]) };
    for (const type of SHORT_TYPES.filter((t) => t !== 'task.progress.reported')) {
      const rec = record(type, withData(SAMPLE_DATA[type](), { uscc: legacy }));
      expectRejected(parseKafkaRecord(rec, CTX), 'invalid_uscc');
      expect(expectAccepted(parseKafkaRecord(rec, allow)).subject).toBe(legacy);
    }
  });
});

describe('subject_mismatch', () => {
  it('subject is another firm than data.uscc', () => {
    const event = cloudEvent('certification.granted', grantedData(), { subject: '91110000802100433B' });
    expectRejected(
      parseKafkaRecord(structuredRecord(event), CTX),
      'subject_mismatch',
      `subject "91110000802100433B" does not match data.uscc "${USCC}": send the same USCC in both`,
    );
  });

  it('a task report whose subject is not its taskId', () => {
    const event = cloudEvent('task.progress.reported', taskData(), { subject: '15' });
    expectRejected(parseKafkaRecord(structuredRecord(event), CTX), 'subject_mismatch', /subject "15" does not match data\.taskId "14"/);
    expectRejected(parseKafkaRecord(structuredRecord(cloudEvent('task.progress.reported', taskData(), { subject: '014' })), CTX), 'subject_mismatch');
  });

  it('wins over out-of-range coordinates and a future date', () => {
    const data = withData(registeredData(), {
      establishedOn: '2030-01-01',
      site: { address: 'x', location: { lon: 116.4, lat: 99, crs: 'WGS84' }, buildingId: null },
    });
    const event = cloudEvent('enterprise.registered', data, { subject: '91110000802100433B' });
    expectRejected(parseKafkaRecord(structuredRecord(event), CTX), 'subject_mismatch');
  });
});

describe('future_dated: later than the day after arrival, in China time', () => {
  const establishedOn = (d: string) => record('enterprise.registered', withData(registeredData(), { establishedOn: d }));

  it('accepts the day of arrival and the day after', () => {
    expectAccepted(parseKafkaRecord(establishedOn('2026-11-26'), CTX));
    expectAccepted(parseKafkaRecord(establishedOn('2026-11-27'), CTX));
  });

  it('rejects two days ahead', () => {
    expectRejected(
      parseKafkaRecord(establishedOn('2026-11-28'), CTX),
      'future_dated',
      'data.establishedOn 2026-11-28 is later than 2026-11-27, the day after the event arrived (2026-11-26, China time): ' +
        'send the event no earlier than the day before it takes effect, or correct the date',
    );
  });

  it('counts the arrival day in Beijing, not in UTC', () => {
    const lateEvening = { receivedAt: new Date('2026-11-26T16:30:00Z') }; // 00:30 on 27 November in Beijing
    expectAccepted(parseKafkaRecord(establishedOn('2026-11-28'), lateEvening));
  });

  it('uses each type’s effective date', () => {
    expectRejected(
      parseKafkaRecord(record('certification.granted', withData(grantedData(), { validFrom: '2032-05-14' })), CTX),
      'future_dated',
      /data\.validFrom 2032-05-14/,
    );
    expectRejected(
      parseKafkaRecord(record('enterprise.updated', withData(updatedData(), { effectiveOn: '2031-03-22' })), CTX),
      'future_dated',
      /data\.effectiveOn/,
    );
    expectRejected(parseKafkaRecord(record('certification.revoked', withData(revokedData(), { effectiveOn: '2027-01-01' })), CTX), 'future_dated');
    // A task report takes effect on the first day of its quarter.
    expectRejected(
      parseKafkaRecord(record('task.progress.reported', withData(taskData(), { period: '2027-Q1' })), CTX),
      'future_dated',
      /data\.period 2027-Q1 \(effective 2027-01-01\)/,
    );
    expectAccepted(parseKafkaRecord(record('task.progress.reported', withData(taskData(), { period: '2026-Q4' })), CTX));
    // validUntil is not an effective date.
    expectAccepted(parseKafkaRecord(record('certification.granted', withData(grantedData(), { validUntil: '2040-01-01' })), CTX));
  });

  it('wins over out-of-range coordinates', () => {
    const data = withData(registeredData(), {
      establishedOn: '2030-01-01',
      site: { address: 'x', location: { lon: 200, lat: 39.9, crs: 'WGS84' }, buildingId: null },
    });
    expectRejected(parseKafkaRecord(record('enterprise.registered', data), CTX), 'future_dated');
  });
});

describe('invalid_location', () => {
  const at = (location: unknown) => withData(registeredData(), { site: { address: '北京市东城区青龙胡同9号', location, buildingId: null } });

  it('a latitude outside 3..54', () => {
    expectRejected(
      parseKafkaRecord(record('enterprise.registered', at({ lon: 116.42, lat: 95, crs: 'WGS84' })), CTX),
      'invalid_location',
      'data.site.location is not a point in China: lat 95 is outside 3..54: send lon 73..136 and lat 3..54 in the stated crs, or location null with a buildingId',
    );
    expectRejected(parseKafkaRecord(record('enterprise.registered', at({ lon: 116.42, lat: -45, crs: 'WGS84' })), CTX), 'invalid_location');
  });

  it('swapped lon and lat', () => {
    expectRejected(
      parseKafkaRecord(record('enterprise.registered', at({ lon: 39.9473, lat: 116.4236, crs: 'GCJ02' })), CTX),
      'invalid_location',
      /look swapped/,
    );
  });

  it('an overflowing (non-finite) coordinate', () => {
    const rec = record('enterprise.registered', at({ lon: 116.4, lat: 39.9, crs: 'WGS84' }));
    const value = String(rec.value).replace('"lon":116.4', '"lon":1e999');
    expect(value).toContain('1e999');
    expectRejected(parseKafkaRecord({ ...rec, value }, CTX), 'invalid_location', /lon Infinity is outside 73\.\.136/);
  });

  it('on the edges of the box is fine', () => {
    expectAccepted(parseKafkaRecord(record('enterprise.registered', at({ lon: 73, lat: 54, crs: 'WGS84' })), CTX));
    expectAccepted(parseKafkaRecord(record('enterprise.registered', at({ lon: 136, lat: 3, crs: 'BD09' })), CTX));
  });

  it('in an update’s new site', () => {
    const data = withData(updatedData(), { changes: { site: { address: 'x', location: { lon: 0, lat: 0, crs: 'WGS84' } } } });
    expectRejected(
      parseKafkaRecord(record('enterprise.updated', data), CTX),
      'invalid_location',
      /^data\.changes\.site\.location is not a point in China: lon 0 is outside 73\.\.136 and lat 0 is outside 3\.\.54/,
    );
  });
});

describe('unauthorized_department', () => {
  it('a department not on the task', () => {
    const data = withData(taskData(), { taskId: 28, department: '区教委' });
    expectRejected(
      parseKafkaRecord(structuredRecord(cloudEvent('task.progress.reported', data)), CTX),
      'unauthorized_department',
      'data.department "区教委" is not a lead or cooperating department of task 28 (lead: 东城园管委会区科委; cooperating: 区委组织部、区经济和信息化局、区财政局): ' +
        "report under one of the task's departments, or ask the task force to add this department to the task",
    );
  });

  it('keeps 区城管局 and 区城市管理委 apart', () => {
    const report = (taskId: number, department: string) =>
      parseKafkaRecord(structuredRecord(cloudEvent('task.progress.reported', withData(taskData(), { taskId, department }))), CTX);
    expectAccepted(report(25, '区城管局'));
    expectRejected(report(25, '区城市管理委'), 'unauthorized_department');
    expectAccepted(report(7, '区城市管理委'));
    expectRejected(report(7, '区城管局'), 'unauthorized_department');
  });

  it('accepts aliases of a department on the task', () => {
    const event = expectAccepted(
      parseKafkaRecord(structuredRecord(cloudEvent('task.progress.reported', withData(taskData(), { taskId: 1, department: '东城区发改委' }))), CTX),
    );
    expect(event.data).toMatchObject({ department: '东城区发改委', departmentNormalised: '区发展改革委' });
  });

  it('comes last: a future report from an unauthorized department is future_dated', () => {
    const data = withData(taskData(), { department: '区教委', period: '2030-Q1' });
    expectRejected(parseKafkaRecord(structuredRecord(cloudEvent('task.progress.reported', data)), CTX), 'future_dated');
  });
});
