// Lint: typescript-eslint's recommended rules plus the few that keep layers apart.
import tseslint from 'typescript-eslint';

/** shared/ is the core: it never reaches into the functions or the infrastructure. */
const LAYERS = ['**/functions/**', '**/lib/**'];
const ULID = { name: 'ulid', importNames: ['ulid', 'monotonicFactory'], message: 'use ulid and monotonicFactory from shared/ids.ts (a pooled PRNG)' };

export default tseslint.config(
  { ignores: ['node_modules/', 'cdk.out/', '.switchboard/', 'coverage/', '.venv-cfn/', 'jest.config.js'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { disallowTypeAnnotations: false }],
      'no-console': 'off',
    },
  },
  {
    // Plain CommonJS entry points (the worker bootstrap) run before TypeScript is loadable: require is the point.
    files: ['**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', __dirname: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // ULIDs come from shared/ids.ts, whose PRNG draws from a pooled buffer (ulid's own makes 16 calls per id).
    files: ['functions/**/*.ts', 'lib/**/*.ts', 'bin/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [ULID] }] },
  },
  {
    files: ['shared/**/*.ts'],
    ignores: ['shared/ids.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: LAYERS, paths: [ULID] }] },
  },
  {
    files: ['shared/ids.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: LAYERS }] },
  },
);
