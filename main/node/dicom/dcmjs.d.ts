// dcmjs ships JavaScript only; these are the parts Opscope uses.
declare module 'dcmjs' {
  type Dataset = Record<string, { vr?: string; Value?: unknown[] } | undefined>;
  interface ReadOptions {
    ignoreErrors?: boolean;
    untilTag?: string | null;
    includeUntilTagValue?: boolean;
  }
  class DicomDict {
    constructor(meta: Dataset);
    meta: Dataset;
    dict: Dataset;
    write(options?: { allowInvalidVRLength?: boolean; fragmentMultiframe?: boolean }): ArrayBuffer;
  }
  const dcmjs: {
    data: {
      DicomMessage: { readFile(buffer: ArrayBuffer, options?: ReadOptions): DicomDict };
      DicomMetaDictionary: {
        naturalizeDataset(dataset: Dataset): Record<string, unknown>;
        denaturalizeDataset(dataset: Record<string, unknown>): Dataset;
        uid(): string;
      };
      DicomDict: typeof DicomDict;
    };
    log: { setLevel(level: string): void };
  };
  export default dcmjs;
}
