// exporter: the access-log exporter; any number may share one TARGET_FILE.
// Calls: GET /api/data?id=<last exported id> on API_URL, page by page.
// Writes: TARGET_FILE, whole fsynced JSON lines, under a lock shared by every exporter of that file.
// Consumes no queue; reads the database only through the API.
// `npm run export`: the access-log exporter. Every EXPORT_INTERVAL_MS it appends the records that
// are new to TARGET_FILE (exporter/export-once.ts). Any number of exporters may share one file.
import { announceReady, startProcess, type ProcessContext } from '../common/process/start.js';
import { exitOnFatal } from '../common/process/shutdown.js';
import { exportOnce } from './export-once.js';

async function main({ config, log, shutdown }: ProcessContext): Promise<void> {
  const options = {
    apiUrl: config.API_URL.replace(/\/+$/, ''),
    file: config.TARGET_FILE,
    pageLimit: config.EXPORT_PAGE_LIMIT,
    lockStaleMs: config.EXPORT_LOCK_STALE_MS,
  };
  let stopping = false;
  let wake: () => void = () => undefined;
  let current: Promise<void> = Promise.resolve();
  // A stop waits for the export in progress, so that a graceful stop never leaves a torn line.
  shutdown.add('export in progress', async () => {
    stopping = true;
    wake();
    await current;
  });
  announceReady(log, { target_file: options.file, interval_ms: config.EXPORT_INTERVAL_MS });

  while (!stopping) {
    current = exportOnce(options).then(
      (result) => {
        if (result.exported > 0) log.info({ exported: result.exported, last_id: result.lastId }, 'exported');
        else if (!result.locked) log.debug('target file locked by another exporter');
      },
      (err: Error) => log.warn({ err: err.message }, 'export failed; trying again after the interval'),
    );
    await current;
    if (stopping) break;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, config.EXPORT_INTERVAL_MS);
      wake = () => (clearTimeout(timer), resolve());
    });
  }
}

// A bad configuration throws here, before any logger exists, and stops the process with its message.
const context = startProcess('exporter');
main(context).catch(exitOnFatal(context.log));
