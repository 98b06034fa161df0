// How a process of ours runs a .ts entry outside the packaged app (the CLI's job processes, the
// backend in tests and tools): through tsx, as bin/cts.mjs runs the CLI, with installed packages'
// .mjs files kept out of tsx's transform (package-source-hooks.mjs says why).

/** The module that registers package-source-hooks.mjs (import it after tsx is registered). */
export const PACKAGE_SOURCE_INSTALL = new URL('./package-source-install.mjs', import.meta.url).href

/** Node flags for a .ts entry: tsx first, then the package-source hook (it then runs first). */
export function tsxExecArgv(): string[] {
  return ['--import', 'tsx', '--import', PACKAGE_SOURCE_INSTALL]
}
