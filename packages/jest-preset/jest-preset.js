// Shared by every workspace: `"jest": { "preset": "@siliconalley/jest-preset" }`.
// swc strips types only; `npm run typecheck` (tsc) is what checks them.
module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.(t|j)sx?$|^.+\\.mjs$': ['@swc/jest', { jsc: { target: 'es2024', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }],
  },
  // d3 v4+ ships ESM only (.mjs); jest's CommonJS loader cannot require it, so compile those too.
  transformIgnorePatterns: ['/node_modules/(?!(d3-[^/]+|internmap)/)'],
  testMatch: ['**/test/**/*.test.ts'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  // Integration tests talk to the real broker/database; give them room, fail loudly on leaks.
  testTimeout: 60000,
  detectOpenHandles: false,
};
