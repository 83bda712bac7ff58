// The house's architecture, checked by `npm run depcruise` and CI.
//
// The rooms are the process types: each one is its own program (webserver, consumer, timer, trigger,
// worker, retention, random-user) or command (simulator, exporter) and talks to the others only through RabbitMQ,
// PostgreSQL and HTTP, never through an import. What two rooms both need lives in common/, which
// therefore knows no room: a room can move, split or scale on its own without dragging another with it.
//
// Who may import a room, and why:
// - its own files;
// - tests (*.test.ts anywhere, and test/): they start rooms and probe them, an end-to-end test drives
//   the webserver, the consumer and the trigger together;
// - launcher/ (`npm run stack`), bench/ and chaos/: they start whole stacks, the rooms are what they run.
// migrations/ is the schema, data that common/db/knex-config.ts hands to knex, not a room: that one file
// of common/ may import it, and migrations/ imports no room.
// test/ and bench/ are never shipped: nothing that runs in production (common/, the rooms, migrations/,
// knexfile.ts) may import them, or a Docker image would need them. launcher/ and chaos/ are tools, not
// production; they may use test/'s helpers (a webhook receiver, a mail sink) without this file minding.
const rooms = ['webserver', 'consumer', 'timer', 'trigger', 'worker', 'retention', 'random-user', 'simulator', 'exporter'];
const roomsPattern = `^(${rooms.join('|')})/`;
// Tests anywhere: unit and integration tests sit beside their module.
const testFile = '\\.test\\.ts$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment:
        'An import cycle: neither module can be understood, tested or moved without the other. Type-only imports count ' +
        '(tsPreCompilationDeps), since the cycle is in the design even when the compiler erases it.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'room-imports-another-room',
      severity: 'error',
      comment: 'A process room imports another room: they share code only through common/. Move what both need to common/ ' + '(tests may reach across rooms, they start and probe them).',
      from: { path: roomsPattern, pathNot: testFile },
      to: { path: roomsPattern, pathNot: '^$1/' },
    },
    {
      name: 'common-imports-a-room',
      severity: 'error',
      comment: 'common/ is what the rooms share, so it knows none of them; move the needed piece into common/ instead. ' + 'The same holds for migrations/, the schema, which every room runs against.',
      from: { path: '^(common|migrations)/', pathNot: testFile },
      to: { path: `${roomsPattern}|^(launcher|bench|chaos)/` },
    },
    {
      name: 'migrations-read-outside-knex-config',
      severity: 'error',
      comment: 'The schema steps reach the rest of common/ through one door, common/db/knex-config.ts, which hands them to knex; ' + 'anything else that needs the schema asks the database.',
      from: { path: '^common/', pathNot: [testFile, '^common/db/knex-config\\.ts$'] },
      to: { path: '^migrations/' },
    },
    {
      name: 'production-imports-test-or-bench',
      severity: 'error',
      comment: 'Code that ships (common/, the rooms, migrations/, knexfile.ts) imports test/ or bench/, which are never shipped.',
      from: { path: `^(common|migrations)/|${roomsPattern}|^knexfile\\.ts$`, pathNot: testFile },
      to: { path: '^(test|bench)/' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import that resolves to nothing: a typo, a moved file, or a package missing from package.json.',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // The tools' own configuration files at the top (eslint.config.js, jest.config.js, this one) are no part of the house.
    exclude: { path: '^(node_modules|dist|coverage|\\.stack)/|^[^/]+\\.c?js$' },
    // Type-only imports are dependencies too (see no-cycles).
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // The sources are ES modules that import './x.js' for the file x.ts: dependency-cruiser maps a '.js' that does
    // not exist to its '.ts'.
    enhancedResolveOptions: {
      extensions: ['.ts', '.js', '.json'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    skipAnalysisNotInRules: true,
    reporterOptions: { text: { highlightFocused: true } },
  },
};
