import { demoSpec, generateSyntheticVideo } from '../../node/synthetic/index.js';
import type { JobContext } from './index.js';

/** The demo case: a locally generated endoscope-like recording with a few known events. */
export async function generateDemo(out: string, ctx: JobContext): Promise<{ out: string }> {
  await generateSyntheticVideo(out, demoSpec(), {
    signal: ctx.signal,
    onProgress: (fraction) => ctx.progress({ fraction, stage: 'Generating the demo recording' }),
  });
  return { out };
}
