// `cts agreement --project P [--json]`: how much a project's annotators agree — Krippendorff's α,
// Fleiss' κ, Cohen's κ per pair (bootstrap 95 % intervals), per label for multi-label projects —
// and how many texts they disagree on and how many of those an adjudicator has decided.
import { Command } from 'commander'
import type {
  AgreementDto,
  AgreementFiguresDto,
  AgreementValueDto,
} from '../../../preload/contract'
import { withContext } from '../context'
import type { CliCommand } from './command'

interface AgreementOptions {
  project: string
  json?: boolean
}

/** "0.412 [0.103, 0.800]"; "not defined" when the statistic is (e.g. one label used throughout). */
export function valueText(v: AgreementValueDto): string {
  if (v.estimate === null) return 'not defined'
  const ci =
    v.lower === null || v.upper === null ? '' : ` [${v.lower.toFixed(3)}, ${v.upper.toFixed(3)}]`
  return v.estimate.toFixed(3) + ci
}

/** The figures as indented lines: α, Fleiss' κ, Cohen's κ per pair. */
export function figureLines(f: AgreementFiguresDto, indent: string): string[] {
  if (f.texts === 0) {
    return [`${indent}no text is labelled by two or more annotators yet: nothing to compare`]
  }
  const lines = [
    `${indent}texts labelled by two or more: ${f.texts}`,
    `${indent}Krippendorff's α: ${valueText(f.alpha)}`,
    `${indent}Fleiss' κ: ${f.fleiss ? valueText(f.fleiss) : 'incomplete table (texts labelled by different numbers of annotators)'}`,
  ]
  for (const p of f.cohen) {
    const observed = p.observed === null ? '' : `, agreed on ${(100 * p.observed).toFixed(1)} %`
    lines.push(
      `${indent}Cohen's κ ${p.a} – ${p.b}: ${valueText(p.kappa)} (${p.texts} text${p.texts === 1 ? '' : 's'}${observed})`,
    )
  }
  return lines
}

/** The human-readable report `cts agreement` prints without --json. */
export function agreementText(
  r: AgreementDto,
  projectName: string,
  labelName: (id: number) => string,
): string[] {
  const lines = [
    `Agreement in "${projectName}": ${r.annotators.length} annotator(s)` +
      (r.annotators.length > 0 ? ` (${r.annotators.join(', ')})` : '') +
      `; ${Math.round(r.level * 100)} % intervals from ${r.resamples} bootstrap resamples.`,
  ]
  if (r.overall) lines.push(...figureLines(r.overall, '  '))
  else {
    lines.push('Per label (present or absent; a text may have several labels):')
    for (const l of r.perLabel)
      lines.push(`  ${labelName(l.labelId)}`, ...figureLines(l.figures, '    '))
  }
  lines.push(
    `Disagreements: ${r.disagreements} text(s), ${r.adjudicated} adjudicated, ` +
      `${r.disagreements - r.adjudicated} open.`,
  )
  return lines
}

export const agreementCommand: CliCommand = {
  name: 'agreement',
  register(program) {
    program.addCommand(
      new Command('agreement')
        .description(
          "agreement between a project's annotators: α, Fleiss' κ, Cohen's κ with intervals",
        )
        .requiredOption('--project <project>', 'project name or id')
        .option('--json', 'print the agreement report as one JSON object')
        .action(
          withContext(async (ctx, opts: AgreementOptions) => {
            const project = await ctx.resolveProject(opts.project)
            const report = await ctx.call('agreement/report', { projectId: project.id })
            if (opts.json) return ctx.printJson(report)
            const names = new Map(project.labels.map((l) => [l.id, l.name]))
            for (const line of agreementText(
              report,
              project.name,
              (id) => names.get(id) ?? `#${id}`,
            ))
              ctx.print(line)
          }),
        ),
    )
  },
}
