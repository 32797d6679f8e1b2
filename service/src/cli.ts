#!/usr/bin/env node
/**
 * `coursework`: the service's command line, for the Hub's administrator.
 *
 *   coursework check [--read-data-subset=<all|none|10%|1/5>] [--report-only] [--json]
 *   coursework collect
 *
 * Reads the same settings as the service (COURSEWORK_* in the environment or COURSEWORK_CONFIG_FILE). `check` exits
 * 0 when the store is whole (or everything broken was repaired), 1 when something is left broken; 2 on bad usage.
 * `collect` deletes the blobs nothing refers to now (as the periodic housekeeping does), safe beside running
 * replicas: blobs younger than the grace period stay, as they may belong to a snapshot being recorded.
 */
import path from 'node:path';
import { BlobStore } from './blobs/blob-store';
import { catalogOptions, migrate, openCatalog } from './catalog/catalog';
import { ConfigError, loadConfig } from './config';
import { collectGarbage } from './blobs/collect';
import { checkStore, type CheckReport, parseHashSelection } from './integrity/check';
import { BLOB_GRACE_MS, blobsInUse } from './integrity/housekeeping';
import { createLogger } from './log';

const USAGE = `usage: coursework check [--read-data-subset=<all|none|10%|1/5>] [--report-only] [--json]
       coursework collect

check: the blob store against the catalog
  --read-data-subset  blobs whose bytes are hashed (default: all); every blob's length is always checked
  --report-only       quarantine, repair and mark nothing: only report
  --json              print the report as JSON
collect: deletes the blobs nothing refers to (older than an hour: younger ones may be a snapshot's being recorded)`;

/** The Hub's variables the service needs to serve, which a check from the command line does not use. */
const NOT_NEEDED_HERE = {
  JUPYTERHUB_API_URL: 'http://127.0.0.1:8081/hub/api',
  JUPYTERHUB_API_TOKEN: 'not-used-by-the-command-line',
  JUPYTERHUB_SERVICE_PREFIX: '/services/coursework/',
  JUPYTERHUB_SERVICE_URL: 'http://127.0.0.1:10101',
  JUPYTERHUB_OAUTH_CALLBACK_URL: '/services/coursework/oauth_callback',
};

function fail(message: string, code = 2): never {
  process.stderr.write(`coursework: ${message}\n`);
  process.exit(code);
}

function printReport(report: CheckReport, repair: boolean): void {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(`${report.blobs} blobs checked (length), ${report.hashed} hashed (${report.bytesHashed} bytes)`);
  for (const blob of report.broken) {
    const fate = blob.repairedFrom
      ? `repaired from ${blob.repairedFrom.student}: ${blob.repairedFrom.path}`
      : repair
        ? 'not repairable'
        : 'left as found';
    out(`broken: ${blob.sha256} ${blob.problem}, ${fate}`);
    for (const user of blob.neededBy.slice(0, 20)) out(`  needed by ${user}`);
    if (blob.neededBy.length > 20) out(`  and ${blob.neededBy.length - 20} more`);
  }
  if (repair && (report.damaged.snapshots > 0 || report.damaged.feedbackFiles > 0)) {
    out(
      `damaged: ${report.damaged.snapshots} snapshots and ${report.damaged.feedbackFiles} feedback files name files whose bytes are lost`,
    );
  }
  out(report.ok ? 'no errors were found' : 'the store has errors');
}

function configFromEnvironment() {
  try {
    return loadConfig({ ...NOT_NEEDED_HERE, ...process.env });
  } catch (error) {
    if (error instanceof ConfigError) fail(`configuration error: ${error.message}`);
    throw error;
  }
}

async function collect(args: string[]): Promise<void> {
  if (args.length > 0) fail(`unknown option ${args[0]}\n${USAGE}`);
  const config = configFromEnvironment();
  const catalog = openCatalog(catalogOptions(config));
  try {
    await migrate(catalog, createLogger('warn'));
    const blobs = new BlobStore(path.join(config.dataDir, 'blobs'));
    // Read before the store is listed: a blob written after this read is younger than the grace period.
    const inUse = await blobsInUse(catalog);
    const result = await collectGarbage(blobs, inUse, BLOB_GRACE_MS);
    process.stdout.write(`${result.scanned} blobs, ${inUse.size} in use; ${result.deleted} deleted (${result.bytesFreed} bytes freed)\n`);
  } finally {
    await catalog.destroy();
  }
}

async function check(args: string[]): Promise<void> {
  let subset = 'all';
  let repair = true;
  let json = false;
  for (const arg of args) {
    if (arg.startsWith('--read-data-subset=')) subset = arg.slice('--read-data-subset='.length);
    else if (arg === '--report-only') repair = false;
    else if (arg === '--json') json = true;
    else fail(`unknown option ${arg}\n${USAGE}`);
  }
  const hash = parseHashSelection(subset);
  if (!hash) fail(`--read-data-subset=${subset} is invalid: expected all, none, a share such as 10% or a slice such as 1/5`);
  const config = configFromEnvironment();
  const catalog = openCatalog(catalogOptions(config));
  try {
    await migrate(catalog, createLogger('warn'));
    const blobs = new BlobStore(path.join(config.dataDir, 'blobs'));
    const report = await checkStore(catalog, blobs, { hash, repair, homeTemplate: config.homeTemplate });
    if (json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else printReport(report, repair);
    process.exitCode = report.ok ? 0 : 1;
  } finally {
    await catalog.destroy();
  }
}

async function main(argv: string[]): Promise<void> {
  const [command, ...args] = argv;
  if (command === 'check') return check(args);
  if (command === 'collect') return collect(args);
  if (command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  fail(command ? `unknown command ${command}\n${USAGE}` : USAGE);
}

main(process.argv.slice(2)).catch((error: unknown) => fail((error as Error).stack ?? String(error), 1));
