/*
 * What a clinician's question asks the scout for: which event (bleeding, smoke, out-of-body,
 * idle), which occurrence (first, last, all, the main one) and what about it (when, start, end,
 * how long, how many). The scout only reads the index tracks, so anything that needs seeing
 * instruments, anatomy or causes is declined here, before any tool is called: an honest "I cannot
 * see that" is worth more than a window that merely happens to exist.
 */

import { readRelation, type Relation } from './relation.js';

export const EVENT_KINDS = ['bleeding', 'smoke', 'outOfBody', 'idle'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

/** Which occurrence: `best` is the main one (strongest; longest for idle). */
export type Occurrence = 'first' | 'last' | 'all' | 'best';

/** What the question wants to know about the occurrence(s). */
export type Ask = 'when' | 'start' | 'end' | 'duration' | 'total' | 'count' | 'exists';

export interface EventIntent {
  kind: 'event';
  event: EventKind;
  occurrence: Occurrence;
  ask: Ask;
  /** A clause the scout cannot place in time ("before clipping"), to be owned up to in the answer. */
  context: string | null;
  /** Another event that places this one ("after the camera goes back in"), found on the same labelling. */
  relation: Relation | null;
}

export interface DeclineIntent {
  kind: 'decline';
  /** What the question needs that the tracks cannot show, in words ("instruments"). */
  needs: string;
}

export type Intent = EventIntent | DeclineIntent;

/** What a question that names no known event is said to need. */
export const GENERIC_NEED = 'what the question asks about';

/*
 * The usual clinical ways of naming each event. Matched on a normalised question (lower case,
 * hyphens as spaces), so "out-of-body" and "out of body" are one phrase.
 */
const EVENT_PATTERNS: Record<EventKind, RegExp[]> = {
  bleeding: [
    /\bbleed\w*/,
    /\bblood\w*/,
    /\bha?emorr?ha\w*/,
    /\booz(e|es|ed|ing)\b/,
    /\bha?emosta\w*/,
    /\bexsanguin\w*/,
  ],
  smoke: [
    /\bsmok\w*/,
    /\bplumes?\b/,
    /\bhaz(e|y|iness)\b/,
    /\bfog\w*/,
    /\bvapou?rs?\b/,
    /\bmisty?\b/,
    /\bsteam\w*/,
    /\bcloud(y|ed|ing)\b/,
    /\bobscur\w*/,
    /\b(poor|reduced|low|lost|loss of|drop in|limited|impaired) (visibility|vision)\b/,
    /\bvisibility (drops?|dropped|is poor|was poor|worsens|worsened|is lost|was lost|is reduced|was reduced)\b/,
  ],
  outOfBody: [
    /\bout of (the )?(body|patient|abdomen|cavity)\b/,
    /\boutside (of )?(the )?(body|patient|abdomen|cavity)\b/,
    /\b(scope|camera|laparoscope|endoscope|optic)s? (is |was |gets? |got |being |been )?(out|withdrawn|removed|pulled|taken out|extracted|retracted|outside)\b/,
    /\b(withdraw\w*|remov\w*|pull\w* out|tak\w* out|extract\w*) (of )?(the )?(scope|camera|laparoscope|endoscope|optic)/,
    /\blens (clean\w*|wip\w*)/,
    /\b(clean\w*|wip\w*) (of )?(the )?(lens|scope|camera|optic)/,
    /\bex ?vivo\b/,
    /\b(leav\w*|exit\w*) (of )?(the )?(body|patient|abdomen|cavity)\b/,
    /\b(scope|camera|laparoscope|endoscope|optic)s? (\w+ )?(back in|back inside|reinserted|re inserted|re entered|returns?|returned|comes back|came back)\b/,
    /\breinsert\w* (of )?(the )?(scope|camera|laparoscope|endoscope|optic)/,
    /\b(scope|camera|laparoscope|endoscope|optic) (withdrawal|removal|extraction|exit)\b/,
    /\b(scope|camera|laparoscope|endoscope|optic)s? (comes?|came|coming|goes|went|going|is taken|was taken|taken) (out|outside)\b/,
  ],
  idle: [
    /\bpaus\w*/,
    /\bidl\w*/,
    /\bstatic\b/,
    /\bnothing (is |was )?(moving|moves|move|moved|happening|happens|happen|happened)\b/,
    /\bno (activity|movement|motion|action|progress)\b/,
    /\binactiv\w*/,
    /\bwait\w*/,
    /\bstand ?still\b|\bstood still\b|\bheld still\b|\bstands still\b/,
    /\bmotionless\b/,
    /\bstationary\b/,
    /\bbreaks?\b/,
    /\bdowntime\b/,
  ],
};

/*
 * What the tracks cannot show. Checked on the main clause only: "the pause before clipping" asks
 * about a pause (the clipping is context), "which instrument stops the bleeding" about an
 * instrument.
 */
const BEYOND_TRACKS: { pattern: RegExp; needs: string }[] = [
  {
    pattern:
      /\b(instruments?|tools?|graspers?|forceps|scissors|clip appliers?|staplers?|hooks?|trocars?|needles?|sutures?|devices?|retractors?|suction|irrigat\w*)\b/,
    needs: 'instruments',
  },
  {
    pattern:
      /\b(gall ?bladder|liver|ducts?|arter(y|ies|ial)|veins?|venous|vessels?|organs?|tissues?|anatomy|anatomical|structures?|bowel|colon|appendix|uterus|ovar(y|ies)|tumou?rs?|lesions?|nodes?|pulsatil\w*)\b/,
    needs: 'anatomy',
  },
  { pattern: /\bcritical view\b|\bcvs\b|\bphases?\b|\bsteps?\b|\bstages?\b|\bprocedure\b/, needs: 'surgical steps' },
  { pattern: /\bperforat\w*|\binjur\w*|\bdamag\w*|\bleak\w*|\bspill\w*|\btear\w*|\bbile\b/, needs: 'injuries' },
  { pattern: /\bwhy\b|\bcaus(e|ed|es|ing)\b|\bsource\b|\bcom(e|es|ing) from\b|\bresponsible\b/, needs: 'causes' },
  { pattern: /\bhow (much|severe|bad|serious|heavy)\b(?! time)|\bvolume\b|\bamount\b|\bseverity\b/, needs: 'amounts' },
  { pattern: /\bwho\b/, needs: 'people' },
];

/* "The pause before clipping": the clause from the first such word on is context, not the subject. */
const CONTEXT_CLAUSE = /\b(before|after|during|while|until|following|prior to|once|when the)\b.*$/;

const DURATION = /\bhow long\b|\bduration\b|\bhow many (seconds|minutes|secs|mins)\b|\bhow much time\b|\blength of\b/;
/* "How long after the incision does..." asks for a time, not a duration. */
const RELATIVE_TIME = /\bhow long (after|before|into|since|until)\b/;
const TOTAL = /\b(in total|total|altogether|overall|combined|cumulative|summed)\b/;
const COUNT = /\bhow (many|often)\b|\bnumber of\b|\bcount\b|\bfrequency\b/;
const ALL = /\b(every|each|all|list|episodes|occurrences|instances|times|periods|moments)\b/;
const EXISTS = /^(is|are|was|were|does|did|do|has|have|had|any)\b|\bany\b/;
const FIRST = /\b(first|earliest|initial\w*|onset)\b/;
const START = /\b(start\w*|begin\w*|onset|appear\w*|commenc\w*|set in|sets in|arise\w*)\b/;
const END = /\b(stop\w*|ends?(?! of)|ended|ending|finish\w*|ceas\w*|resolv\w*|clear\w*|controlled|over|back in|return\w*|reinsert\w*|resum\w*)\b/;
/* "last" the occurrence, not "how long did it last". */
const LAST = /\b(final|latest|most recent|end of the (case|video|recording|operation))\b|\b(the|its|very) last\b|\blast (time|one|episode|occurrence|instance|period|moment)\b/;
const LAST_LOOSE = /\blast\b/;

/*
 * Ways of saying an event that would otherwise read as something else: "the instruments are
 * still" is a pause, not a question about instruments; "stop operating" is when a pause begins,
 * not an end; "in the procedure" is the whole case, not a surgical step.
 */
const SAYINGS: [RegExp, string][] = [
  [/(?<!\b(which|what|whose) )\b(instruments?|tools?|hands?|surgeons?|operators?|team) (are |is |were |was |stay |stays |stayed |remain |remains |remained |held |kept )?(still|idle|motionless|stationary|not moving|at rest)\b/g, 'nothing moves'],
  [/\b(stop|stops|stopped|stopping|halt|halts|halted|cease|ceases|ceased) (operating|working|moving|the (surgery|operation|work))\b/g, 'pause'],
  [/\b(halt|halts|halted|halting|standstill|stand still|freeze|freezes|froze|frozen|freezing)\b/g, 'pause'],
  [/\bno (surgical |operative )?(activity|movement|motion|action|progress|work)\b/g, 'no activity'],
  [/(?<!\b(end|start|beginning|middle|rest|half|part|phase|step|stage) )\b(in|during|throughout|of|for|over) (the|this) (whole |entire )?(procedure|operation|surgery|case|video|recording)\b/g, 'in the case'],
];

function withSayings(text: string): string {
  return SAYINGS.reduce((t, [pattern, plain]) => t.replace(pattern, plain), text);
}

/** A question in lower case, hyphens as spaces, without punctuation: what the patterns are matched on. */
export function normalise(question: string): string {
  return withSayings(
    question
      .toLowerCase()
      .replace(/[-_/]/g, ' ')
      .replace(/[?!.,;:"'()]/g, ' ')
      .replace(/\s+/g, ' ')
      .trim(),
  );
}

/** As `normalise`, keeping clause breaks as " , ": "After the pause, is there smoke?". */
function normaliseClauses(question: string): string {
  return withSayings(
    question
      .toLowerCase()
      .replace(/[-_/]/g, ' ')
      .replace(/[,;:]/g, ' , ')
      .replace(/[?!."'()]/g, ' ')
      .replace(/\s+/g, ' ')
      .trim(),
  );
}

/** Every event word in `text`, in order; overlapping matches keep the earlier (then longer) one. */
export function eventMentions(text: string): { kind: EventKind; at: number; length: number }[] {
  const all: { kind: EventKind; at: number; length: number }[] = [];
  for (const kind of EVENT_KINDS) {
    for (const pattern of EVENT_PATTERNS[kind]) {
      const re = new RegExp(pattern.source, 'g');
      for (let m = re.exec(text); m; m = re.exec(text)) {
        all.push({ kind, at: m.index, length: m[0].length });
        if (m[0].length === 0) re.lastIndex++;
      }
    }
  }
  all.sort((a, b) => a.at - b.at || b.length - a.length);
  const out: typeof all = [];
  for (const h of all) {
    const prev = out.at(-1);
    if (prev && h.at < prev.at + prev.length) continue;
    out.push(h);
  }
  return out;
}

/** The event named earliest in `text` (English puts the subject first), or null. */
function findEvent(text: string): EventKind | null {
  let best: { kind: EventKind; at: number } | null = null;
  for (const kind of EVENT_KINDS) {
    for (const pattern of EVENT_PATTERNS[kind]) {
      const m = pattern.exec(text);
      if (m && (best === null || m.index < best.at)) best = { kind, at: m.index };
    }
  }
  return best?.kind ?? null;
}

/** Whether a question names an event the tracks show (similar-moments questions that do are left to them). */
export function namesEvent(question: string): boolean {
  return findEvent(normalise(question)) !== null;
}

function occurrenceAndAsk(text: string): { occurrence: Occurrence; ask: Ask } {
  const duration = DURATION.test(text) && !RELATIVE_TIME.test(text);
  // After "how long", a bare "last" is the verb ("did it last"); elsewhere it is the occurrence.
  const last = LAST.test(text) || (!duration && LAST_LOOSE.test(text));
  const boundary: Ask | null = END.test(text) ? 'end' : START.test(text) ? 'start' : null;
  if (duration && TOTAL.test(text)) return { occurrence: 'all', ask: 'total' };
  if (last) return { occurrence: 'last', ask: duration ? 'duration' : (boundary ?? 'when') };
  if (FIRST.test(text)) return { occurrence: 'first', ask: duration ? 'duration' : (boundary ?? 'start') };
  if (COUNT.test(text) && !duration) return { occurrence: 'all', ask: 'count' };
  if (ALL.test(text) && !duration) return { occurrence: 'all', ask: 'when' };
  if (duration) return { occurrence: 'best', ask: 'duration' };
  if (boundary) return { occurrence: 'first', ask: boundary };
  if (EXISTS.test(text)) return { occurrence: 'all', ask: 'exists' };
  return { occurrence: 'all', ask: 'when' };
}

/**
 * Reads a question. `previous` is the conversation's earlier questions, newest last: a follow-up
 * such as "and the last one?" names no event and means the one asked about before.
 */
export function parseIntent(question: string, previous: readonly string[] = []): Intent {
  const related = readRelation(normaliseClauses(question), eventMentions);
  if (related) {
    const main = normalise(related.main);
    const beyond = BEYOND_TRACKS.find((b) => b.pattern.test(main));
    if (beyond) return { kind: 'decline', needs: beyond.needs };
    const r = related.relation;
    if (r.kind === 'order') return { kind: 'event', event: r.events[0], occurrence: 'first', ask: 'start', context: null, relation: r };
    const event = findEvent(main) ?? (r.kind === 'delay' ? null : findEvent(normalise(question)));
    if (event !== null) {
      const base = occurrenceAndAsk(main);
      // "How long after X was Y": when Y happens (the first after X), not how long Y lasts.
      const asked = r.kind === 'delay' ? { occurrence: 'first' as const, ask: 'start' as const } : base;
      return { kind: 'event', event, ...asked, context: null, relation: r };
    }
  }
  const text = normalise(question);
  const clause = CONTEXT_CLAUSE.exec(text);
  const main = clause && clause.index > 0 ? text.slice(0, clause.index).trim() : text;
  const context = clause && clause.index > 0 ? clause[0].trim() : null;

  const beyond = BEYOND_TRACKS.find((b) => b.pattern.test(main));
  if (beyond) return { kind: 'decline', needs: beyond.needs };

  let event = findEvent(main) ?? findEvent(text);
  if (event === null) {
    for (let i = previous.length - 1; i >= 0 && event === null; i--) {
      const earlier = parseIntent(previous[i]!);
      if (earlier.kind === 'event') event = earlier.event;
    }
    // A follow-up must at least ask something the scout answers ("and the last one?").
    if (event !== null && !(LAST_LOOSE.test(text) || FIRST.test(text) || COUNT.test(text) || DURATION.test(text) || ALL.test(text))) {
      event = null;
    }
  }
  if (event === null) return { kind: 'decline', needs: GENERIC_NEED };

  // The context clause is kept only when it names something other than the asked event.
  const contextEvent = context !== null ? findEvent(context) : null;
  const keptContext = context !== null && contextEvent !== event && findEvent(main) !== null ? context : null;
  return { kind: 'event', event, ...occurrenceAndAsk(main), context: keptContext, relation: null };
}
