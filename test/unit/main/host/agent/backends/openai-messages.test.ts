import { describe, expect, it } from 'vitest';
import { runAgent, type SimilarToolResult, type TurnContext } from '../../../../../../main/core/agent/engine/index.js';
import { buildMessages, imageRefs, type ContentPart } from '../../../../../../main/host/agent/backends/openai-messages.js';
import { answer, FakeTools, manualClock, ScriptedBackend, tool } from '../../../../agent/scripted-backend.js';

/** Tools with a picture index that finds two windows like any moment. */
class PictureTools extends FakeTools {
  async findSimilar(): Promise<SimilarToolResult> {
    const windows = [
      { start: 300, end: 306, score: 0.91, time: 302, frame: { time: 302, ref: 'p/302' } },
      { start: 900, end: 904, score: 0.74, time: 902, frame: { time: 902, ref: 'p/902' } },
    ];
    return { windows, unavailable: null };
  }
}

const text = (content: string | ContentPart[]) => (typeof content === 'string' ? content : content.map((p) => (p.type === 'text' ? p.text : `<image ${p.image_url.url}>`)).join('\n'));

describe('what a model reads of find_similar', () => {
  it('is told the playhead, then the windows with their scores and the frame of each', async () => {
    let seen: TurnContext | null = null;
    await runAgent({
      question: 'When else does this happen?',
      backend: new ScriptedBackend([
        tool('find_similar', { t: 750 }),
        (ctx) => {
          seen = ctx;
          return answer('twice');
        },
      ]),
      tools: new PictureTools(1200),
      duration: 1200,
      playhead: 750,
      now: manualClock().now,
    });
    const ctx = seen!;
    const refs = imageRefs(ctx, 20);
    expect(refs.has('p/302') && refs.has('p/902')).toBe(true);
    const images = new Map([...refs].map((r) => [r, `data:${r}`]));
    const messages = buildMessages(ctx, images, { framesPerCrop: 8, maxImages: 20 });
    expect(text(messages[0]!.content)).toContain('find_similar');
    expect(text(messages[1]!.content)).toContain('The player was at 00:12:30.000 (750 s) when this was asked');
    const last = text(messages.at(-1)!.content);
    expect(last).toContain('find_similar: the windows that look like the frame at 00:12:30.000 (750 s).');
    expect(last).toContain('1. 00:05:00.000–00:05:06.000 (300–306 s), score 0.91, most similar at frame at 00:05:02.000 (302 s)');
    expect(last).toContain('<image data:p/902>');
  });
});
