import { describe, expect, it } from 'vitest';
import { caseNameForSeries, groupBySeries, mentionsPatient, orderInstances, safeFileName, type DicomInstanceInfo } from '../../../../../main/core/dicom/instance.js';

const patient = { name: 'Doe^Jane', patientId: 'PAT-0042', birthDate: '19700101', sex: 'F', institution: 'St. Example' };

function inst(over: Partial<DicomInstanceInfo>): { dicom: DicomInstanceInfo } {
  return {
    dicom: {
      sopClassUid: '1.2.840.10008.5.1.4.1.1.77.1.1.1', sopInstanceUid: '1.9', studyInstanceUid: '1.1', seriesInstanceUid: '1.1.1',
      transferSyntaxUid: '1.2.840.10008.1.2.4.102', codec: 'h264', modality: 'ES', studyDate: '20240502', studyTime: null,
      studyDescription: 'Colonoscopy', seriesDescription: null, seriesNumber: 1, instanceNumber: 1, acquisitionDateTime: null,
      frameRate: 25, source: '/x.dcm', media: '/x.mp4', patient, ...over,
    },
  };
}

describe('DICOM instances into cases', () => {
  it('orders a series by acquisition time, then instance number', () => {
    const a = inst({ sopInstanceUid: '1.1', instanceNumber: 3, acquisitionDateTime: '20240502101000' });
    const b = inst({ sopInstanceUid: '1.2', instanceNumber: 1, acquisitionDateTime: '20240502102000.5' });
    const c = inst({ sopInstanceUid: '1.3', instanceNumber: 2, acquisitionDateTime: '20240502102000.5' });
    expect(orderInstances([c, b, a]).map((i) => i.dicom.sopInstanceUid)).toEqual(['1.1', '1.2', '1.3']);
    // Without times, the instance number decides.
    const n = [inst({ sopInstanceUid: '2.1', instanceNumber: 10 }), inst({ sopInstanceUid: '2.2', instanceNumber: 2 })];
    expect(orderInstances(n).map((i) => i.dicom.instanceNumber)).toEqual([2, 10]);
  });

  it('groups instances by study and series, series in number order', () => {
    const groups = groupBySeries([
      inst({ sopInstanceUid: '3.1', seriesInstanceUid: 's2', seriesNumber: 2 }),
      inst({ sopInstanceUid: '3.2', seriesInstanceUid: 's1', seriesNumber: 1, instanceNumber: 2 }),
      inst({ sopInstanceUid: '3.3', seriesInstanceUid: 's1', seriesNumber: 1, instanceNumber: 1 }),
    ]);
    expect(groups.map((g) => g.map((i) => i.dicom.sopInstanceUid))).toEqual([['3.3', '3.2'], ['3.1']]);
  });

  it('names a case by modality, description and date, never by the patient', () => {
    const facts = inst({}).dicom;
    expect(caseNameForSeries(facts, 1, patient)).toBe('ES · Colonoscopy · 2024-05-02');
    expect(caseNameForSeries({ ...facts, seriesNumber: 2, seriesDescription: 'Withdrawal' }, 2, patient)).toBe('ES · Colonoscopy · 2024-05-02 · series 2 Withdrawal');
    // A description typed with the patient's name in it is left out.
    const name = caseNameForSeries({ ...facts, studyDescription: 'Colo JANE DOE' }, 1, patient);
    expect(name).toBe('ES · 2024-05-02');
    expect(mentionsPatient(name, patient)).toBe(false);
  });

  it('keeps a file name unless it shows the patient', () => {
    expect(safeFileName('IM000001', { instanceNumber: 1, patient })).toBe('IM000001');
    expect(safeFileName('doe_jane_colo.dcm', { instanceNumber: 4, patient })).toBe('instance 4.dcm');
    expect(safeFileName('PAT-0042-1.dcm', { instanceNumber: 1, patient })).toBe('instance 1.dcm');
  });
});
