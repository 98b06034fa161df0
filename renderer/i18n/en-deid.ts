// English strings of de-identification (issue #15 point 3): the import dialog's "de-identify
// before import" panel (counts per kind, masked examples) and the export / report switches.
// zh-cn-deid.ts is typed against this one.
export const enDeid = {
  deid: {
    title: 'De-identify before import',
    hint: 'Names, phone numbers, ID numbers, record numbers, e-mail, web and IP addresses, dates, ages over 89 and addresses are replaced by a tag such as [PHONE] before anything is stored. The original text is not kept. Texts that differ only in masked details become duplicates. Only the text column is de-identified: map an ID or patient/group column only if it holds no identifiers.',
    keepYear: 'Dates keep their year ("[DATE] 2023")',
    checking: 'Checking every row of the file…',
    summary: '{withPhi} of {texts} texts contain protected health information.',
    none: 'Nothing to mask was found in this column.',
    kind: 'Kind',
    found: 'Found',
    examples: 'Examples, as they will be stored',
    imported: 'The texts were de-identified before they were stored.',
    exportOption: 'De-identify',
    exportHint: 'Mask names, phone numbers, ID numbers … in the exported texts',
    reportOption: 'De-identify report',
    types: {
      NAME: 'Names',
      PHONE: 'Phone numbers',
      ID_NUMBER: 'ID numbers',
      MRN: 'Medical record numbers',
      INSURANCE: 'Insurance numbers',
      EMAIL: 'E-mail addresses',
      URL: 'Web addresses',
      IP: 'IP addresses',
      DATE: 'Dates',
      AGE: 'Ages over 89',
      ADDRESS: 'Addresses',
    },
  },
}

export type DeidMessages = typeof enDeid
