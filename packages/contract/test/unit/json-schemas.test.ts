// The JSON Schemas handed to providers are generated: the checked-in files must match a fresh
// generation (run `npm run schemas -w @siliconalley/contract` after changing a schema).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fullType, providerJsonSchemaFiles, SHORT_TYPES } from '../../src';

const SCHEMAS_DIR = path.resolve(__dirname, '..', '..', 'schemas');

describe('provider JSON Schemas', () => {
  const files = providerJsonSchemaFiles();

  it('has one file per type', () => {
    expect(files.map((f) => f.fileName)).toEqual(SHORT_TYPES.map((t) => `${fullType(t)}.json`));
    expect(
      fs
        .readdirSync(SCHEMAS_DIR)
        .filter((f) => f.endsWith('.json'))
        .sort(),
    ).toEqual(files.map((f) => f.fileName).sort());
  });

  it.each(providerJsonSchemaFiles().map((f) => [f.fileName, f] as const))('%s is up to date', (fileName, file) => {
    expect(fs.readFileSync(path.join(SCHEMAS_DIR, fileName), 'utf8')).toBe(file.text);
  });

  it('describes what providers must send', () => {
    const schema = JSON.parse(files.find((f) => f.fileName.includes('enterprise.registered'))!.text) as {
      required: string[];
      properties: Record<string, { const?: string; pattern?: string; properties?: Record<string, unknown>; required?: string[] }>;
    };
    expect(schema.required).toEqual(['specversion', 'id', 'source', 'type', 'time', 'subject', 'data']);
    expect(schema.properties.type?.const).toBe('cn.gov.dongcheng.siliconalley.enterprise.registered.v1');
    expect(schema.properties.data?.required).toEqual(['uscc', 'name', 'establishedOn', 'districtCode', 'site']);
    expect(schema.properties.data?.properties?.uscc).toMatchObject({ pattern: '^[0-9ABCDEFGHJKLMNPQRTUWXY]{18}$' });
    expect(JSON.stringify(schema.properties.data)).toContain('"lat":{"type":"number","minimum":3,"maximum":54}');
    // Tolerant reader: extra fields are allowed.
    expect(JSON.stringify(schema)).not.toContain('additionalProperties');
  });
});
