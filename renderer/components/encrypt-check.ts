// The checks the encrypt form makes before asking the backend (which checks the same again):
// the shortest passphrase accepted and both fields equal. Returns the i18n key of the problem.
export const MIN_PASSPHRASE = 8

export function passphraseProblem(
  passphrase: string,
  confirm: string,
): 'encrypt.tooShort' | 'encrypt.mismatch' | null {
  if (passphrase.length < MIN_PASSPHRASE) return 'encrypt.tooShort'
  if (confirm !== passphrase) return 'encrypt.mismatch'
  return null
}
