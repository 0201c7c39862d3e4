import { Lifecycle } from '@siliconalley/http';
import { type Logger } from '@siliconalley/logger';
import { type Store } from '@siliconalley/store';
import { type ZoneRegistry } from '@siliconalley/zones';
import type { IndicatorConfig } from './config';
import { IndicatorState, NO_PARTITION } from './state';
/** A full rebuild from the event store: every accepted event, whatever partition it travels on. */
export declare function stateFromStore(store: Store, zones: ZoneRegistry): Promise<IndicatorState>;
export interface RunningIndicator {
    lifecycle: Lifecycle;
    logger: Logger;
    state: IndicatorState;
    apiPort: number;
    opsPort: number;
    /** Partitions of the accepted topic this instance owns now. */
    ownedPartitions: () => number[];
    isReady: () => boolean;
}
export declare function startIndicator(config: IndicatorConfig): Promise<RunningIndicator>;
export { NO_PARTITION };
//# sourceMappingURL=service.d.ts.map