import type { AppState } from './state/app.svelte.js';
import type { OpenCase } from './state/open-case.svelte.js';

export interface Shortcut {
  keys: string[][];
  label: string;
}

export interface ShortcutGroup {
  title: string;
  items: Shortcut[];
}

const mod = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform) ? '⌘' : 'Ctrl';

/** The keyboard map, as the "?" overlay shows it. */
export const SHORTCUTS: ShortcutGroup[] = [
  {
    title: 'Playback',
    items: [
      { keys: [['Space']], label: 'Play / pause' },
      { keys: [['L']], label: 'Play; press again to play faster' },
      { keys: [['K']], label: 'Pause' },
      { keys: [['J']], label: 'Slower while playing; one frame back while paused (hold to step back)' },
      { keys: [['K', 'J'], ['K', 'L']], label: 'Hold K and tap J or L: one frame back or forward' },
      { keys: [['M']], label: 'Sound on / off' },
    ],
  },
  {
    title: 'Moving',
    items: [
      { keys: [['←'], [',']], label: 'One frame back' },
      { keys: [['→'], ['.']], label: 'One frame forward' },
      { keys: [['Shift', '←'], ['Shift', '→']], label: 'One second back / forward' },
      { keys: [['Home'], ['End']], label: 'Start / end of the case' },
      { keys: [['F']], label: 'Show the frame on screen at full resolution' },
    ],
  },
  {
    title: 'Timeline',
    items: [
      { keys: [['+'], ['−']], label: 'Zoom in / out around the playhead' },
      { keys: [['0']], label: 'Show the whole case' },
      { keys: [[mod, 'wheel']], label: 'Zoom at the pointer' },
      { keys: [['wheel']], label: 'Pan when zoomed in' },
    ],
  },
  {
    title: 'Review',
    items: [
      { keys: [['C'], ['X']], label: 'On a focused evidence card: correct / incorrect' },
      { keys: [['A']], label: 'On a focused evidence card: adjust its window on the timeline' },
      { keys: [['['], [']']], label: 'While adjusting: start / end at the frame on screen' },
      { keys: [['Enter'], ['Esc']], label: 'While adjusting: save / cancel' },
      { keys: [['←'], ['→']], label: 'On a window handle: one frame (with Shift: one second)' },
      { keys: [['I'], ['O']], label: 'Mark the start / end of a range (to export as a clip)' },
      { keys: [['E']], label: 'On a focused evidence card: export a teaching clip' },
    ],
  },
  {
    title: 'Recording',
    items: [
      { keys: [['B']], label: 'Bookmark this moment: the live edge while recording, else the frame on screen (Enter labels it, Esc skips)' },
    ],
  },
  {
    title: 'App',
    items: [
      { keys: [[mod, 'O']], label: 'Open recordings (O too, while no case is open)' },
      { keys: [['Q']], label: 'Ask a question about the case (Enter asks, Esc leaves the box)' },
      { keys: [['S']], label: 'Find moments like the frame on screen, in this case or all cases' },
      { keys: [['/']], label: 'Filter the library' },
      { keys: [[mod, 'B']], label: 'Show / hide the library' },
      { keys: [[mod, ',']], label: 'Settings' },
      { keys: [['?']], label: 'This list of shortcuts' },
      { keys: [['Esc']], label: 'Close a dialog' },
    ],
  },
];

const TEXT_INPUTS = new Set(['text', 'search', 'number', 'email', 'url', 'password', 'tel', 'date', 'time', 'datetime-local', 'month', 'week']);

/** True when the key belongs to what has focus: a text field, a list box, an editable area. */
export function isTyping(target: EventTarget | null, key: string): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) {
    if (TEXT_INPUTS.has(target.type)) return true;
    // A slider keeps its own arrows; radios and checkboxes their Space.
    if (target.type === 'range') return ['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'Home', 'End', 'PageUp', 'PageDown'].includes(key);
    if (target.type === 'checkbox' || target.type === 'radio') return key === ' ';
  }
  return false;
}

/** Elements that Enter activates by themselves. */
function activates(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && target.closest('button, a[href], summary, [role=button], select') !== null;
}

/** Keys of a window being adjusted: [ and ] at the playhead, Enter saves, Esc cancels. */
function editKey(s: OpenCase, e: KeyboardEvent): boolean {
  const r = s.reviews;
  switch (e.key) {
    case '[':
      r.markEdge('start');
      return true;
    case ']':
      r.markEdge('end');
      return true;
    case 'Escape':
      r.cancelAdjust();
      return true;
    case 'Enter':
      // Enter on a button or link keeps its own meaning.
      if (activates(e.target)) return false;
      void r.saveAdjust();
      return true;
    default:
      return false;
  }
}

function modalOpen(): boolean {
  return document.querySelector('dialog[open]') !== null;
}

/**
 * The global shortcuts. They never fire while typing or while a dialog is open (except "?",
 * which toggles its own overlay).
 */
export function installShortcuts(app: AppState, focusFilter: () => void): () => void {
  let kHeld = false;

  const down = (e: KeyboardEvent) => {
    if (e.defaultPrevented || e.isComposing) return;
    if (isTyping(e.target, e.key)) return;
    if (modalOpen()) {
      if (e.key === '?' && app.shortcutsOpen) {
        app.shortcutsOpen = false;
        e.preventDefault();
      }
      return;
    }
    const key = e.key;
    if (e.ctrlKey || e.metaKey) {
      if (e.altKey || e.shiftKey) return;
      if (key === 'b' || key === 'B') app.library.collapsed = !app.library.collapsed;
      else if (key === ',') app.settingsOpen = true;
      else if (key === 'o' || key === 'O') app.importer.show();
      else if (key === '=' || key === '+') app.current?.zoomBy(1.5);
      else if (key === '-') app.current?.zoomBy(1 / 1.5);
      else return;
      e.preventDefault();
      return;
    }
    if (e.altKey) return;
    switch (key) {
      case '?':
        app.shortcutsOpen = true;
        e.preventDefault();
        return;
      case 'o':
      case 'O':
        // With a case open, O marks the end of a range (I the start), as in video editors.
        if (app.current) app.current.setMarkOut();
        else app.importer.show();
        e.preventDefault();
        return;
      case '/':
        app.library.collapsed = false;
        focusFilter();
        e.preventDefault();
        return;
      case 'b':
      case 'B':
        // While recording this marks the recording's live edge, whichever case is open.
        if (!e.repeat) void app.addBookmark();
        e.preventDefault();
        return;
    }
    const s = app.current;
    if (!s) return;
    const p = s.player;
    if (s.reviews.editing && editKey(s, e)) {
      e.preventDefault();
      return;
    }
    switch (key) {
      case ' ':
        if (!e.repeat) p.toggle();
        break;
      case 'k':
      case 'K':
        kHeld = true;
        if (p.playing) p.pause();
        break;
      case 'j':
      case 'J':
        if (kHeld) p.step(-1);
        else p.slower();
        break;
      case 'l':
      case 'L':
        if (kHeld) p.step(1);
        else if (!e.repeat) p.faster();
        break;
      case 'ArrowLeft':
        if (e.shiftKey) p.skip(-1);
        else p.step(-1);
        break;
      case 'ArrowRight':
        if (e.shiftKey) p.skip(1);
        else p.step(1);
        break;
      case ',':
      case '<':
        p.step(-1);
        break;
      case '.':
      case '>':
        p.step(1);
        break;
      case 'Home':
        p.toStart();
        break;
      case 'End':
        p.toEnd();
        break;
      case '+':
      case '=':
        s.zoomBy(1.5);
        break;
      case '-':
      case '_':
        s.zoomBy(1 / 1.5);
        break;
      case '0':
        s.fit();
        break;
      case 'f':
      case 'F':
        void app.showFrame();
        break;
      case 'm':
      case 'M':
        p.setMuted(!p.muted);
        break;
      case 'q':
      case 'Q':
        app.focusQuestion();
        break;
      case 's':
      case 'S':
        app.findSimilar();
        break;
      case 'i':
      case 'I':
        s.setMarkIn();
        break;
      default:
        return;
    }
    e.preventDefault();
  };
  const up = (e: KeyboardEvent) => {
    if (e.key === 'k' || e.key === 'K') kHeld = false;
  };
  const blur = () => (kHeld = false);
  window.addEventListener('keydown', down);
  window.addEventListener('keyup', up);
  window.addEventListener('blur', blur);
  return () => {
    window.removeEventListener('keydown', down);
    window.removeEventListener('keyup', up);
    window.removeEventListener('blur', blur);
  };
}
