// The compact per-firm encoding must give back exactly the events it was given, whatever they hold.
import type { FirmEvent } from '@siliconalley/contract';
import { acceptedFixtureEvents } from '@siliconalley/testkit';
import { appendFirmEvents, decodeFirmEvents } from '../../src/firm-events';
import { FIRM_A, granted, registered } from './builders';

describe('firm events encoding', () => {
  it('round-trips every firm event of the fixture, appended one at a time and in groups', () => {
    const byFirm = new Map<string, FirmEvent[]>();
    for (const e of acceptedFixtureEvents('small')) {
      if (e.type === 'task.progress.reported') continue;
      byFirm.set(e.subject, [...(byFirm.get(e.subject) ?? []), e]);
    }
    expect(byFirm.size).toBeGreaterThan(100);
    for (const [uscc, events] of byFirm) {
      let oneByOne: string | undefined;
      for (const e of events) oneByOne = appendFirmEvents(uscc, oneByOne, [e]);
      expect(decodeFirmEvents(uscc, oneByOne)).toEqual(events);
      const half = Math.ceil(events.length / 2);
      const grouped = appendFirmEvents(uscc, appendFirmEvents(uscc, undefined, events.slice(0, half)), events.slice(half));
      expect(decodeFirmEvents(uscc, grouped)).toEqual(events);
    }
  });

  it('is exact for text that looks like its codes: control characters, newlines, fragments, other USCCs, non-BMP characters', () => {
    const tricky = registered(FIRM_A, '2020-01-02');
    tricky.data.name = '\u0001\u0002\n\u001f","id":"{"source":"urn:dongcheng: 北京市东城区 😀 \ud800 91110101MA01BBBB00';
    tricky.data.site.address = `${FIRM_A}${FIRM_A}`;
    const events = [tricky, granted(FIRM_A, '2021-03-04', { source: 'urn:dongcheng:stc' })];
    const encoded = appendFirmEvents(FIRM_A, undefined, events);
    expect(decodeFirmEvents(FIRM_A, encoded)).toEqual(events);
  });

  it('stores a latin1 string far smaller than the JSON text, and nothing for a firm without events', () => {
    const events = [registered(FIRM_A, '2020-01-02', { source: 'urn:dongcheng:samr' }), granted(FIRM_A, '2021-03-04', { source: 'urn:dongcheng:stc' })];
    const encoded = appendFirmEvents(FIRM_A, undefined, events);
    // One byte a character for V8 (no character above U+00FF) …
    expect([...encoded].every((c) => c.charCodeAt(0) <= 0xff)).toBe(true);
    // … and shorter than the JSON: the USCC and the contract's fragments are single bytes.
    expect(encoded.length).toBeLessThan(0.6 * Buffer.byteLength(events.map((e) => JSON.stringify(e)).join('\n')));
    expect(decodeFirmEvents(FIRM_A, undefined)).toEqual([]);
  });
});
