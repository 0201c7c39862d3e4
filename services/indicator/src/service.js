"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.NO_PARTITION = void 0;
exports.stateFromStore = stateFromStore;
exports.startIndicator = startIndicator;
// Wiring: config → zones → consume accepted events for the partitions this instance owns → APIs.
// Scale-out is Kafka's: instances share the consumer group; each (re)assigned partition is replayed
// from its start (the accepted topic keeps everything), so an instance holds exactly its partitions'
// firms and the sum over instances is the whole. The event store gives an independent full rebuild.
const node_fs_1 = require("node:fs");
const contract_1 = require("@siliconalley/contract");
const db_1 = require("@siliconalley/db");
const http_1 = require("@siliconalley/http");
const kafka_1 = require("@siliconalley/kafka");
const logger_1 = require("@siliconalley/logger");
const store_1 = require("@siliconalley/store");
const zones_1 = require("@siliconalley/zones");
const metrics_1 = require("./metrics");
const server_1 = require("./server");
const state_1 = require("./state");
Object.defineProperty(exports, "NO_PARTITION", { enumerable: true, get: function () { return state_1.NO_PARTITION; } });
function loadZones(config) {
    if (!config.ZONES_FILE)
        return (0, zones_1.defaultZoneRegistry)();
    return (0, zones_1.loadZoneRegistry)(JSON.parse((0, node_fs_1.readFileSync)(config.ZONES_FILE, 'utf8')));
}
/** A full rebuild from the event store: every accepted event, whatever partition it travels on. */
async function stateFromStore(store, zones) {
    const state = new state_1.IndicatorState(zones);
    let batch = [];
    for await (const event of store.events.streamAll()) {
        batch.push(event);
        if (batch.length >= 5000) {
            state.apply(batch, state_1.NO_PARTITION);
            batch = [];
        }
    }
    state.apply(batch, state_1.NO_PARTITION);
    return state;
}
async function startIndicator(config) {
    const logger = (0, logger_1.createLogger)(config.SERVICE_NAME, config.LOG_LEVEL);
    const lifecycle = new http_1.Lifecycle(logger);
    const registry = (0, http_1.createMetricsRegistry)(config.SERVICE_NAME);
    const state = new state_1.IndicatorState(loadZones(config));
    const metrics = (0, metrics_1.indicatorMetrics)(registry, state);
    const conn = await (0, db_1.connectDatabase)({ url: config.MONGO_URL, namespace: config.SA_NAMESPACE, logger });
    const store = (0, store_1.createStore)(conn);
    await store.ensureIndexes();
    const kafka = new kafka_1.KafkaClient({ brokers: config.KAFKA_BROKERS, clientId: config.KAFKA_CLIENT_ID ?? config.SERVICE_NAME, logger, namespace: config.SA_NAMESPACE });
    const acceptedTopic = kafka.topic(contract_1.TOPICS.accepted);
    const groupId = kafka.group(kafka_1.CONSUMER_GROUPS.indicator);
    // Partition ownership and catch-up: ready once every owned partition is replayed to where it
    // stood when we got it.
    const owned = new Set();
    const catchUpTo = new Map();
    /** Next offset to apply per owned partition (reset to 0 when a partition is added and replayed). */
    const appliedUpTo = new Map();
    let joined = false;
    const isReady = () => joined && catchUpTo.size === 0;
    const ops = await (0, http_1.listen)((0, http_1.createOpsApp)({ logger, registry, readiness: { caughtUp: async () => isReady(), kafka: () => kafka.ping(), database: () => (0, db_1.pingDatabase)(conn) } }), config.OPS_PORT);
    const api = await (0, http_1.listen)((0, server_1.createServer)({ state, logger, registry, isReady, ownedPartitions: () => [...owned].sort() }), config.HTTP_PORT);
    const consumer = await kafka.consume({
        groupId,
        topics: [acceptedTopic],
        sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
        chunkSize: 2000,
        handleChunk: async (records, ctx) => {
            const end = metrics.applySeconds.startTimer();
            const events = [];
            for (const r of records) {
                try {
                    events.push(JSON.parse(r.value?.toString('utf8') ?? 'null'));
                }
                catch (err) {
                    // Written by our own ingestion: a bad record here is a bug, never a provider error.
                    logger.error({ err, topic: r.topic, partition: r.partition, offset: r.offset }, 'unreadable accepted event skipped');
                }
            }
            state.apply(events, ctx.partition);
            const last = records[records.length - 1];
            if (last)
                appliedUpTo.set(ctx.partition, BigInt(last.offset) + 1n);
            const target = catchUpTo.get(ctx.partition);
            if (last && target !== undefined && BigInt(last.offset) + 1n >= target)
                catchUpTo.delete(ctx.partition);
            end();
        },
        onAssignment: (assignment) => {
            const assigned = new Set(assignment[acceptedTopic] ?? []);
            const revoked = [...owned].filter((p) => !assigned.has(p));
            const added = [...assigned].filter((p) => !owned.has(p));
            state.dropPartitions(revoked);
            for (const p of revoked) {
                owned.delete(p);
                catchUpTo.delete(p);
            }
            for (const p of added) {
                owned.add(p);
                appliedUpTo.set(p, 0n);
            }
            for (const p of revoked)
                appliedUpTo.delete(p);
            joined = false;
            // Where each added partition ends now: replaying up to there means caught up.
            void kafka
                .withAdmin((admin) => admin.fetchTopicOffsets(acceptedTopic))
                .then((ends) => {
                for (const p of added) {
                    const high = BigInt(ends.find((e) => e.partition === p)?.high ?? '0');
                    if (owned.has(p) && (appliedUpTo.get(p) ?? 0n) < high)
                        catchUpTo.set(p, high);
                }
                joined = true;
            })
                .catch((err) => {
                logger.error({ err }, 'cannot read partition ends; reporting not ready until the next assignment');
            });
            logger.info({ owned: [...owned].sort(), added, revoked }, 'partitions assigned; replaying the added ones from their start');
            return added.map((partition) => ({ topic: acceptedTopic, partition, offset: '0' }));
        },
        onCrash: (err) => {
            logger.fatal({ err }, 'consumer cannot continue; exiting');
            void lifecycle.shutdown('consumer crash').then(() => process.exit(1));
        },
    });
    const stopLag = kafka.monitorLag(groupId, [acceptedTopic], (topic, n) => metrics.lag.set({ group: groupId, topic }, n));
    lifecycle
        .onShutdown('stop lag checks', async () => stopLag())
        .onShutdown('stop consuming and commit', () => consumer.stop())
        .onShutdown('close kafka', () => kafka.close())
        .onShutdown('close http', async () => {
        await api.close();
        await ops.close();
    })
        .onShutdown('close database', () => conn.close());
    return {
        lifecycle,
        logger,
        state,
        apiPort: api.server.address().port,
        opsPort: ops.server.address().port,
        ownedPartitions: () => [...owned].sort(),
        isReady,
    };
}
//# sourceMappingURL=service.js.map