// Jest runs the TypeScript sources as native ES modules (node --experimental-vm-modules).
/** @type {import('jest').Config} */
export default {
  extensionsToTreatAsEsm: ['.ts'],
  testEnvironment: 'node',
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true }] },
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  // Integration and end-to-end tests share two cores with RabbitMQ, PostgreSQL and nginx.
  maxWorkers: 2,
  // Hooks create databases and start whole stacks; on a loaded 2-core machine that can take a while.
  testTimeout: 30_000,
  // A client library's timer left after the last test (e.g. an undici keep-alive socket) must not keep
  // CI waiting: every file closes its own stacks and pools in afterAll, so the run is over here.
  forceExit: true,
};
