import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const processEnvBan = {
  selector: "MemberExpression[object.name='process'][property.name='env']",
  message: 'Read configuration through src/config/env.ts only.',
};
// Outbox rows are built by delivery() from the catalogue, which owns every kind's key.
const dedupeKeyBan = {
  selector: "Property[key.name='dedupeKey']",
  message:
    'Queue deliveries with delivery() from src/services/delivery-catalogue.ts: each kind declares its key there.',
};

const layerBan = (groups, message) => ({
  'no-restricted-imports': ['error', { patterns: [{ group: groups, message }] }],
});

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'drizzle/**',
      '.data/**',
      'coverage/**',
      'test-results/**',
      'src/sandbox/public/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/ban-ts-comment': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unnecessary-condition': 'off',
      'no-restricted-syntax': ['error', processEnvBan],
    },
  },
  {
    files: ['src/**'],
    ignores: ['src/config/**', 'src/db/**', 'src/services/delivery-catalogue.ts'],
    rules: { 'no-restricted-syntax': ['error', processEnvBan, dedupeKeyBan] },
  },
  {
    files: ['src/config/**', 'test/**', 'drizzle.config.ts', 'vitest.config.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  // The domain is pure: no Slack, no database, no HTTP.
  {
    files: ['src/domain/**'],
    rules: layerBan(
      [
        '@slack/*',
        'drizzle-orm',
        'drizzle-orm/*',
        'postgres',
        '@electric-sql/*',
        'node:http',
        '**/db/**',
        '**/slack/**',
        '**/http/**',
      ],
      'The domain is pure: pass data in, get data out.',
    ),
  },
  // Only the data layer talks SQL.
  {
    files: ['src/slack/**', 'src/http/**', 'src/hubspot/**'],
    rules: layerBan(
      ['drizzle-orm', 'drizzle-orm/*', 'postgres', '@electric-sql/*', '**/db/schema*', '**/db/client*'],
      'Go through the data layer (src/db/repo).',
    ),
  },
  {
    files: ['src/slack/views/**'],
    rules: layerBan(['@slack/bolt', '**/db/**', '**/http/**'], 'Views are pure functions of data.'),
  },
  // Every string the HTTP API takes is checked for what Postgres cannot store (src/http/schemas/text.ts).
  {
    files: ['src/http/schemas/**'],
    ignores: ['src/http/schemas/text.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        processEnvBan,
        dedupeKeyBan,
        {
          selector: "MemberExpression[object.name='z'][property.name=/^(string|email|iso|url|uuid)$/]",
          message:
            'Build strings and instants with src/http/schemas/text.ts, which refuses what Postgres cannot store.',
        },
      ],
    },
  },
  { files: ['eslint.config.js'], ...tseslint.configs.disableTypeChecked },
);
