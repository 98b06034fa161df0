// The shape of one CLI command module: it adds itself (and its subcommands) to the program.
import type { Command } from 'commander'

export interface CliCommand {
  /** The top-level word (`project`, `import` …), for listings and tests. */
  name: string
  register(program: Command): void
}
