/*
 * Recognises protocol tags at a '<' in streamed text. Tags are matched loosely (case, spaces,
 * '_'/'-' inside the name, a few synonyms) because small models drift; the answer can be "wait":
 * the text so far is a prefix of a tag that the next chunk may complete.
 */

export type BlockName = 'think' | 'tool_call' | 'answer';

export type TagMatch =
  | { kind: 'tag'; name: BlockName; closing: boolean; length: number }
  /** An end-of-turn or other special token (`<|im_end|>`, `</s>`): dropped, and it ends any open block. */
  | { kind: 'stop'; length: number }
  /** The text ends before the tag could be decided. */
  | { kind: 'partial' }
  /** A literal '<'. */
  | { kind: 'none' };

// Keys are names lowercased with spaces, '_' and '-' removed.
const BLOCKS: Record<string, BlockName> = {
  think: 'think',
  thinking: 'think',
  toolcall: 'tool_call',
  functioncall: 'tool_call',
  answer: 'answer',
  finalanswer: 'answer',
};
const STOPS = new Set(['eos', 'eot', 'endofturn', 'endoftext']);
// '</s>' is the Llama/Mistral end of sequence; '<s>' is left alone (it is also an HTML tag).
const CLOSING_ONLY_STOPS = new Set(['s']);
const KNOWN = [...Object.keys(BLOCKS), ...STOPS, ...CLOSING_ONLY_STOPS];

/** Longest text a tag may span; beyond it a '<' is literal, so a stray '<' never holds output long. */
export const MAX_TAG_LENGTH = 32;

const isWs = (c: string) => c === ' ' || c === '\t' || c === '\n' || c === '\r';
const isAlnum = (c: string) => /[A-Za-z0-9]/.test(c);

/** Matches the tag starting at `s[i]`, which must be '<'. */
export function matchTag(s: string, i: number): TagMatch {
  const n = s.length;
  const limit = i + MAX_TAG_LENGTH;
  let j = i + 1;
  if (s.charAt(j) === '|') return matchSpecialToken(s, i);
  while (j < n && j < limit && isWs(s.charAt(j))) j++;
  if (j >= n) return { kind: 'partial' };
  let closing = false;
  if (s.charAt(j) === '/') {
    closing = true;
    j++;
    while (j < n && j < limit && isWs(s.charAt(j))) j++;
  }
  let name = '';
  for (; j < n && j < limit; j++) {
    const c = s.charAt(j);
    if (c === '>') break;
    if (isAlnum(c)) {
      name += c.toLowerCase();
      if (!KNOWN.some((k) => k.startsWith(name))) return { kind: 'none' };
    } else if (c !== '_' && c !== '-' && !isWs(c)) return { kind: 'none' };
  }
  if (j >= limit) return { kind: 'none' };
  if (j >= n) return { kind: 'partial' };
  const length = j + 1 - i;
  const block = BLOCKS[name];
  if (block) return { kind: 'tag', name: block, closing, length };
  if (STOPS.has(name) || (closing && CLOSING_ONLY_STOPS.has(name))) return { kind: 'stop', length };
  return { kind: 'none' };
}

// `<|im_end|>`, `<|endoftext|>`, `<|eot_id|>`, `<|im_start|>`…: chat-template tokens never belong
// inside a block, so any of them ends one.
function matchSpecialToken(s: string, i: number): TagMatch {
  const limit = i + MAX_TAG_LENGTH;
  let k = i + 2;
  while (k < s.length && k < limit && /[A-Za-z0-9_]/.test(s.charAt(k))) k++;
  if (k >= limit) return { kind: 'none' };
  if (k >= s.length) return { kind: 'partial' };
  if (s.charAt(k) !== '|' || k === i + 2) return { kind: 'none' };
  if (k + 1 >= s.length) return { kind: 'partial' };
  return s.charAt(k + 1) === '>' ? { kind: 'stop', length: k + 2 - i } : { kind: 'none' };
}
