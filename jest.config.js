/** Transpile-only ts-jest (type-checking is `npm run typecheck`); @middy and jose are ESM-only, so they are transformed too. */
const transform = {
  '^.+\\.tsx?$': ['ts-jest', {}],
  '^.+\\.m?js$': ['ts-jest', { tsconfig: { allowJs: true, isolatedModules: true } }],
};
const common = { testEnvironment: 'node', transform, transformIgnorePatterns: ['/node_modules/(?!(@middy|jose)/)'] };

module.exports = {
  // Global, not per project: jest reads testTimeout only here. E2e files share two cores with the rest of the run.
  testTimeout: 30000,
  projects: [
    {
      ...common,
      displayName: 'unit',
      roots: ['<rootDir>/test/unit'],
      testMatch: ['**/*.test.ts'],
      setupFiles: ['<rootDir>/test/support/env.ts'],
    },
    {
      ...common,
      displayName: 'integration',
      roots: ['<rootDir>/test/integration', '<rootDir>/test/e2e'],
      testMatch: ['**/*.test.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
      setupFiles: ['<rootDir>/test/support/env.ts'],
    },
    { ...common, displayName: 'infra', roots: ['<rootDir>/test/infra'], testMatch: ['**/*.test.ts'] },
  ],
};
