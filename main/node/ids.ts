import { randomBytes } from 'node:crypto';

/** Time-ordered, url-safe ids: sortable by creation, never a path. */
export function newId(): string {
  const time = Date.now().toString(36).padStart(9, '0');
  return time + randomBytes(6).toString('base64url');
}
