// How the indicator holds a firm's accepted events: one string per firm, a few hundred bytes per
// event, where parsed event objects cost ~670 bytes of heap each (a 10M-record history is ~4M
// firms, held in memory by the indicator instances).
//
// The string is the firm's events as JSON, one per line, as UTF-8 bytes with one latin1 character
// per byte (V8 stores a latin1 string one byte a character; UTF-16 would double every ASCII
// character), in which the firm's USCC and the contract's recurring fragments (attribute names,
// types, issuers) are replaced by single control bytes. JSON text never contains a raw control
// character (JSON.stringify escapes U+0000–U+001F), so the replacement is reversible exactly.
// Decoding costs a JSON.parse of the firm's few events, paid only when the firm is touched or read.
import type { FirmEvent } from '@siliconalley/contract';

/** UTF-8 bytes of a text, one latin1 character per byte. */
const bytesOf = (text: string): string => Buffer.from(text, 'utf8').toString('latin1');
const textOf = (bytes: string): string => Buffer.from(bytes, 'latin1').toString('utf8');

/** Byte 0x01 stands for the firm's USCC (subject and data.uscc of every event). */
const FIRM = '\u0001';
const NEWLINE = 0x0a;

/** Recurring fragments of accepted events (contract attribute and data names), most specific first within a prefix. */
const FRAGMENTS = [
  '{"source":"urn:dongcheng:',
  '","id":"',
  '","type":"enterprise.registered","time":"',
  '","type":"enterprise.updated","time":"',
  '","type":"enterprise.deregistered","time":"',
  '","type":"certification.granted","time":"',
  '","type":"certification.revoked","time":"',
  `","subject":"${FIRM}","effectiveDate":"`,
  `","data":{"uscc":"${FIRM}","`,
  'kind":"',
  '","level":"',
  '","certificateNo":"',
  '","validFrom":"',
  '","validUntil":',
  ',"issuer":"',
  '","batch":"',
  'name":"',
  '","establishedOn":"',
  '","districtCode":"110101","site":{"address":"',
  '"location":null,"buildingId":',
  '"location":{"lon":',
  ',"lat":',
  ',"crs":"',
  '},"buildingId":',
  ',"industryCode":',
  ',"focusIndustry":',
  '"changes":{',
  '北京市东城区',
  '北京市科学技术委员会',
].map(bytesOf);

// Codes 0x02… skipping the newline that separates events; at most 0x1f.
const CODES = FRAGMENTS.map((_, i) => String.fromCharCode(i + 2 >= NEWLINE ? i + 3 : i + 2));
if (CODES.some((c) => c.charCodeAt(0) > 0x1f)) throw new Error('firm-events: more fragments than control bytes');
const CODE_OF = new Map(FRAGMENTS.map((f, i) => [f, CODES[i]!]));
const FRAGMENT_OF = new Map(CODES.map((c, i) => [c, FRAGMENTS[i]!]));
const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
// Longest first, so that a fragment that extends another wins.
const FRAGMENT_PATTERN = new RegExp(
  [...FRAGMENTS]
    .sort((a, b) => b.length - a.length)
    .map(escapeRegExp)
    .join('|'),
  'g',
);
const CODE_PATTERN = /[\u0002-\u0009\u000b-\u001f]/g;

function encodeLine(uscc: string, event: FirmEvent): string {
  return bytesOf(JSON.stringify(event))
    .split(uscc)
    .join(FIRM)
    .replace(FRAGMENT_PATTERN, (f) => CODE_OF.get(f)!);
}

function decodeLine(uscc: string, line: string): FirmEvent {
  return JSON.parse(
    textOf(
      line
        .replace(CODE_PATTERN, (c) => FRAGMENT_OF.get(c)!)
        .split(FIRM)
        .join(uscc),
    ),
  ) as FirmEvent;
}

/** The firm's encoded events with `events` appended. */
export function appendFirmEvents(uscc: string, encoded: string | undefined, events: readonly FirmEvent[]): string {
  if (events.length === 0) return encoded ?? '';
  const lines = events.map((e) => encodeLine(uscc, e)).join('\n');
  return encoded === undefined ? lines : `${encoded}\n${lines}`;
}

export function decodeFirmEvents(uscc: string, encoded: string | undefined): FirmEvent[] {
  return encoded ? encoded.split('\n').map((line) => decodeLine(uscc, line)) : [];
}
