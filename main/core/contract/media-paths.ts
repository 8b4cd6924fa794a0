/**
 * Media is addressed by id, never by file path. These are the only shapes the media server
 * (the `app-media://` protocol in Electron, `/media/...` in the Node host) accepts.
 */
export type MediaTarget =
  | { kind: 'part'; partId: string }
  | { kind: 'thumbs'; partId: string; sheet: number }
  | { kind: 'frame'; partId: string; index: number }
  | { kind: 'agent-frame'; partId: string; name: string };

const ID = '([A-Za-z0-9_-]{6,64})';
/** An agent frame's name inside its part: frame index, size and labelled case time (ms). */
const AGENT_FRAME_NAME = '(\\d{1,9}-\\d{1,5}-\\d{1,12})';
const PATTERNS: [RegExp, (m: RegExpExecArray) => MediaTarget][] = [
  [new RegExp(`^/part/${ID}$`), (m) => ({ kind: 'part', partId: m[1]! })],
  [new RegExp(`^/thumbs/${ID}/(\\d{1,5})$`), (m) => ({ kind: 'thumbs', partId: m[1]!, sheet: Number(m[2]) })],
  [new RegExp(`^/frame/${ID}/(\\d{1,9})$`), (m) => ({ kind: 'frame', partId: m[1]!, index: Number(m[2]) })],
  [new RegExp(`^/agent-frame/${ID}/${AGENT_FRAME_NAME}$`), (m) => ({ kind: 'agent-frame', partId: m[1]!, name: m[2]! })],
];

export const mediaPath = {
  part: (partId: string) => `/part/${partId}`,
  thumbs: (partId: string, sheet: number) => `/thumbs/${partId}/${sheet}`,
  frame: (partId: string, index: number) => `/frame/${partId}/${index}`,
  /** `ref` is an agent frame ref (`<partId>/<name>`), as the agent's tools return it. */
  agentFrame: (ref: string) => `/agent-frame/${ref}`,
};

/** Parses the path part of a media URL; anything unexpected (encoded separators, dots) is null. */
export function parseMediaPath(path: string): MediaTarget | null {
  for (const [re, make] of PATTERNS) {
    const m = re.exec(path);
    if (m) return make(m);
  }
  return null;
}
