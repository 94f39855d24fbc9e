// @ts-check
import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'cdk.out/',
      '.data/',
      'web/build/',
      'web/.svelte-kit/',
      'scratch/',
      'coverage/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        // `const { source: _source, ...rest } = record` is how a field is left out of a copy.
        { argsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      'no-console': 'off',
    },
  },
  // The site: Svelte components and browser modules, parsed as TypeScript.
  ...svelte.configs.recommended,
  {
    files: ['web/src/**/*.{ts,svelte}', 'test/web/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      // The site is always served at the origin's root (no base path, on CloudFront and on the
      // local server), so links and goto() take plain absolute paths.
      'svelte/no-navigation-without-resolve': 'off',
    },
  },
  {
    files: ['web/**/*.svelte', 'web/**/*.svelte.ts'],
    languageOptions: {
      parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] },
    },
  },
);
