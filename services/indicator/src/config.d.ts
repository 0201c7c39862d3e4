import { z } from '@siliconalley/config';
export declare const indicatorConfigSchema: z.ZodObject<{
    SERVICE_NAME: z.ZodDefault<z.ZodString>;
    OPS_PORT: z.ZodDefault<z.ZodCoercedNumber<unknown>>;
    HTTP_PORT: z.ZodDefault<z.ZodCoercedNumber<unknown>>;
    ZONES_FILE: z.ZodOptional<z.ZodString>;
    KAFKA_SESSION_TIMEOUT_MS: z.ZodDefault<z.ZodCoercedNumber<unknown>>;
    LOG_LEVEL: z.ZodDefault<z.ZodEnum<{
        error: "error";
        fatal: "fatal";
        warn: "warn";
        info: "info";
        debug: "debug";
        trace: "trace";
        silent: "silent";
    }>>;
    KAFKA_BROKERS: z.ZodPipe<z.ZodPipe<z.ZodDefault<z.ZodString>, z.ZodTransform<string[], string>>, z.ZodArray<z.ZodString>>;
    KAFKA_CLIENT_ID: z.ZodOptional<z.ZodString>;
    MONGO_URL: z.ZodDefault<z.ZodString>;
    SA_NAMESPACE: z.ZodDefault<z.ZodString>;
}, z.core.$strip>;
export type IndicatorConfig = z.infer<typeof indicatorConfigSchema>;
export declare const loadIndicatorConfig: (env?: NodeJS.ProcessEnv) => {
    SERVICE_NAME: string;
    OPS_PORT: number;
    HTTP_PORT: number;
    KAFKA_SESSION_TIMEOUT_MS: number;
    LOG_LEVEL: "error" | "fatal" | "warn" | "info" | "debug" | "trace" | "silent";
    KAFKA_BROKERS: string[];
    MONGO_URL: string;
    SA_NAMESPACE: string;
    ZONES_FILE?: string | undefined;
    KAFKA_CLIENT_ID?: string | undefined;
};
//# sourceMappingURL=config.d.ts.map