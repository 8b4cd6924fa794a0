/*
 * Which window feeds a capture recording: windows of the app talk over a BroadcastChannel. A
 * window asks "who feeds this recording?", the owner answers "me"; a window taking the recording
 * over says "taken" and the old owner lets go of the device. No DOM here: the messages and what a
 * window does on each.
 */

export type ChannelMessage =
  | { type: 'who'; recordingId: string }
  | { type: 'me'; recordingId: string }
  | { type: 'taken'; recordingId: string };

/** A message from another window, or null when it is not one of ours (another app version, a stray post). */
export function channelMessage(data: unknown): ChannelMessage | null {
  if (typeof data !== 'object' || data === null) return null;
  const { type, recordingId } = data as Record<string, unknown>;
  if ((type !== 'who' && type !== 'me' && type !== 'taken') || typeof recordingId !== 'string') return null;
  return { type, recordingId };
}

/** What this window does on a message: answer that it feeds the recording, let go of it, or nothing. */
export function replyTo(m: ChannelMessage, here: { recordingId: string | null; owner: boolean }): 'say-me' | 'let-go' | null {
  if (!here.owner || here.recordingId === null || m.recordingId !== here.recordingId) return null;
  if (m.type === 'who') return 'say-me';
  if (m.type === 'taken') return 'let-go';
  return null;
}
