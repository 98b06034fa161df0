// English strings of a run's "Labels and agreement" panel (LabelProvenance.vue): the same facts the
// report's section states. zh-cn-provenance.ts is typed against this one.
export const enProvenance = {
  provenance: {
    title: 'Labels and agreement',
    annotators: 'Annotators: {names}',
    oneAnnotator: 'Labels by one annotator ({name}).',
    reference: 'Reference labels from the imported file.',
    policyExclude:
      "Gold labels: an adjudicator's decision where there is one; otherwise the label a strict majority of the annotators chose; on a tie the text is excluded from training.",
    policyAnnotator:
      "Gold labels: an adjudicator's decision where there is one; otherwise the label a strict majority of the annotators chose; on a tie, {name}'s label (the text is excluded when {name} did not label it).",
    how: 'How the gold label came about',
    texts: 'Texts',
    counts: {
      adjudicated: 'Adjudicated',
      agreed: 'All annotators agreed',
      majority: 'Strict majority',
      single: 'One annotator only',
      tieAnnotator: "Tie: {name}'s label",
      excluded: 'Tie: excluded from training',
      reference: 'Reference label from the imported file',
      none: 'No label (not trained on)',
    },
    statistic: 'Statistic',
    estimate: 'Estimate',
    ci: '95% CI (bootstrap)',
    alpha: "Krippendorff's α (nominal)",
    cohen: "Cohen's κ ({a} – {b})",
    fleiss: "Fleiss' κ",
    pair: '{a} and {b} both labelled {n} texts; their labels were identical on {observed}.',
    noFleiss: "Fleiss' κ is not given: the texts were labelled by different numbers of annotators.",
    noOverlap:
      'No text was labelled by two or more annotators, so their agreement cannot be measured.',
    snapshot: 'As they stood when the run took its training texts.',
  },
}

export type ProvenanceMessages = typeof enProvenance
