/** What the picture index is built with; a stored index of another model is rebuilt. */
export const PICTURE_MODEL = 'MobileNetV2 ImageNet (nsfwjs 4), 224 px, mean of the last convolution';
/** Keyframes closer than this (seconds) are embedded once: a 2 s step matches the thumbnail strip. */
export const PICTURE_SPACING = 2;
