import { mkdtempSync, readFileSync, statSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { devLayout, type StackLayout } from '../../src/layout';
import { ensureInternalSecret, internalSecretFile, readInternalSecret } from '../../src/internal-secret';
import { SERVICES } from '../../src/services';

describe("the local stack's INTERNAL_API_SECRET", () => {
  const layout = (): StackLayout => ({ ...devLayout, dir: join(mkdtempSync(join(tmpdir(), 'sa-secret-')), 'stack') });

  it('is made once per stack folder, 64 hex characters, readable by its owner only, and kept', () => {
    const l = layout();
    const file = ensureInternalSecret(l);
    expect(file).toBe(internalSecretFile(l));
    const secret = readFileSync(file, 'utf8').trim();
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    chmodSync(file, 0o644);
    expect(ensureInternalSecret(l)).toBe(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readInternalSecret(l)).toBe(secret);
    expect(readInternalSecret(layout())).not.toBe(secret);
  });

  it('goes to exactly the services whose config wants it', () => {
    const schemas: Record<string, { shape: Record<string, unknown> }> = {
      ingest: (require('../../../../services/ingest/src/config') as Record<string, { shape: Record<string, unknown> }>).ingestConfigSchema!,
      indicator: (require('../../../../services/indicator/src/config') as Record<string, { shape: Record<string, unknown> }>).indicatorConfigSchema!,
      gateway: (require('../../../../services/gateway/src/config') as Record<string, { shape: Record<string, unknown> }>).gatewayConfigSchema!,
      alerting: (require('../../../../services/alerting/src/config') as Record<string, { shape: Record<string, unknown> }>).alertingConfigSchema!,
    };
    for (const s of SERVICES) {
      expect({ name: s.name, internalApi: Boolean(s.internalApi) }).toEqual({
        name: s.name,
        internalApi: 'INTERNAL_API_SECRET' in schemas[s.workspace]!.shape,
      });
    }
  });
});
