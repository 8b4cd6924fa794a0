/** What keeps the window from capturing, said plainly (no DOM: the caller says what the window offers). */

export interface CaptureProblem {
  kind: 'unsupported' | 'no-recorder' | 'no-device' | 'denied' | 'busy' | 'failed';
  title: string;
  message: string;
}

/** What this window offers for capturing. */
export interface CaptureAbility {
  /** navigator.mediaDevices.getUserMedia exists. */
  cameras: boolean;
  /** MediaRecorder exists. */
  recorder: boolean;
  /** The recorder type chosen for this window (null: it can write none of ours). */
  mimeType: string | null;
  /** The desktop app (permission is given in the operating system, not the browser). */
  desktop: boolean;
}

const BROWSERS = 'Use the desktop app, or a current Chromium, Chrome, Edge or Firefox.';

/** Why this window cannot capture at all, or null when it can. */
export function capabilityProblem(can: CaptureAbility): CaptureProblem | null {
  if (!can.cameras) {
    return {
      kind: 'unsupported',
      title: 'This window cannot use cameras',
      message: can.desktop
        ? 'The desktop app could not reach the media devices of this computer.'
        : `This browser does not offer cameras to the page (they are only offered on a secure page such as http://127.0.0.1). ${BROWSERS}`,
    };
  }
  if (!can.mimeType) {
    return {
      kind: 'no-recorder',
      title: 'This window cannot record video',
      message: can.recorder ? `The browser cannot write WebM or Matroska video. ${BROWSERS}` : `MediaRecorder is missing here. ${BROWSERS}`,
    };
  }
  return null;
}

export function noDevice(): CaptureProblem {
  return {
    kind: 'no-device',
    title: 'No camera or capture device found',
    message: 'Connect the capture card (or camera) that carries the endoscope picture, then look again.',
  };
}

/** A device that could not be opened (`kind` from captureErrorKind), with the engine's own message for the rest. */
export function openProblem(kind: 'denied' | 'no-device' | 'busy' | 'failed', desktop: boolean, message: string): CaptureProblem {
  switch (kind) {
    case 'denied':
      return {
        kind,
        title: 'Permission to use the camera was refused',
        message: desktop
          ? 'Opscope was not allowed to open the capture device. Check the operating system’s camera privacy settings for Opscope, then look again.'
          : 'The browser refused access to the camera. Allow camera access for this page (the camera icon in the address bar), then look again.',
      };
    case 'no-device':
      return noDevice();
    case 'busy':
      return {
        kind,
        title: 'The device could not be opened',
        message: 'It is in use by another program (or another window), or it stopped responding. Close the other program, or unplug and plug the device back in, then look again.',
      };
    default:
      return { kind, title: 'The device could not be opened', message };
  }
}
