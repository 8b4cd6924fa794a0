import { progressBar } from './output.js';

/** What every evaluation run reports alike: resuming from its progress file, a video being indexed. */
export type CommonRunEvent =
  | { type: 'resume'; reused: number; total: number; progressFile: string }
  | { type: 'video'; video: string; stage: string; fraction: number };

/**
 * The progress of a long evaluation run on stderr, shared by `opscope eval` and its MedVidBench
 * format: a line per event, the video being indexed shown in place on a terminal.
 */
export class RunProgress {
  private transient = false;

  constructor(
    private readonly write: (t: string) => void,
    private readonly tty: boolean,
  ) {}

  /** `items` names what a run answers (questions, records). */
  common(e: CommonRunEvent, items: string): void {
    if (e.type === 'resume') {
      this.line(`Resuming: ${e.reused} of ${e.total} ${items} already answered (${e.progressFile}; --fresh starts over).`);
    } else if (this.tty) {
      // Indexing reports often; a terminal shows it in place, a log only at the start.
      this.write(`\r\x1b[2K${progressBar(e.fraction)} ${e.video}: ${e.stage} ${Math.round(e.fraction * 100)}%`);
      this.transient = true;
    } else if (e.fraction === 0) this.line(`${e.video}: ${e.stage.toLowerCase()}…`);
  }

  line(text: string): void {
    this.done();
    this.write(`${text}\n`);
  }

  /** Clears a line shown in place, so what is printed next starts clean. */
  done(): void {
    if (this.transient) this.write('\r\x1b[2K');
    this.transient = false;
  }
}
