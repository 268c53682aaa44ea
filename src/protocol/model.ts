/** Who may read a page (SPEC section 3). */
export type Visibility = 'public' | 'members' | 'private';

/** A viewer's role on one page. Staff roles come from the token and apply site-wide. */
export type PageRole = 'owner' | 'editor' | 'follower' | 'visitor';
export type StaffRole = 'moderator' | 'admin';

/**
 * A viewer's follow relation to a page. `requested` waits for the owner on a private page;
 * `declined` and `blocked` are the owner's answers.
 */
export type FollowState = 'none' | 'following' | 'requested' | 'declined' | 'blocked';

/** Pre-moderation of the wall: `pre` holds new messages until a moderator approves them. */
export type WallModeration = 'post' | 'pre';

export interface Author {
  id: string;
  name: string;
}

/** What anyone who may read the page learns about it. */
export interface PageInfo {
  id: string;
  title: string;
  visibility: Visibility;
  wallModeration: WallModeration;
  followerCount: number;
}

/**
 * What a viewer who may NOT read the page learns: that it exists, how it is shared and the
 * public follower count. No title, no content.
 */
export interface PageTeaser {
  id: string;
  visibility: Visibility;
  followerCount: number;
}

/** What the viewer may do, computed by the server so widgets never re-derive access rules. */
export interface Capabilities {
  read: boolean;
  postJournal: boolean;
  postWall: boolean;
  moderate: boolean;
  follow: boolean;
  decide: boolean;
}

export interface Viewer {
  /** `null` for an anonymous visitor. */
  userId: string | null;
  name: string | null;
  role: PageRole;
  staff: StaffRole | null;
  follow: FollowState;
  can: Capabilities;
}

export interface JournalEntry {
  id: string;
  pageId: string;
  /** The page `seq` of the change that created it: the cursor for history paging. */
  seq: number;
  title: string;
  body: string;
  author: Author;
  createdAt: string;
  editedAt: string | null;
}

export interface WallMessage {
  id: string;
  pageId: string;
  seq: number;
  body: string;
  author: Author;
  createdAt: string;
  /** Hidden by a moderator: only moderators receive hidden messages. */
  hidden: boolean;
  /** Waiting for approval under pre-moderation: only the author and moderators see it. */
  pending: boolean;
  hearts: number;
  /** Whether the receiving viewer hearted it; absent in broadcasts (keep the local value). */
  hearted?: boolean;
}

export interface FollowRequest {
  userId: string;
  name: string;
  at: string;
}

export type Stream = 'journal' | 'wall';

/** Everything a reader needs to render a page from scratch. */
export interface PageSnapshot {
  journal: JournalEntry[];
  journalHasMore: boolean;
  wall: WallMessage[];
  wallHasMore: boolean;
  /** Pending follow requests; present for viewers who may decide them. */
  requests?: FollowRequest[];
}
