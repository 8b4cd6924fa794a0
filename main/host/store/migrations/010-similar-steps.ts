/*
 * A find_similar step returns windows (start, end, score, most similar moment, its frame): kept
 * beside the step's frames so a stored run's tool card reads back as it was shown. Null for every
 * other step.
 */
export default /* sql */ `
ALTER TABLE steps ADD COLUMN windows_json TEXT;
`;
