// Flat ESLint config. The layering rules below are the architecture's import direction, enforced:
// renderer → preload/contract (types only); services never import electron; ml imports nothing above it.
import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import pluginVue from 'eslint-plugin-vue'
import prettier from 'eslint-config-prettier'
import globals from 'globals'

const electronBan = { name: 'electron', message: 'Bad layering: only main/app/ and preload/ may import electron.' }

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'dist/**', 'release/**', 'resources/models/**', '.venv/**', 'test-artifacts/**', '.cache/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...pluginVue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
    rules: { 'vue/block-lang': ['error', { script: { lang: 'ts' } }] },
  },
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'vue/multi-word-component-names': 'off',
    },
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.vue'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': ['error', {
        paths: [electronBan],
        patterns: [
          { group: ['**/main/**', '**/main', 'electron/*'], message: 'Bad layering: the renderer may import only types from preload/contract.' },
          { group: ['**/preload/index*'], message: 'Bad layering: the renderer talks to window.cts, never to preload code.' },
        ],
      }],
    },
  },
  {
    files: ['main/services/**/*.ts', 'main/store/**/*.ts', 'main/data/**/*.ts', 'main/jobs/**/*.ts', 'main/reports/**/*.ts', 'main/cli/**/*.ts', 'main/web/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [electronBan],
        patterns: [{ group: ['electron/*', '**/app/**', '**/main/app/**'], message: 'Bad layering: services never import electron or main/app.' }],
      }],
    },
  },
  {
    files: ['main/ml/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [electronBan],
        // preload/contract/common is the leaf that holds CtsError and shared DTO pieces: ml may use it.
        patterns: [{ regex: '(^|/)(services|store|data|jobs|app|cli|web|reports|serve)(/|$)|(^|/)preload/(?!contract/common$)', message: 'Bad layering: ml/ imports nothing above it.' }],
      }],
    },
  },
  prettier,
)
