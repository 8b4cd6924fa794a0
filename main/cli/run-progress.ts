import { progressBar } from './output.js';

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

  /** A run picked up from its progress file; `items` names what was answered (questions, records). */
  resumed(e: { reused: number; total: number; progressFile: string }, items: string): void {
    this.line(`Resuming: ${e.reused} of ${e.total} ${items} already answered (${e.progressFile}; --fresh starts over).`);
  }

  /** Indexing reports often; a terminal shows it in place, a log only at the start. */
  video(e: { video: string; stage: string; fraction: number }): void {
    if (this.tty) {
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
