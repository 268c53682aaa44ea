import type { Capabilities, FollowState, PageRole, Viewer, Visibility } from '../../src/protocol/index.js';
import type { MaybeIdentity } from './auth/identity.js';

/** What the rules need to know about a viewer and a page; loaded from storage per request. */
export interface AccessFacts {
  identity: MaybeIdentity;
  visibility: Visibility;
  /** `owner` / `editor` from the page's members, else `null`. */
  member: 'owner' | 'editor' | null;
  follow: FollowState;
}

/**
 * The access rules of SPEC section 3, in one pure function so the socket handlers, the REST
 * API and the revocation sweep can never disagree. A blocked user loses everything on the
 * page, even on a public page, because blocking is the patient's way to keep someone out.
 */
export function capabilities(f: AccessFacts): Capabilities {
  const signedIn = f.identity !== null;
  const staff = f.identity?.staff ?? null;
  const blocked = f.follow === 'blocked' && f.member === null && staff === null;
  const member = f.member !== null;
  const following = f.follow === 'following';

  let read: boolean;
  if (blocked) read = false;
  else if (staff || member) read = true;
  else if (f.visibility === 'public') read = true;
  else if (f.visibility === 'members') read = signedIn;
  else read = following;

  const moderate = signedIn && (member || staff !== null);
  return {
    read,
    postJournal: signedIn && member,
    postWall: signedIn && read && !blocked && (member || following || f.visibility !== 'private'),
    moderate,
    follow: signedIn && !blocked && !member,
    decide: signedIn && (f.member === 'owner' || staff === 'admin'),
  };
}

export function pageRole(f: AccessFacts): PageRole {
  if (f.member) return f.member;
  if (f.follow === 'following') return 'follower';
  return 'visitor';
}

export function viewerOf(f: AccessFacts): Viewer {
  return {
    userId: f.identity?.userId ?? null,
    name: f.identity?.name ?? null,
    role: pageRole(f),
    staff: f.identity?.staff ?? null,
    follow: f.follow,
    can: capabilities(f),
  };
}
