// kafkajs' logs into our pino logger, one level down.
import { logLevel as KafkaLogLevel, type LogEntry, type logCreator } from 'kafkajs';
import type { Logger } from '@siliconalley/logger';

export function pinoLogCreator(logger: Logger): logCreator {
  return () =>
    ({ level, log }: LogEntry) => {
      const { message, ...extra } = log;
      const child = { component: 'kafkajs', ...extra };
      // kafkajs logs every retried request error as ERROR; what really fails reaches us as a
      // rejected promise or a CRASH event, which the services log as errors themselves.
      if (level === KafkaLogLevel.ERROR || level === KafkaLogLevel.WARN) logger.info(child, message);
      else if (level === KafkaLogLevel.INFO) logger.debug(child, message);
      else logger.trace(child, message);
    };
}
