"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.IndicatorState = exports.NO_PARTITION = void 0;
const kpi_engine_1 = require("@siliconalley/kpi-engine");
const eventKey = (e) => `${e.source}\u0000${e.id}`;
/** Events read from the event store rather than a partition (a full rebuild). */
exports.NO_PARTITION = -1;
class IndicatorState {
    zones;
    engine;
    firms = new Map();
    tasks = new Map();
    /** Which partition each firm (or task, by subject) came from, to drop it on revocation. */
    subjectsByPartition = new Map();
    /** Newest provider `time` among applied events, for the freshness gauge. */
    newestEventTime = null;
    /** When the last event was applied (wall clock), for publish→KPI freshness. */
    lastAppliedAt = null;
    applied = 0;
    /** Called after each applied batch (benchmarks measure publish→KPI freshness with it). */
    applyListeners = [];
    constructor(zones) {
        this.zones = zones;
        this.engine = new kpi_engine_1.KpiEngine(zones);
    }
    get firmCount() {
        return this.firms.size;
    }
    /** Applies accepted events; duplicates (same source and id) change nothing. Returns firms changed. */
    apply(events, partition = exports.NO_PARTITION) {
        const touched = new Set();
        let subjects = this.subjectsByPartition.get(partition);
        if (!subjects) {
            subjects = new Set();
            this.subjectsByPartition.set(partition, subjects);
        }
        for (const event of events) {
            subjects.add(event.subject);
            if (event.type === 'task.progress.reported') {
                this.tasks.set(eventKey(event), event);
                continue;
            }
            let firm = this.firms.get(event.subject);
            if (!firm) {
                firm = new Map();
                this.firms.set(event.subject, firm);
            }
            const key = eventKey(event);
            if (firm.has(key))
                continue;
            firm.set(key, event);
            touched.add(event.subject);
            if (this.newestEventTime === null || Date.parse(event.time) > Date.parse(this.newestEventTime))
                this.newestEventTime = event.time;
        }
        for (const uscc of touched)
            this.engine.setFirmEvents(uscc, [...this.firms.get(uscc).values()]);
        this.applied += events.length;
        if (events.length)
            this.lastAppliedAt = new Date();
        for (const listener of this.applyListeners)
            listener(events);
        return [...touched];
    }
    /** Forgets everything that came from these partitions (another instance owns them now). */
    dropPartitions(partitions) {
        for (const partition of partitions) {
            for (const subject of this.subjectsByPartition.get(partition) ?? []) {
                if (this.firms.delete(subject))
                    this.engine.removeFirm(subject);
                for (const [key, task] of this.tasks)
                    if (task.subject === subject)
                        this.tasks.delete(key);
            }
            this.subjectsByPartition.delete(partition);
        }
    }
    firmEvents(uscc) {
        return [...(this.firms.get(uscc)?.values() ?? [])];
    }
    taskReports() {
        return [...this.tasks.values()];
    }
    /** The firm's name on `asOf` is not tracked here; the latest base registration's name is shown. */
    firmName(uscc) {
        let best = null;
        for (const e of this.firms.get(uscc)?.values() ?? []) {
            if (e.type !== 'enterprise.registered')
                continue;
            if (!best || (0, kpi_engine_1.compareTimeThenId)(e, best) > 0)
                best = e;
        }
        return best && best.type === 'enterprise.registered' ? best.data.name : null;
    }
}
exports.IndicatorState = IndicatorState;
//# sourceMappingURL=state.js.map