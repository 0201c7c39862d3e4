import type { Express } from 'express';
import { type Registry } from '@siliconalley/http';
import type { Logger } from '@siliconalley/logger';
import type { IndicatorState } from './state';
export interface ServerDeps {
    state: IndicatorState;
    logger: Logger;
    registry: Registry;
    now?: () => Date;
    /** False until the owned partitions are replayed: answers would be incomplete. */
    isReady?: () => boolean;
    /** Partitions of the accepted topic this instance holds (for the gateway's merge across instances). */
    ownedPartitions?: () => number[];
}
export declare function createServer(deps: ServerDeps): Express;
//# sourceMappingURL=server.d.ts.map