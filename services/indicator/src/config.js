"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.loadIndicatorConfig = exports.indicatorConfigSchema = void 0;
const config_1 = require("@siliconalley/config");
exports.indicatorConfigSchema = config_1.z.object({
    ...config_1.commonEnv,
    SERVICE_NAME: config_1.z.string().default('indicator'),
    OPS_PORT: (0, config_1.port)(9104),
    HTTP_PORT: (0, config_1.port)(9114),
    /** Official zone boundaries (GeoJSON FeatureCollection); default: the bundled approximate zones. */
    ZONES_FILE: config_1.z.string().optional(),
    KAFKA_SESSION_TIMEOUT_MS: config_1.z.coerce.number().int().min(6000).default(30000),
});
const loadIndicatorConfig = (env = process.env) => (0, config_1.loadConfigOrExit)('indicator', exports.indicatorConfigSchema, env);
exports.loadIndicatorConfig = loadIndicatorConfig;
//# sourceMappingURL=config.js.map