/**
 * React wrappers (`care-widgets/react`), made with `@lit/react`: typed props for every
 * property and typed `onCare…` callbacks for every event. Importing this module defines the
 * elements. React is a peer dependency (>=18), so the app's own copy is used; the tests run React 19.
 *
 * ```tsx
 * import { CareJournalFeed } from 'care-widgets/react';
 * <CareJournalFeed page="jane-doe" tokenUrl="/care/token" onCarePosted={(e) => console.log(e.detail.item)} />
 * ```
 */
import { createComponent, type EventName } from '@lit/react';
import * as React from 'react';
import { CarePage as CarePageElement } from '../components/care-page/define.js';
import { CareFollowButton as CareFollowButtonElement } from '../components/follow-button/define.js';
import { CareJournalFeed as CareJournalFeedElement } from '../components/journal-feed/define.js';
import { CareMessageWall as CareMessageWallElement } from '../components/message-wall/define.js';
import { CarePageSettings as CarePageSettingsElement } from '../components/page-settings/define.js';
import { CareHelpPlanner as CareHelpPlannerElement } from '../components/help-planner/define.js';
import type { CareConnectionChangeEvent, CareErrorEvent, CareFollowChangeEvent, CarePostedEvent } from '../events.js';

/** The events every widget fires, as React props. */
const widgetEvents = {
  onCareConnectionChange: 'care-connection-change' as EventName<CareConnectionChangeEvent>,
  onCareError: 'care-error' as EventName<CareErrorEvent>,
};
/** The journal and the wall also announce the visitor's acknowledged posts. */
const postingEvents = { ...widgetEvents, onCarePosted: 'care-posted' as EventName<CarePostedEvent> };

export const CareJournalFeed = createComponent({
  react: React,
  tagName: 'care-journal-feed',
  elementClass: CareJournalFeedElement,
  events: postingEvents,
  displayName: 'CareJournalFeed',
});

export const CareMessageWall = createComponent({
  react: React,
  tagName: 'care-message-wall',
  elementClass: CareMessageWallElement,
  events: postingEvents,
  displayName: 'CareMessageWall',
});

export const CareFollowButton = createComponent({
  react: React,
  tagName: 'care-follow-button',
  elementClass: CareFollowButtonElement,
  events: { ...widgetEvents, onCareFollowChange: 'care-follow-change' as EventName<CareFollowChangeEvent> },
  displayName: 'CareFollowButton',
});

/** `<care-page-settings>`: the patient's own panel (who can see the page, followers, co-authors, invitations). */
export const CarePageSettings = createComponent({
  react: React,
  tagName: 'care-page-settings',
  elementClass: CarePageSettingsElement,
  events: widgetEvents,
  displayName: 'CarePageSettings',
});

/**
 * `<care-help-planner>`: ways to help (tasks the family posts, people sign up); `onCarePosted`
 * hears a task added (`kind: 'task'`) and the visitor's sign-up or withdrawal (`kind: 'signup'`).
 */
export const CareHelpPlanner = createComponent({
  react: React,
  tagName: 'care-help-planner',
  elementClass: CareHelpPlannerElement,
  events: postingEvents,
  displayName: 'CareHelpPlanner',
});

/**
 * `<care-page>`: children inherit its `page`, `host` and `token-url`. The widgets' events bubble
 * through it, so its callbacks hear every widget inside; `onCareConnectionChange` is the place
 * for the shared connection's state (fired once per change, by the connection's first widget).
 */
export const CarePage = createComponent({
  react: React,
  tagName: 'care-page',
  elementClass: CarePageElement,
  events: { ...postingEvents, onCareFollowChange: 'care-follow-change' as EventName<CareFollowChangeEvent> },
  displayName: 'CarePage',
});
