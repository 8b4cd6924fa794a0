/** Shows a live stream in a <video> (an attachment: `{@attach streamTo(stream)}`). */
export function streamTo(stream: MediaStream | null): (el: HTMLVideoElement) => () => void {
  return (el) => {
    el.muted = true;
    el.srcObject = stream;
    if (stream) {
      el.play().catch(() => {
        // Interrupted by the next stream; the element plays when it has one.
      });
    }
    return () => {
      if (el.srcObject === stream) el.srcObject = null;
    };
  };
}
