// The SQL of the main database's timers table, the one place every room reads and writes it: the row
// shape (timers/rows.ts), the reads (timers/reads.ts) and the writes (timers/writes.ts).
export * from './timers/rows.js';
export * from './timers/reads.js';
export * from './timers/writes.js';
