// NAME: English (titles, cues, signatures) and Chinese (surname + given name after cues or before
// titles), and the traps that must stay: eponymous diseases, drugs, 张力, 李斯特菌, 高热.
import { describe, expect, it } from 'vitest'
import { found } from './helpers'

describe('English names', () => {
  it('takes the name after a title, the title staying outside', () => {
    expect(found("Seen by Dr. Rajesh Patel and Mrs. O'Connor; Prof Helen Marsh agreed.")).toEqual([
      ['NAME', 'Rajesh Patel'],
      ['NAME', "O'Connor"],
      ['NAME', 'Helen Marsh'],
    ])
  })

  it('takes names after cues and before credentials', () => {
    expect(found('Patient: John Miller. Daughter Linda Carter called. Kevin McDonald, MD')).toEqual(
      [
        ['NAME', 'John Miller'],
        ['NAME', 'Linda Carter'],
        ['NAME', 'Kevin McDonald'],
      ],
    )
  })

  it('takes "LAST, FIRST M" and "Last, First" after a PATIENT:/Name: cue', () => {
    expect(found('PATIENT: SMITH, JOHN A   DOB: 5/7/1940. Name: Garcia, Maria')).toEqual([
      ['NAME', 'SMITH, JOHN A'],
      ['DATE', '5/7/1940'],
      ['NAME', 'Garcia, Maria'],
    ])
  })

  it('does not take services and roles after a cue as names', () => {
    expect(
      found(
        'Patient Education provided. Contact Precautions. Seen by Physical Therapy. Nurse Practitioner notified.',
      ),
    ).toEqual([])
  })

  it('does not take eponymous diseases, drugs or sentence words as names', () => {
    expect(
      found(
        "History of Parkinson's disease, Hodgkin lymphoma and Crohn's disease. Patient Denies pain. Taking Lipitor, Eliquis. Patient: Alzheimer's disease suspected.",
      ),
    ).toEqual([])
  })
})

describe('Chinese names', () => {
  it('takes surname + given name after cues, compound surnames included', () => {
    expect(
      found('患者王建国，男。家属李秀英（女儿）。姓名：司马光耀。联系人欧阳明因故未到。'),
    ).toEqual([
      ['NAME', '王建国'],
      ['NAME', '李秀英'],
      ['NAME', '司马光耀'],
      ['NAME', '欧阳明'],
    ])
  })

  it('takes names before titles, a lone surname included', () => {
    expect(found('由陈伟医生接诊，请示刘主任，王芳女士陪同。')).toEqual([
      ['NAME', '陈伟'],
      ['NAME', '刘'],
      ['NAME', '王芳'],
    ])
  })

  it('leaves clinical words that begin with a surname character alone', () => {
    expect(
      found(
        '患者尚可，无不适。患者成功出院。患者温度38℃。请向医生咨询。患者和医生沟通。主任医师查房。责任护士巡视。',
      ),
    ).toEqual([])
  })

  it('leaves 张力, 李斯特菌, 高热, 黄疸, 主管医生 and 患者于… alone', () => {
    expect(
      found(
        '肌张力正常。血培养示李斯特菌。患者高热3天。患者黄疸加重。主管医生查房。患者于外院行CT检查。患者曾多次住院。患者李斯特菌感染。',
      ),
    ).toEqual([])
  })
})
