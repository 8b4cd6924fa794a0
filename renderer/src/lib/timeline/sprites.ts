/**
 * Thumbnail sheets as loaded images, shared by the timeline strip and its hover preview. A sheet
 * is fetched once; when it arrives, `onLoad` asks for a redraw.
 */
export class SpriteCache {
  private readonly images = new Map<string, HTMLImageElement>();
  private readonly failed = new Set<string>();

  constructor(
    private readonly toUrl: (src: string) => string,
    private readonly onLoad: () => void,
  ) {}

  /** The image if it is ready to draw; starts loading it otherwise. */
  get(url: string): HTMLImageElement | null {
    let img = this.images.get(url);
    if (!img) {
      if (this.failed.has(url)) return null;
      img = new Image();
      img.decoding = 'async';
      img.onload = () => this.onLoad();
      img.onerror = () => {
        this.failed.add(url);
        this.images.delete(url);
      };
      img.src = this.toUrl(url);
      this.images.set(url, img);
    }
    return img.complete && img.naturalWidth > 0 ? img : null;
  }

  clear(): void {
    this.images.clear();
    this.failed.clear();
  }
}
