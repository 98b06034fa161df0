// English strings of several annotators: the profile chooser, blinding, the project's annotation
// settings and per-annotator progress, and who made an import's labels. zh-cn-annotators.ts is typed
// against this one.
export const enAnnotators = {
  annotators: {
    chooserTitle: 'Who is labelling?',
    chooserIntro:
      'Every label you set is recorded under this name, so that the agreement between annotators can be measured. Several people can share this computer: switch the name in the top bar.',
    name: 'Your name',
    nameHint: 'As it should appear in agreement tables and the run record, e.g. Dr Li.',
    nameRequired: 'Enter a name.',
    known: 'Names already used here',
    labelsBy: 'no labels | 1 text labelled | {n} texts labelled',
    use: 'Continue as {name}',
    useEmpty: 'Continue',
    current: 'Labelling as',
    switch: 'Switch',
    switchTitle: 'Switch annotator',
    noProfile: 'No annotator chosen',
    blinded:
      "Blinded: this text is double-annotated — other annotators' labels and the model's suggestion are hidden.",
    settingsTitle: 'Annotators',
    settingsIntro:
      'Share the texts between a team; a seeded part of them is labelled independently by several people to measure agreement.',
    team: 'Team',
    teamHint: 'Names separated by commas. Empty: no assignment, anyone labels any text.',
    overlap: 'Double-annotated texts',
    overlapUnit: '% of texts',
    overlapAnnotators: 'Annotators per double-annotated text',
    blind: 'Blind double-annotated texts',
    blindHint: "Annotators see neither each other's labels nor the model's suggestion on them.",
    tiePolicy: 'When annotators disagree (no majority, not adjudicated)',
    tieExclude: 'Leave the text out of training',
    tieAnnotator: "Use one annotator's label",
    tieAnnotatorName: 'Annotator whose label decides',
    tieAnnotatorMissing: 'Choose the annotator whose label decides.',
    overlapInvalid: 'Enter a percentage from 0 to 100.',
    overlapAnnotatorsInvalid: 'At least 2 annotators, and not more than the team has.',
    saveSettings: 'Save settings',
    saving: 'Saving…',
    saved: 'Saved',
    progressTitle: 'Progress per annotator',
    progressSummary:
      '{texts} texts, {overlap} chosen for double annotation, {multiple} labelled by two or more annotators',
    colAnnotator: 'Annotator',
    colDone: 'Labelled / share',
    colOverlap: 'Double-annotated',
    noProgress: 'Nobody has labelled texts in this project yet.',
    importBy: 'Labels in this file were made by',
    importByNobody: 'Nobody named — reference labels',
    importByHint:
      "Reference labels count as gold only where no annotator has labelled the text, and never in agreement. Choose a person to count the file's labels as theirs.",
  },
}

export type AnnotatorsMessages = typeof enAnnotators
