"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.createServer = createServer;
const api_1 = require("@siliconalley/api");
const contract_1 = require("@siliconalley/contract");
const http_1 = require("@siliconalley/http");
const kpi_engine_1 = require("@siliconalley/kpi-engine");
const MAX_DAILY_POINTS = 3660;
function parse(schema, req) {
    const result = schema.safeParse(req.query);
    if (!result.success)
        throw new http_1.HttpProblem(400, (0, api_1.describeIssues)(result.error));
    return result.data;
}
function createServer(deps) {
    const now = deps.now ?? (() => new Date());
    const today = () => (0, contract_1.chinaDateOf)(now());
    const { state } = deps;
    const zoneIds = new Set(state.zones.zones.map((z) => z.id));
    const entryKeys = new Set((0, kpi_engine_1.kpiCatalogue)([...zoneIds]).map(kpi_engine_1.seriesKey));
    const refOf = (q) => {
        if (q.scope !== 'district' && !zoneIds.has(q.scope.slice('zone:'.length))) {
            throw new http_1.HttpProblem(400, `scope: unknown zone ${q.scope}; known: district, ${[...zoneIds].map((z) => `zone:${z}`).join(', ')}`);
        }
        const ref = {
            id: q.id,
            scope: q.scope,
            ...(q.kind ? { kind: q.kind } : {}),
            ...(q.industry ? { industry: q.industry } : {}),
            ...(q.within ? { within: Number(q.within) } : {}),
        };
        if (!entryKeys.has((0, kpi_engine_1.seriesKey)(ref))) {
            throw new http_1.HttpProblem(400, `no KPI entry ${JSON.stringify(ref)}: see GET /api/v1/kpis for the id × label combinations`);
        }
        return ref;
    };
    const guardReady = () => {
        if (deps.isReady && !deps.isReady())
            throw new http_1.HttpProblem(503, 'the indicator is rebuilding its state; retry in a few seconds', {}, { 'Retry-After': '5' });
    };
    return (0, http_1.createHttpApp)({ logger: deps.logger, registry: deps.registry }, (app) => {
        app.get('/kpis', (req, res) => {
            guardReady();
            const q = parse((0, api_1.kpisQuery)(now), req);
            const asOf = q.asOf ?? today();
            res.json({ asOf, kpis: state.engine.kpis(asOf) });
        });
        app.get('/kpis/series', (req, res) => {
            guardReady();
            const q = parse((0, api_1.seriesQuery)(now), req);
            const ref = refOf(q);
            let dates;
            if (q.step === 'month') {
                dates = (0, contract_1.monthEndsBetween)(q.from, q.to);
            }
            else {
                dates = [];
                for (let d = q.from; d <= q.to; d = (0, contract_1.addDays)(d, 1)) {
                    dates.push(d);
                    if (dates.length > MAX_DAILY_POINTS)
                        throw new http_1.HttpProblem(400, `step=day allows at most ${MAX_DAILY_POINTS} points: narrow from/to or use step=month`);
                }
            }
            res.json({ ...ref, points: dates.map((asOf) => ({ asOf, value: state.engine.value(ref, asOf) })) });
        });
        app.get('/kpis/explain', (req, res) => {
            guardReady();
            const q = parse((0, api_1.explainQuery)(now), req);
            const ref = refOf(q);
            const asOf = q.asOf ?? today();
            if (ref.id === 'zone_share') {
                throw new http_1.HttpProblem(400, 'zone_share is a ratio: explain qualified_firms for the zone and for the district instead');
            }
            const rows = state.engine.explain(ref, asOf);
            res.json({
                asOf,
                ...ref,
                value: state.engine.value(ref, asOf),
                firms: rows.map((r) => ({ uscc: r.uscc, name: state.firmName(r.uscc), count: r.count })),
            });
        });
        // Partial answers for the gateway when several instances share the partitions: raw series
        // counts (they add up across instances) and the firms behind a value (they union).
        app.get('/partial/counts', (req, res) => {
            guardReady();
            const q = parse((0, api_1.partialCountsQuery)(now), req);
            const dates = [...new Set(q.asOf.split(','))];
            for (const d of dates) {
                const check = (0, api_1.asOfDate)(now).safeParse(d);
                if (!check.success)
                    throw new http_1.HttpProblem(400, `asOf ${JSON.stringify(d)}: ${(0, api_1.describeIssues)(check.error)}`);
            }
            res.json({
                zoneIds: state.zones.zoneIds,
                partitions: deps.ownedPartitions?.() ?? [],
                counts: Object.fromEntries(dates.map((d) => [d, state.engine.seriesCounts(d)])),
            });
        });
        app.get('/partial/explain', (req, res) => {
            guardReady();
            const q = parse((0, api_1.explainQuery)(now), req);
            const ref = refOf(q);
            const asOf = q.asOf ?? today();
            res.json({ asOf, partitions: deps.ownedPartitions?.() ?? [], firms: state.engine.explain(ref, asOf).map((r) => ({ uscc: r.uscc, name: state.firmName(r.uscc), count: r.count })) });
        });
        app.get('/state', (_req, res) => {
            res.json({ firms: state.firmCount, applied: state.applied, newestEventTime: state.newestEventTime, lastAppliedAt: state.lastAppliedAt });
        });
    });
}
//# sourceMappingURL=server.js.map