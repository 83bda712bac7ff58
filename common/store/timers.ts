// The SQL of the main database's timers table, the one place every room reads and writes it: the row
// shape (timers/rows.ts), the reads (timers/reads.ts), the writes (timers/writes.ts) and flow control's
// holds and releases (timers/holds.ts).
export * from './timers/rows.js';
export * from './timers/reads.js';
export * from './timers/writes.js';
export * from './timers/holds.js';
