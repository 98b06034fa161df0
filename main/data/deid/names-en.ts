// NAME (English): capitalised words after a title (Dr/Mr/Mrs/Ms/Prof), after a cue ("Patient:",
// "Daughter", "signed by"), before credentials ("Kevin O'Brien, MD"), or "SMITH, JOHN A" after
// PATIENT:/NAME:. The title stays outside the span.
import { matchAll, type Candidate } from './types'

// One name word: Smith, O'Connor, Smith-Jones, McDonald, or an initial "J."
const WORD = String.raw`(?:Mc[A-Z][a-z]+|O['’][A-Z][a-z]+|[A-Z][a-z]+(?:['’-][A-Z]?[a-z]+)*|[A-Z]\.)`
const NAME = String.raw`${WORD}(?:[ \t]+${WORD}){0,2}`
const TITLE = String.raw`\b(?:Dr|Mr|Mrs|Ms|Miss|Mx|Prof|Professor|Doctor)\.?[ \t]+`
const CUE = String.raw`\b(?:[Pp]atient(?:'s)?(?:[ \t]+[Nn]ame)?|[Nn]ame|Pt|[Ss]on|[Dd]aughter|[Ww]ife|[Hh]usband|[Mm]other|[Ff]ather|[Bb]rother|[Ss]ister|[Ss]pouse|[Pp]artner|[Gg]uardian|[Cc]aregiver|[Nn]ext[ \t]+of[ \t]+kin|[Cc]ontact(?:[ \t]+person)?|(?:[Ee]lectronically[ \t]+)?[Ss]igned(?:[ \t]+by)?|[Aa]ttending|[Nn]urse|[Rr]eferred[ \t]+by|[Ss]een[ \t]+by|[Pp]rescriber|[Rr]eported[ \t]+by|[Rr]eviewed[ \t]+by|[Dd]ictated[ \t]+by|[Cc]onsulted)(?:[ \t]*[:：]|[ \t])[ \t]*`
const CREDENTIALS = String.raw`,?[ \t]+(?:MD|M\.D\.|DO|RN|NP|PA(?:-C)?|PhD|MBBS|FRCP|DDS|PharmD)\b`

// Registration systems write "SMITH, JOHN A" or "Smith, John" after PATIENT:/NAME:.
const CAPS_WORD = String.raw`[A-Z][A-Z'’-]+`
const LAST_FIRST = new RegExp(
  String.raw`\b(?:PATIENT|Patient|PT|Pt|NAME|Name|PATIENT NAME|Patient [Nn]ame)[ \t]*[:：][ \t]*(${CAPS_WORD},[ \t]*${CAPS_WORD}(?:[ \t]+[A-Z]\b\.?)?|${WORD},[ \t]*${WORD}(?:[ \t]+[A-Z]\.)?)`,
  'g',
)
const TITLED = new RegExp(`${TITLE}(${NAME})`, 'g')
const CUED = new RegExp(`${CUE}(${NAME})`, 'g')
const SIGNED = new RegExp(
  String.raw`(?<![\w'])(${WORD}(?:[ \t]+${WORD}){1,2})(?=${CREDENTIALS})`,
  'g',
)

// Capitalised words that are not names although they follow a cue or title.
const NOT_NAMES = new Set(
  (
    'The A An This That He She It They His Her Their We I You Is Was Has Had Denies Reports States ' +
    'Presented Presents Admitted Discharged Seen Stable Alert Oriented Unknown None No Yes Not ' +
    'Male Female Name Patient Information Record Number Date Age Phone Address Email Room Bed ' +
    'Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June ' +
    'July August September October November December Hospital Clinic Center Centre Medical Ward Unit ' +
    'Department Emergency Cardiology Neurology Oncology Surgery Radiology Pharmacy Family Practice ' +
    'Parkinson Parkinsons Alzheimer Alzheimers Hodgkin Hodgkins Crohn Crohns Graves Bell Bells Down ' +
    'Cushing Addison Hashimoto Huntington Tourette Kaposi Wilson Raynaud Guillain Barre Marfan ' +
    'Sjogren Wolff White Asperger Meniere Paget Epstein Barr Gilbert Reiter Whipple Turner Klinefelter ' +
    'Metformin Insulin Warfarin Aspirin Lisinopril Atorvastatin Metoprolol Eliquis Lipitor Plavix ' +
    'Coumadin Lasix Tylenol Advil Heparin Amoxicillin Prednisone Donepezil Levodopa Carbidopa ' +
    'MD DO RN NP PA PhD Mrs Mr Ms Dr Prof On At In For With And Or But Of To From By Call Contact ' +
    'Signed Electronically Attending Nurse Consulted Referred Reviewed Dictated Reported ' +
    'Education Safety Precautions Practitioner Physician Therapy Therapist Physical Occupational ' +
    'Speech Respiratory Services Service Team Staff Care Primary Home Health Social Work Worker ' +
    'Intensive Internal Medicine General Pediatrics Psychiatry Orthopedics Urology Dermatology ' +
    'Gastroenterology Nephrology Endocrinology Pulmonology Hematology Infectious Disease Obstetrics ' +
    'Gynecology Anesthesia Nursing Pathology Laboratory Lab Instructions Identifier Portal Account ' +
    'ID Number Records Office Resident Fellow Student Consultant Surgeon Pharmacist Coordinator'
  ).split(' '),
)
// A name followed by these is a disease or sign, not a person ("Parkinson's disease").
const EPONYM_TAIL =
  /^['’]?s?[ \t]+(?:disease|syndrome|sign|palsy|lymphoma|disorder|phenomenon|test|reflex|law|score|scale)\b/i

/** Trims leading/trailing non-name words off a matched name; undefined when nothing is left. */
function clean(text: string, c: Candidate): Candidate | undefined {
  const words = [...text.slice(c.start, c.end).matchAll(/\S+/g)]
  let first = 0
  let last = words.length - 1
  const bad = (w: string): boolean => NOT_NAMES.has(w.replace(/['’]s$|[.'’]$/g, ''))
  while (first <= last && bad(words[first][0])) first++
  // A name cut at the first non-name word: "Mary Miller Denies" → "Mary Miller".
  for (let i = first; i <= last; i++) if (bad(words[i][0])) last = i - 1
  if (first > last) return undefined
  const start = c.start + words[first].index!
  const end = c.start + words[last].index! + words[last][0].length
  if (EPONYM_TAIL.test(text.slice(end))) return undefined
  return { ...c, start, end }
}

export function findEnglishNames(text: string): Candidate[] {
  return [
    ...matchAll(text, TITLED, 'NAME', 3, 1),
    ...matchAll(text, CUED, 'NAME', 2, 1),
    ...matchAll(text, SIGNED, 'NAME', 2, 1),
  ]
    .map((c) => clean(text, c))
    .filter((c): c is Candidate => c !== undefined)
    .concat(matchAll(text, LAST_FIRST, 'NAME', 3, 1))
}
