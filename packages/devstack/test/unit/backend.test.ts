import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDatabaseArgs, ferretdbArgs, ferretdbPostgresUrl, initdbArgs, passwdIds, postgresArgs } from '../../src/backend';
import { backendNote, stackBackend } from '../../src/infra';
import { devLayout, postgresPort, postgresSocketDir, testLayout, type StackLayout } from '../../src/layout';
import { chooseFerretdbBackend, envFileValue, newestPostgresMajor, repoRoot } from '../../src/paths';

describe('FerretDB backend choice', () => {
  it('takes the environment over versions.env, and sqlite when neither says', () => {
    expect(chooseFerretdbBackend(undefined, undefined)).toBe('sqlite');
    expect(chooseFerretdbBackend(undefined, 'postgresql')).toBe('postgresql');
    expect(chooseFerretdbBackend('sqlite', 'postgresql')).toBe('sqlite');
    expect(chooseFerretdbBackend(' PostgreSQL ', undefined)).toBe('postgresql');
    expect(chooseFerretdbBackend('', 'postgresql')).toBe('postgresql');
    expect(() => chooseFerretdbBackend('pg', undefined)).toThrow(/FERRETDB_BACKEND=pg is not one of sqlite, postgresql/);
  });

  it('reads KEY=value lines as the shell does, without trailing comments', () => {
    const text = '# FERRETDB_BACKEND=postgresql\nKAFKA_VERSION=4.4.0\nFERRETDB_BACKEND=postgresql  # measured\n';
    expect(envFileValue(text, 'FERRETDB_BACKEND')).toBe('postgresql');
    expect(envFileValue(text, 'KAFKA_VERSION')).toBe('4.4.0');
    expect(envFileValue(text, 'MISSING')).toBeUndefined();
  });

  it('versions.env names a backend the devstack knows', () => {
    const text = readFileSync(join(repoRoot, 'infra/local/versions.env'), 'utf8');
    expect(() => chooseFerretdbBackend(undefined, envFileValue(text, 'FERRETDB_BACKEND'))).not.toThrow();
  });
});

describe('FerretDB command line (flags of cmd/ferretdb/main.go in 1.24)', () => {
  const common = ['--listen-addr=127.0.0.1:27027', '--state-dir=/s/data/ferretdb', '--debug-addr=-', '--telemetry=disable', '--log-level=warn'];

  it('on SQLite: the state folder holds one database file per MongoDB database', () => {
    expect(ferretdbArgs({ backend: 'sqlite', listen: '127.0.0.1:27027', stateDir: '/s/data/ferretdb' })).toEqual([
      '--handler=sqlite',
      '--sqlite-url=file:/s/data/ferretdb/',
      ...common,
    ]);
  });

  it('on PostgreSQL: the handler is named postgresql, and reaches the cluster over loopback', () => {
    expect(ferretdbArgs({ backend: 'postgresql', listen: '127.0.0.1:27027', stateDir: '/s/data/ferretdb', postgresPort: 25433 })).toEqual([
      '--handler=postgresql',
      '--postgresql-url=postgres://ferretdb@127.0.0.1:25433/ferretdb',
      ...common,
    ]);
    expect(() => ferretdbArgs({ backend: 'postgresql', listen: '127.0.0.1:1', stateDir: '/s' })).toThrow(/cluster port/);
    expect(ferretdbPostgresUrl(5433)).toBe('postgres://ferretdb@127.0.0.1:5433/ferretdb');
  });
});

describe('PostgreSQL command lines', () => {
  it('initdb: FerretDB role as superuser, trust, UTF-8, C locale', () => {
    expect(initdbArgs('/s/data/postgresql.init')).toEqual([
      '--pgdata=/s/data/postgresql.init',
      '--username=ferretdb',
      '--auth=trust',
      '--encoding=UTF8',
      '--locale=C',
      '--no-instructions',
    ]);
    expect(createDatabaseArgs('/s/d')).toEqual({ args: ['--single', '-D', '/s/d', 'postgres'], input: 'CREATE DATABASE ferretdb;\n' });
  });

  it('postgres: loopback only, its socket in the stack folder, log to our file', () => {
    const args = postgresArgs({ dataDir: '/s/data/postgresql', port: 5433, socketDir: '/s/run/postgresql' });
    expect(args.slice(0, 6)).toEqual(['-D', '/s/data/postgresql', '-p', '5433', '-k', '/s/run/postgresql']);
    const settings = args.filter((_, i) => args[i - 1] === '-c');
    expect(settings).toEqual(expect.arrayContaining(['listen_addresses=127.0.0.1', 'logging_collector=off']));
    // Durability as shipped: nothing turns fsync or synchronous_commit off.
    expect(settings.some((s) => /^(fsync|synchronous_commit|full_page_writes)=/.test(s))).toBe(false);
  });

  it('refuses a socket path longer than sun_path holds', () => {
    expect(() => postgresArgs({ dataDir: '/d', port: 5433, socketDir: `/${'x'.repeat(100)}` })).toThrow(/longer than 107 bytes/);
  });

  it('reads uid and gid of a passwd line', () => {
    expect(passwdIds('postgres:x:101:104:PostgreSQL administrator,,,:/var/lib/postgresql:/bin/bash\n')).toEqual({ uid: 101, gid: 104 });
    expect(passwdIds('')).toBeNull();
    expect(passwdIds('broken:x::')).toBeNull();
  });

  it("picks Debian's newest major version folder", () => {
    expect(newestPostgresMajor(['13', '15', '9.6', 'README'])).toBe('15');
    expect(newestPostgresMajor([])).toBeUndefined();
  });
});

describe('PostgreSQL ports and folders of the layouts', () => {
  it('differ between npm start and npm test, and leave 5432 to a system cluster', () => {
    expect(postgresPort(devLayout)).toBe(5433);
    expect(postgresPort(testLayout)).toBe(25433);
    expect(postgresSocketDir(testLayout)).toBe(join(testLayout.dir, 'run', 'postgresql'));
  });

  it('derive a port for layouts written before the backend existed', () => {
    const old: StackLayout = { ...testLayout, ports: { ...testLayout.ports, postgres: undefined, mongo: 37027 } };
    expect(postgresPort(old)).toBe(37028);
  });
});

describe('the backend of a running stack', () => {
  it('is the one Stack.up noted in its folder, whatever the environment says now', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stack-'));
    const layout: StackLayout = { ...testLayout, dir };
    const saved = process.env.FERRETDB_BACKEND;
    try {
      process.env.FERRETDB_BACKEND = 'sqlite';
      expect(stackBackend(layout)).toBe('sqlite');
      writeFileSync(backendNote(layout), 'postgresql');
      expect(stackBackend(layout)).toBe('postgresql');
    } finally {
      if (saved === undefined) delete process.env.FERRETDB_BACKEND;
      else process.env.FERRETDB_BACKEND = saved;
    }
  });
});
