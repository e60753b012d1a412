// One linter for the whole repo. The rule that matters most: src/ and commands/ never import
// a platform SDK; only adapters/ may (STYLE.md rule 1).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const platformSdks = ['discord.js', '@slack/bolt', '@slack/web-api', '@slack/socket-mode', '@discordjs/*'];

export default tseslint.config(
  { ignores: ['node_modules/**', 'data/**', 'bench/results/**', 'dist/**', 'dist-bench/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    files: ['src/**/*.ts', 'commands/**/*.ts', 'prompts/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [{ group: platformSdks, message: 'Only adapters/ may import a platform SDK.' }] }],
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts', 'scripts/**', '**/*.test.ts', 'adapters/terminal/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
);
