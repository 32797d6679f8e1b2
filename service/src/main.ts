#!/usr/bin/env node
/** Entry point: the managed service JupyterHub starts (`coursework-service`, or `node lib/main.js` in a checkout). */
import { mkdirSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import path from 'node:path';
import { createApp, serve } from './app';
import { flushAuditSoon } from './audit/audit';
import type { Catalog } from './catalog/catalog';
import { ConfigError, loadConfig, unknownSettings } from './config';
import { HubClient } from './hub/client';
import { loadCookieSecret } from './hub/cookie-secret';
import { checkStore } from './integrity/check';
import { RunMarker } from './integrity/run-marker';
import { createLogger, type Logger } from './log';
import { createServices } from './services';

const version = (JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }).version;

async function start(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      // One readable line for the Hub's log; the service exits and the Hub reports it.
      process.stderr.write(`coursework: configuration error: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const log = createLogger(config.logLevel);
  for (const name of unknownSettings(process.env)) log.warn({ setting: name }, 'unknown COURSEWORK_ setting ignored');
  if (config.compatApiKey && config.compatApiKey.length < 16) {
    log.warn('COURSEWORK_COMPAT_API_KEY is shorter than 16 characters: anyone who guesses it acts as an instructor');
  }

  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const hub = new HubClient({ apiUrl: config.hub.apiUrl, serviceToken: config.hub.apiToken, timeoutMs: config.auth.hubTimeoutMs });
  const services = await createServices({
    config,
    log,
    hub,
    cookieSecret: loadCookieSecret(config.auth.cookieSecret, config.dataDir),
    version,
  });
  const { catalog, blobs, housekeeping, spaces } = services;
  const app = createApp(services);
  const { host, port } = config.hub.listen;
  const server = serve(app).listen(port, host, () => {
    log.info({ host, port, prefix: config.hub.servicePrefix, course: config.course.id, version }, 'coursework listening');
  });
  const marker = new RunMarker(config.dataDir, config.replica.id);
  const inDoubtSince = marker.begin();
  stopOnSignals(server, catalog, marker, log);
  if (inDoubtSince !== null) {
    // The last run was killed: hash what it wrote or touched last, before a resumed job reuses any of it.
    const report = await checkStore(catalog, blobs, {
      hash: { modifiedSince: inDoubtSince },
      repair: true,
      homeTemplate: config.homeTemplate,
    });
    log.warn({ hashed: report.hashed, broken: report.broken.length }, 'the last run did not stop cleanly: checked the blobs it wrote last');
    for (const blob of report.broken)
      log.error({ blob: blob.sha256, problem: blob.problem, repairedFrom: blob.repairedFrom }, 'broken blob found after an unclean stop');
  }
  await spaces.startAll();
  housekeeping.start();
}

/** The Hub stops a managed service with SIGINT, then SIGTERM: close quickly and cleanly on either. */
function stopOnSignals(server: Server, catalog: Catalog, marker: RunMarker, log: Logger): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    server.close();
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), 2000).unref();
    void flushAuditSoon(catalog)
      .catch(() => false)
      .then(() => catalog.destroy())
      .finally(() => {
        marker.end();
        process.exit(0);
      });
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // A Hub killed with SIGKILL cannot stop its services; an orphan would hold the port against the next Hub.
  const hubPid = process.ppid;
  setInterval(() => {
    if (process.ppid !== hubPid) stop('SIGHUP');
  }, 2000).unref();
}

start().catch((error: unknown) => {
  process.stderr.write(`coursework: failed to start: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
