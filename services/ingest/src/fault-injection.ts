// Test-only fault injection for the poison-record paths (services/ingest poison test, packages/chaos):
// an event store that throws for any event whose id contains a marker, as a corrupt record would.
// Wired by service.ts only when NODE_ENV=test and the variable is set: production never honours it,
// and the store's own repository knows nothing of it.
import { STORAGE_FAULT_ENV as FAULT_ENV } from '@siliconalley/config';
import type { StoredEvent } from '@siliconalley/store';
import type { EventSink } from './ports';

/** The marker to fail on, or null: only under NODE_ENV=test. */
export function injectedStorageFault(env: NodeJS.ProcessEnv = process.env): string | null {
  return env.NODE_ENV === 'test' && env[FAULT_ENV] ? env[FAULT_ENV] : null;
}

/** `events`, failing every insert that holds an event whose id contains `marker`. */
export function withStorageFault<S extends EventSink>(events: S, marker: string): EventSink {
  return {
    insertMany: (docs: StoredEvent[], mayBeOwn) => {
      if (docs.some((d) => d.id.includes(marker))) {
        return Promise.reject(new Error(`injected storage fault for an event id containing ${JSON.stringify(marker)} (${FAULT_ENV})`));
      }
      return events.insertMany(docs, mayBeOwn);
    },
  };
}
