// English strings of the encrypted workspace: the unlock dialog and "Encrypt this workspace"
// (issue #15 point 2). zh-cn-workspace.ts is typed against this one.
export const enWorkspace = {
  unlock: {
    title: 'Unlock the workspace',
    body: 'This workspace is encrypted. Enter its passphrase to open your projects, texts and labels.',
    passphrase: 'Passphrase',
    submit: 'Unlock',
    unlocking: 'Unlocking…',
    empty: 'Enter the passphrase.',
    failed: 'The workspace could not be unlocked.',
    hint: 'Without the passphrase nobody can read this workspace — including you. There is no reset.',
  },
  encrypt: {
    button: 'Encrypt workspace',
    buttonTitle: 'Encrypt this workspace with a passphrase',
    encrypted: 'Encrypted',
    encryptedTitle: 'This workspace is encrypted: it opens only with its passphrase',
    title: 'Encrypt this workspace',
    body: 'Projects, texts, labels and the files of trained models are stored encrypted. The app will ask for the passphrase every time it starts.',
    option: 'Encrypt this workspace',
    optionHint: 'Recommended on a laptop: a stolen computer does not give away patient notes.',
    passphrase: 'Passphrase',
    confirm: 'Type the passphrase again',
    minLength: 'At least {n} characters; a few unrelated words are best.',
    warning:
      'Write the passphrase down and keep it safe. If it is lost, this workspace cannot be opened by anyone — there is no way to recover it.',
    submit: 'Encrypt',
    encrypting: 'Encrypting…',
    tooShort: 'The passphrase is too short: use at least {n} characters.',
    mismatch: 'The two passphrases are not the same.',
    failed: 'The workspace could not be encrypted.',
    done: 'The workspace is encrypted.',
  },
}

export type WorkspaceMessages = typeof enWorkspace
