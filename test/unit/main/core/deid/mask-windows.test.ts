import { describe, expect, it } from 'vitest';
import { JOIN_GAP, MAX_WINDOWS, planMaskWindows } from '../../../../../main/core/deid/mask-windows.js';
import { joinRows, maskChains } from '../../../../../main/worker/media/deid-filters.js';

describe('mask windows', () => {
  it('keeps masks showing over most of the segment on its picture and gives short ones windows', () => {
    const plan = planMaskWindows([{ from: 0, to: 60 }, { from: 10, to: 12 }, { from: 40, to: 45 }], 60);
    expect(plan.onMain).toEqual([0]);
    expect(plan.windows).toEqual([{ from: 10, to: 12, members: [1] }, { from: 40, to: 45, members: [2] }]);
  });

  it('lets masks close in time share a window', () => {
    const plan = planMaskWindows([{ from: 30, to: 34 }, { from: 10, to: 12 }, { from: 12 + JOIN_GAP - 0.5, to: 20 }], 100);
    expect(plan.windows).toEqual([{ from: 10, to: 20, members: [1, 2] }, { from: 30, to: 34, members: [0] }]);
  });

  it('opens no more than a few windows, joining the closest first', () => {
    const spans = Array.from({ length: MAX_WINDOWS + 3 }, (_, k) => ({ from: k * 10 + (k === 4 ? 1 : 0), to: k * 10 + 3 }));
    const plan = planMaskWindows(spans, 1000);
    expect(plan.windows.length).toBe(MAX_WINDOWS);
    expect(plan.windows.flatMap((w) => w.members).sort((a, b) => a - b)).toEqual(spans.map((_, i) => i));
    for (const w of plan.windows) for (const m of w.members) expect(spans[m]!.from >= w.from && spans[m]!.to <= w.to).toBe(true);
  });

  it('works every mask on the picture once the clip has opened all the windows it may', () => {
    expect(planMaskWindows([{ from: 10, to: 12 }, { from: 40, to: 45 }], 60, 0)).toEqual({ onMain: [0, 1], windows: [] });
    expect(planMaskWindows([{ from: 10, to: 12 }, { from: 40, to: 45 }], 60, 1).windows).toEqual([{ from: 10, to: 45, members: [0, 1] }]);
  });

  it('works every mask on the picture when windows would cover the whole segment anyway', () => {
    const plan = planMaskWindows([{ from: 0, to: 3 }, { from: 4, to: 7 }, { from: 8, to: 10 }], 10);
    expect(plan).toEqual({ onMain: [0, 1, 2], windows: [] });
  });

  it('cuts each window from its own decode and keeps the last smear on if it ends early', () => {
    const opened: number[] = [];
    const chains = maskChains({
      input: 'in', output: 'out', width: 960, height: 540, cardText: null, tag: 'x',
      deidentify: { mask: 'blur', outOfBody: 'blur', people: 'blur', cardText: '' },
      masks: { width: 960, height: 540, outOfBody: [], regions: [{ box: [10, 10, 100, 30], from: 0, to: 60 }], people: [{ box: [100, 40, 240, 480], from: 20, to: 23 }] },
      windows: { duration: 60, last: 59.9, max: 6, open: (from) => (opened.push(from), `win${opened.length}`) },
    })!.join(';');
    expect(opened).toEqual([19.95]);
    expect(chains).toContain('[win1]trim=start=19.950000:end=23.050000,split=1[xw0_0]');
    expect(chains).toContain('[xw0_0]crop=240:480:100:40,scale=6:12:flags=area');
    expect(chains).toMatch(/overlay=x=100:y=40:eof_action=repeat:enable=between\(t\\,19\.999900\\,22\.999900\)/);
    // The text showing all through is cut from the picture itself.
    expect(chains).toContain('[in]split=2[xtm][xtc0]');
  });
});

describe('masks joined into one rectangle', () => {
  it('joins boxes of one span that make exactly a rectangle, and nothing else', () => {
    const banner = [
      { box: [4, 6, 468, 86] as [number, number, number, number], from: 0, to: 60 },
      { box: [454, 6, 338, 86] as [number, number, number, number], from: 0, to: 60 },
      { box: [768, 6, 298, 86] as [number, number, number, number], from: 0, to: 60 },
    ];
    expect(joinRows(banner)).toEqual([{ box: [4, 6, 1062, 86], from: 0, to: 60 }]);
    // Another span, another row height, or a gap between them: kept apart.
    const apart = [
      { box: [0, 0, 100, 20] as [number, number, number, number], from: 0, to: 5 },
      { box: [100, 0, 100, 20] as [number, number, number, number], from: 0, to: 6 },
      { box: [200, 0, 100, 22] as [number, number, number, number], from: 0, to: 6 },
      { box: [310, 0, 100, 22] as [number, number, number, number], from: 0, to: 6 },
    ];
    expect(joinRows(apart)).toEqual(apart);
    // One column, stacked.
    expect(joinRows([{ box: [10, 0, 50, 20], from: 1, to: 2 }, { box: [10, 20, 50, 30], from: 1, to: 2 }])).toEqual([{ box: [10, 0, 50, 50], from: 1, to: 2 }]);
  });
});
