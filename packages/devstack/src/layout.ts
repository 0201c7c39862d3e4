import { join } from 'node:path';
import { localDir } from './paths';

/** Where one stack keeps its data and logs, and which loopback ports it uses. */
export interface StackLayout {
  name: 'stack' | 'test-stack';
  dir: string;
  ports: {
    kafka: number;
    kafkaController: number;
    mongo: number;
    /**
     * PostgreSQL under FerretDB when FERRETDB_BACKEND=postgresql (loopback only). Absent in layouts
     * written before that backend existed: the FerretDB port + 1 (see postgresPort).
     */
    postgres?: number;
    prometheus: number;
    alertmanager: number;
    /** Services' ports are offsets from this base (see services.ts). */
    serviceBase: number;
    gateway: number;
  };
}

/** `npm start`: the ports of shared/spec/api.md. */
export const devLayout: StackLayout = {
  name: 'stack',
  dir: join(localDir, 'stack'),
  ports: { kafka: 9092, kafkaController: 9192, mongo: 27017, postgres: 5433, prometheus: 9090, alertmanager: 9093, serviceBase: 9100, gateway: 8080 },
};

/** `npm test`: other ports and a fresh folder, so tests run beside a running `npm start`. */
export const testLayout: StackLayout = {
  name: 'test-stack',
  dir: join(localDir, 'test-stack'),
  ports: { kafka: 29092, kafkaController: 29192, mongo: 27027, postgres: 25433, prometheus: 29090, alertmanager: 29093, serviceBase: 29100, gateway: 28080 },
};

export const logDir = (layout: StackLayout) => join(layout.dir, 'logs');
export const dataDir = (layout: StackLayout, component: string) => join(layout.dir, 'data', component);

/** Not 5432: a cluster the system itself runs (Debian's `main`) keeps its port. */
export const postgresPort = (layout: StackLayout): number => layout.ports.postgres ?? layout.ports.mongo + 1;
/** PostgreSQL's Unix socket folder: inside the stack's folder, not the system's /var/run/postgresql. */
export const postgresSocketDir = (layout: StackLayout): string => join(layout.dir, 'run', 'postgresql');

export const kafkaBrokers = (layout: StackLayout) => `127.0.0.1:${layout.ports.kafka}`;
export const mongoUrl = (layout: StackLayout) => `mongodb://127.0.0.1:${layout.ports.mongo}/siliconalley`;
export const prometheusUrl = (layout: StackLayout) => `http://127.0.0.1:${layout.ports.prometheus}`;
export const alertmanagerUrl = (layout: StackLayout) => `http://127.0.0.1:${layout.ports.alertmanager}`;
