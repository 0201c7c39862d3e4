// `npm run schemas -w @siliconalley/contract`: (re)writes packages/contract/schemas/*.json.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { providerJsonSchemaFiles } from '../json-schemas';

/** From dist/scripts/ (compiled) or src/scripts/ (ts): two levels up is the package. */
const SCHEMAS_DIR = path.resolve(__dirname, '..', '..', 'schemas');

fs.mkdirSync(SCHEMAS_DIR, { recursive: true });
const files = providerJsonSchemaFiles();
const wanted = new Set(files.map((f) => f.fileName));
for (const stale of fs.readdirSync(SCHEMAS_DIR)) {
  if (stale.endsWith('.json') && !wanted.has(stale)) fs.rmSync(path.join(SCHEMAS_DIR, stale));
}
for (const file of files) fs.writeFileSync(path.join(SCHEMAS_DIR, file.fileName), file.text);
console.log(`wrote ${files.length} JSON Schemas to ${SCHEMAS_DIR}`);
