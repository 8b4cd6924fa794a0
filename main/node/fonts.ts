import { accessSync, constants } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { OpscopeError } from '../core/errors.js';

const localRequire = createRequire(import.meta.url);

/**
 * The TrueType font burned captions and title cards are drawn with: DejaVu Sans from the
 * `dejavu-fonts-ttf` package (Bitstream Vera licence, DejaVu changes public domain), so the
 * pixels are the same on every machine; system fonts differ or are missing. OPSCOPE_CAPTION_FONT
 * names another TTF/OTF file.
 */
export function captionFontFile(env: NodeJS.ProcessEnv = process.env): string {
  const tried: string[] = [];
  const fromEnv = env.OPSCOPE_CAPTION_FONT;
  if (fromEnv) {
    if (readable(fromEnv)) return fromEnv;
    throw new OpscopeError('unavailable', `OPSCOPE_CAPTION_FONT=${fromEnv} is not a readable font file.`);
  }
  try {
    const dir = dirname(localRequire.resolve('dejavu-fonts-ttf/package.json'));
    // Inside a packaged app the font is unpacked next to the asar archive: ffmpeg cannot read the archive.
    const file = join(dir, 'ttf', 'DejaVuSans.ttf').replace(/app\.asar([\\/])/, 'app.asar.unpacked$1');
    if (readable(file)) return file;
    tried.push(file);
  } catch {
    tried.push('dejavu-fonts-ttf (not installed)');
  }
  throw new OpscopeError(
    'unavailable',
    `No font for burned captions was found (tried ${tried.join('; ')}). Reinstall with npm install, or set OPSCOPE_CAPTION_FONT to a TTF file.`,
  );
}

function readable(p: string): boolean {
  try {
    accessSync(p, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}
