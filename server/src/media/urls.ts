import type { MediaItem } from '../../../src/protocol/index.js';
import type { Actor } from '../pages/audit.js';
import type { PageService } from '../pages/service.js';
import type { Payload } from '../socket/validation.js';
import { urlViewerOf, type MediaService } from './service.js';

/**
 * `media:urls {pageId, entryId}` → `{media}`: fresh signed URLs for one entry's photos, for a
 * widget whose URLs expired (or stopped working after the page changed). Readers only; a read
 * of a non-public page is audited like `history:load`.
 */
export async function mediaUrls(service: PageService, media: MediaService, actor: Actor, p: Payload<'media:urls'>): Promise<MediaItem[]> {
  const a = await service.access(p.pageId, actor.identity);
  service.require(a, a.viewer.can.read, 'read this page');
  if (a.page.visibility !== 'public') await service.audit.read(a.page, actor, a.viewer, { media: p.entryId });
  return media.urls(a.page.id, p.entryId, urlViewerOf(a.viewer));
}
