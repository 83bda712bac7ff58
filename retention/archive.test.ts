import { describe, expect, test } from '@jest/globals';
import { batchArchiveFile, partitionArchiveFile } from './archive.js';

describe('archive file names', () => {
  test('a partition dropped whole is archived under its own name', () => {
    expect(partitionArchiveFile('/var/archive', 'timers_p20261101')).toBe('/var/archive/timers_p20261101.jsonl.gz');
  });

  test('rows removed in batches go to the partition file of the UTC day of removal', () => {
    expect(batchArchiveFile('/var/archive', 'tasks_history', new Date('2026-11-23T09:15:00.000Z'))).toBe('/var/archive/tasks_history-20261123.jsonl.gz');
    // 23:30 on 30 November in UTC-2 is already 1 December in UTC.
    expect(batchArchiveFile('/var/archive', 'tasks_history', new Date('2026-11-30T23:30:00.000-02:00'))).toBe('/var/archive/tasks_history-20261201.jsonl.gz');
    expect(batchArchiveFile('archive', 'log_records_default', new Date(Date.UTC(2027, 0, 5, 0, 0, 0)))).toBe('archive/log_records_default-20270105.jsonl.gz');
  });

  test('a name that is not a plain partition identifier is refused, never made into a path', () => {
    for (const name of ['../timers_p20261101', 'timers/p1', 'Timers', '', 'timers p1']) {
      expect(() => partitionArchiveFile('/var/archive', name)).toThrow(/partition name/);
      expect(() => batchArchiveFile('/var/archive', name, new Date())).toThrow(/partition name/);
    }
  });
});
