/*
 * Evidence may say where the object asked about is at moments of its window (boxes from a model
 * backend answering a spatial question); kept beside the window so a stored answer reads back as
 * it was given. Null for evidence without boxes.
 */
export default /* sql */ `
ALTER TABLE evidence ADD COLUMN boxes_json TEXT;
`;
