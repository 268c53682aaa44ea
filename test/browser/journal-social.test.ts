import { expect, oneEvent } from '@open-wc/testing';
import { executeServerCommand, sendKeys } from '@web/test-runner-commands';
import '../../src/components/journal-feed/define.js';
import type { CareJournalFeed } from '../../src/components/journal-feed/journal-feed.js';
import { connectionFor } from '../../src/client/connection.js';
import { LIMITS } from '../../src/protocol/index.js';
import { firstWaveUrl, seedPage, serverUrl, uniquePage, waitFor } from './helpers.js';
import { buttonIn, JournalHarness, mount } from './harness.js';

/*
 * Hearts and comments under journal entries (SPEC 6.3, feature `journal-social`), through the
 * feed's public surface: parts, roles, labels and the outbox. Two people side by side are two
 * connections: the second feed talks to the same server under another host name.
 */

async function hosts(): Promise<[string, string]> {
  const url = await serverUrl();
  return [url, url.replace('127.0.0.1', 'localhost')];
}

const feed = (page: string, host: string, user: string | null, theme = 'light') => mount('care-journal-feed', { page, host, user, attrs: { theme, lang: 'en' } });

/** One entry of a feed, read and driven as a person would. */
class EntryView {
  constructor(
    readonly el: CareJournalFeed,
    readonly title: string,
  ) {}

  get article(): HTMLElement | null {
    return [...this.el.shadowRoot!.querySelectorAll<HTMLElement>('[role=feed] article[part~=entry]')].find((a) => a.querySelector('h3')?.textContent === this.title) ?? null;
  }

  #q<T extends HTMLElement = HTMLElement>(sel: string): T | null {
    return this.article?.querySelector<T>(sel) ?? null;
  }

  heartButton(): HTMLButtonElement | null {
    return this.#q<HTMLButtonElement>('[part~=heart-button]');
  }

  hearts(): string {
    return this.#q('[part~=heart-count]')?.textContent?.trim() ?? '';
  }

  pressed(): string | null {
    return this.heartButton()?.getAttribute('aria-pressed') ?? null;
  }

  /** The delivered comments shown, oldest first (the bodies' text). */
  comments(): string[] {
    return [...(this.article?.querySelectorAll('[part~=comment]:not([part~=outbox-comment]) [part~=comment-body]') ?? [])].map((b) => b.textContent?.trim() ?? '');
  }

  /** A delivered comment's article (not an unsent one). */
  comment(body: string): HTMLElement | null {
    return [...(this.article?.querySelectorAll<HTMLElement>('article[part~=comment]:not([part~=outbox-comment])') ?? [])].find((a) => a.querySelector('[part~=comment-body]')?.textContent?.trim() === body) ?? null;
  }

  unsent(): HTMLElement[] {
    return [...(this.article?.querySelectorAll<HTMLElement>('[part~=outbox-comment]') ?? [])];
  }

  badge(body: string): string | null {
    return this.comment(body)?.querySelector('[part~=badge]')?.textContent?.trim() ?? null;
  }

  button(label: string, scope: ParentNode | null = this.article): HTMLButtonElement | null {
    return scope ? buttonIn(scope, label) : null;
  }

  count(): string {
    return this.#q('[part~=comment-count]')?.textContent?.trim() ?? '';
  }

  textarea(): HTMLTextAreaElement | null {
    return this.#q<HTMLTextAreaElement>('[part~=comment-textarea]');
  }

  /** Opens the composer (if closed), types, and presses Send. */
  async write(body: string): Promise<void> {
    if (!this.textarea()) {
      this.#q<HTMLButtonElement>('[part~=comment-button]')!.click();
      await this.el.updateComplete;
    }
    const box = this.textarea()!;
    box.value = body;
    box.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
    await this.el.updateComplete;
    this.#q<HTMLButtonElement>('[part~=comment-send-button]')!.click();
    await this.el.updateComplete;
  }
}

const entry = (el: CareJournalFeed, title: string) => new EntryView(el, title);

/** Clicks a button once it is free: while a call of its comment is in flight it is `aria-disabled` and ignores clicks. */
async function press(find: () => HTMLButtonElement | null, what: string): Promise<void> {
  await waitFor(() => find() !== null && find()!.getAttribute('aria-disabled') !== 'true', what);
  find()!.click();
}

async function exportPage(pageId: string): Promise<Record<string, unknown>> {
  const res = (await executeServerCommand('care-admin', { path: `/api/pages/${pageId}/export` })) as { status: number; body: Record<string, unknown> };
  expect(res.status).to.equal(200);
  return res.body;
}

/** Comments written through a feed's own outbox (the public client API), each acknowledged before the next. */
async function commentAs(el: CareJournalFeed, title: string, bodies: string[]): Promise<void> {
  const id = el.care.state.journal.find((e) => e.title === title)!.id;
  for (const body of bodies) {
    const posted = oneEvent(el, 'care-posted');
    el.care.post('comment', { entryId: id, body });
    await posted;
  }
}

describe('<care-journal-feed> hearts and comments', () => {
  beforeEach(() => localStorage.removeItem('care-widgets:outbox:v1'));

  it('shows a heart and a comment live in the other window, once, and fires care-posted for the comment', async () => {
    const [h1, h2] = await hosts();
    const page = uniquePage('social-live');
    await seedPage({ id: page, owners: ['olga'], journal: [{ title: 'Surgery went well', body: 'Resting now.' }] });
    const ann = await feed(page, h1, 'ann');
    const ben = await feed(page, h2, 'ben');
    const a = entry(ann, 'Surgery went well');
    const b = entry(ben, 'Surgery went well');
    expect(a.hearts()).to.equal('0 hearts');
    expect(a.pressed()).to.equal('false');
    expect(a.heartButton()!.getAttribute('aria-label')).to.equal('Send a heart to \u201c\u2068Surgery went well\u2069\u201d');

    a.heartButton()!.click();
    await waitFor(() => a.hearts() === '1 heart' && a.pressed() === 'true', 'own heart');
    await waitFor(() => b.hearts() === '1 heart', 'the heart in the other window');
    expect(b.pressed()).to.equal('false');

    const posted = oneEvent(ann, 'care-posted');
    await a.write('So glad to hear **this**');
    const ev = await posted;
    expect(ev.detail.kind).to.equal('comment');
    expect((ev.detail.item as { body: string }).body).to.equal('So glad to hear **this**');
    await waitFor(() => b.comments().includes('So glad to hear this'), 'the comment in the other window');
    expect(b.comment('So glad to hear this')!.querySelector('[part~=comment-body] strong')?.textContent).to.equal('this');
    expect(b.comment('So glad to hear this')!.querySelector('[part~=comment-author]')?.textContent).to.equal('ann');
    await waitFor(() => a.unsent().length === 0 && a.comments().length === 1, 'the writer to show it once');
    expect(a.count()).to.equal('1 comment');
    expect(b.count()).to.equal('1 comment');
    // Authors delete their own; others do not moderate.
    expect(a.button('Delete', a.comment('So glad to hear this')), 'Delete on own comment').to.not.equal(null);
    expect(b.button('Delete', b.comment('So glad to hear this')), 'Delete on another\u2019s comment').to.equal(null);
    expect(b.button('Hide', b.comment('So glad to hear this')), 'Hide for a visitor').to.equal(null);
    await waitFor(() => new JournalHarness(ben).announced() === '1 new comment', 'the live announcement');
  });

  it('keeps a comment and a heart made offline, and delivers each once after reconnecting', async () => {
    const [h1, h2] = await hosts();
    const page = uniquePage('social-offline');
    await seedPage({ id: page, owners: ['olga'], journal: [{ title: 'Day 3', body: 'x' }] });
    const ann = await feed(page, h1, 'ann');
    const ben = await feed(page, h2, 'ben');
    const a = entry(ann, 'Day 3');
    const b = entry(ben, 'Day 3');
    const conn = connectionFor(h1);
    conn.socket.disconnect();
    await waitFor(() => conn.state === 'offline', 'offline');

    await a.write('Written in a tunnel');
    await waitFor(() => a.unsent().length === 1, 'the unsent comment');
    expect(a.unsent()[0]!.querySelector('[part~=badge]')?.textContent?.trim()).to.equal('Sending\u2026');
    expect(localStorage.getItem('care-widgets:outbox:v1')).to.include('Written in a tunnel');
    // Three clicks offline: on, off, on. The last one wins, shown at once.
    for (const pressed of ['true', 'false', 'true']) {
      a.heartButton()!.click();
      await waitFor(() => a.pressed() === pressed, `aria-pressed ${pressed}`);
    }
    expect(a.hearts()).to.equal('1 heart');
    expect(b.hearts()).to.equal('0 hearts');
    expect(b.comments()).to.deep.equal([]);

    conn.socket.connect();
    await waitFor(() => a.unsent().length === 0 && a.comments().length === 1, 'delivery after reconnecting');
    await waitFor(() => b.comments().length === 1 && b.hearts() === '1 heart', 'both at the other window');
    expect(b.comments()).to.deep.equal(['Written in a tunnel']);
    expect(a.hearts()).to.equal('1 heart');
    expect(a.pressed()).to.equal('true');
    // Exactly once on the server: a fresh reader sees one comment and one heart.
    ben.remove();
    const again = entry(await feed(page, h2, 'cy'), 'Day 3');
    expect(again.comments()).to.deep.equal(['Written in a tunnel']);
    expect(again.hearts()).to.equal('1 heart');
    expect(JSON.stringify(await exportPage(page)).split('Written in a tunnel').length - 1).to.be.at.most(1);
  });

  it('keeps a comment refused because its update was deleted meanwhile, with the reason, to discard', async () => {
    const [h1] = await hosts();
    const page = uniquePage('social-orphan');
    await seedPage({ id: page, owners: ['olga'], journal: [{ title: 'Gone soon', body: 'x' }] });
    const ann = await feed(page, h1, 'ann');
    const a = entry(ann, 'Gone soon');
    const entryId = ann.care.state.journal[0]!.id;
    const conn = connectionFor(h1);
    conn.socket.disconnect();
    await waitFor(() => conn.state === 'offline', 'offline');
    await a.write('Too late');
    await executeServerCommand('care-delete', { user: 'olga', pageId: page, kind: 'journal', id: entryId });
    const refused = oneEvent(ann, 'care-error');
    conn.socket.connect();
    expect((await refused).detail.code).to.equal('not_found');
    const orphan = () => ann.shadowRoot!.querySelector<HTMLElement>('[part~=outbox-comment]');
    await waitFor(() => new JournalHarness(ann).titles().length === 0 && orphan()?.classList.contains('failed') === true, 'the refused comment, apart');
    expect(orphan()!.querySelector('[part~=comment-body]')!.textContent!.trim()).to.equal('Too late');
    expect(orphan()!.querySelector('[part~=badge]')!.textContent).to.match(/^Not sent: /);
    buttonIn(orphan()!, 'Discard')!.click();
    await waitFor(() => orphan() === null, 'discarded');
    expect(localStorage.getItem('care-widgets:outbox:v1') ?? '').to.not.include('Too late');
  });

  it('shows the last 3 comments, and all of them with "Show all N comments"', async () => {
    const [h1, h2] = await hosts();
    const page = uniquePage('social-all');
    await seedPage({ id: page, owners: ['olga'], journal: [{ title: 'Long thread', body: 'x' }] });
    const owner = await feed(page, h1, 'olga');
    await commentAs(owner, 'Long thread', ['c1', 'c2', 'c3', 'c4', 'c5']);
    const reader = await feed(page, h2, 'rita');
    const r = entry(reader, 'Long thread');
    expect(r.comments()).to.deep.equal(['c3', 'c4', 'c5']);
    expect(r.count()).to.equal('5 comments');
    const all = r.button('Show all 5 comments')!;
    all.focus();
    await sendKeys({ press: 'Enter' });
    await waitFor(() => r.comments().length === 5, 'the older comments');
    expect(r.comments()).to.deep.equal(['c1', 'c2', 'c3', 'c4', 'c5']);
    r.button('Show fewer comments')!.click();
    await waitFor(() => r.comments().length === 3, 'collapsed again');
  });

  it('lets the owner hide, show, approve and delete comments, live for visitors; pending ones only for their author', async () => {
    const [h1, h2] = await hosts();
    const page = uniquePage('social-mod');
    await seedPage({ id: page, owners: ['olga'], wallModeration: 'pre', journal: [{ title: 'News', body: 'x' }] });
    const owner = await feed(page, h1, 'olga');
    const pat = await feed(page, h2, 'pat');
    const o = entry(owner, 'News');
    const p = entry(pat, 'News');

    // Pre-moderation: the author sees their comment waiting; the owner approves it.
    await p.write('Hope you feel better');
    await waitFor(() => p.comment('Hope you feel better') !== null, 'the author\u2019s pending comment');
    expect(p.badge('Hope you feel better')).to.equal('Waiting for approval');
    await waitFor(() => o.comment('Hope you feel better') !== null, 'the pending comment at the owner');
    expect(o.badge('Hope you feel better')).to.equal('Waiting for approval');
    expect(p.button('Approve', p.comment('Hope you feel better')), 'Approve for the author').to.equal(null);
    o.button('Approve', o.comment('Hope you feel better'))!.click();
    await waitFor(() => p.badge('Hope you feel better') === null && o.badge('Hope you feel better') === null, 'approved everywhere');

    // Hidden: labelled for the owner, and for its author (who alone of the readers still sees it).
    await press(() => o.button('Hide', o.comment('Hope you feel better')), 'Hide');
    await waitFor(() => o.badge('Hope you feel better') === 'Hidden from visitors', 'the owner\u2019s label');
    await waitFor(() => p.badge('Hope you feel better') === 'Hidden by a moderator', 'the author\u2019s label');
    await press(() => o.button('Show', o.comment('Hope you feel better')), 'Show');
    await waitFor(() => o.badge('Hope you feel better') === null && p.badge('Hope you feel better') === null, 'shown again');

    // Delete asks first; Escape backs out, the keyboard confirms.
    o.button('Delete', o.comment('Hope you feel better'))!.click();
    await waitFor(() => owner.shadowRoot!.activeElement?.classList.contains('confirm-delete') === true, 'focus on the confirm button');
    await sendKeys({ press: 'Escape' });
    await waitFor(() => owner.shadowRoot!.activeElement?.classList.contains('delete') === true, 'focus back on Delete');
    await sendKeys({ press: 'Enter' });
    await waitFor(() => owner.shadowRoot!.activeElement?.classList.contains('confirm-delete') === true, 'the confirm button again');
    await sendKeys({ press: 'Enter' });
    await waitFor(() => o.comments().length === 0 && p.comments().length === 0, 'deleted in both windows');
    // Focus stays with the update, not lost with the comment.
    await waitFor(() => owner.shadowRoot!.activeElement === o.article, 'focus on the update');
  });

  it('hides a hidden comment from other readers, and lets a moderator block its author', async () => {
    const [h1, h2] = await hosts();
    const page = uniquePage('social-block');
    await seedPage({ id: page, owners: ['olga'], journal: [{ title: 'Update', body: 'x' }] });
    const owner = await feed(page, h1, 'olga');
    const troll = await feed(page, h2, 'troll');
    const o = entry(owner, 'Update');
    await entry(troll, 'Update').write('Unkind words');
    await waitFor(() => o.comment('Unkind words') !== null, 'the comment at the owner');
    o.button('Block', o.comment('Unkind words'))!.click();
    await owner.updateComplete;
    expect(o.comment('Unkind words')!.textContent).to.include('Block \u2068troll\u2069 from this page?');
    o.comment('Unkind words')!.querySelector<HTMLButtonElement>('button.confirm-block')!.click();
    await waitFor(() => troll.care.state.status === 'locked', 'the blocked author to lose the page');
  });

  it('lets the entry\u2019s author close and reopen comments, live for readers', async () => {
    const [h1, h2] = await hosts();
    const page = uniquePage('social-close');
    await seedPage({ id: page, owners: ['olga'], journal: [{ title: 'Quiet day', body: 'x' }] });
    const owner = await feed(page, h1, 'olga');
    const reader = await feed(page, h2, 'rita');
    const o = entry(owner, 'Quiet day');
    const r = entry(reader, 'Quiet day');
    expect(r.button('Close comments'), 'the close control for a reader').to.equal(null);
    expect(r.button('Comment')).to.not.equal(null);
    o.button('Close comments')!.click();
    await waitFor(() => r.article?.querySelector('[part~=comments-closed]') != null, 'closed at the reader');
    expect(r.article!.querySelector('[part~=comments-closed]')!.textContent!.trim()).to.equal('Comments are closed.');
    expect(r.button('Comment'), 'the Comment button once closed').to.equal(null);
    await waitFor(() => o.button('Open comments') !== null && o.button('Open comments')!.getAttribute('aria-disabled') !== 'true', 'the author\u2019s Open comments');
    o.button('Open comments')!.click();
    await waitFor(() => r.button('Comment') !== null, 'open again at the reader');
  });

  it('counts characters in the comment composer and sends with Ctrl+Enter from the keyboard', async () => {
    const [h1] = await hosts();
    const page = uniquePage('social-keys');
    await seedPage({ id: page, owners: ['olga'], journal: [{ title: 'Keys', body: 'x' }] });
    const el = await feed(page, h1, 'kim');
    const e = entry(el, 'Keys');
    e.button('Comment')!.focus();
    await sendKeys({ press: 'Enter' });
    await waitFor(() => el.shadowRoot!.activeElement === e.textarea(), 'focus in the comment field');
    const counter = () => e.article!.querySelector('[part~=comment-counter]')!.textContent!.trim();
    expect(counter()).to.equal('2,000 characters left');
    expect(e.textarea()!.getAttribute('aria-describedby')).to.equal(e.article!.querySelector('[part~=comment-counter]')!.id);
    const send = () => e.article!.querySelector<HTMLButtonElement>('[part~=comment-send-button]')!;
    expect(send().disabled).to.equal(true);
    const box = e.textarea()!;
    box.value = 'x'.repeat(LIMITS.commentBodyMax + 1);
    box.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
    await el.updateComplete;
    expect(counter()).to.equal('1 character over the limit');
    expect(send().disabled).to.equal(true);
    expect(box.getAttribute('aria-invalid')).to.equal('true');
    box.value = '';
    box.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
    await el.updateComplete;
    box.focus();
    await sendKeys({ type: 'From the keyboard' });
    await sendKeys({ down: 'Control' });
    await sendKeys({ press: 'Enter' });
    await sendKeys({ up: 'Control' });
    await waitFor(() => e.comments().includes('From the keyboard'), 'the keyboard comment');
    expect(e.textarea()!.value).to.equal('');
    expect(el.shadowRoot!.activeElement).to.equal(e.textarea());
  });

  it('shows anonymous readers the counts and a sign-in hint, and no buttons', async () => {
    const [h1] = await hosts();
    const page = uniquePage('social-anon');
    await seedPage({ id: page, owners: ['olga'], journal: [{ title: 'Public', body: 'x' }] });
    const el = await feed(page, h1, null);
    const e = entry(el, 'Public');
    expect(e.hearts()).to.equal('0 hearts');
    expect(e.heartButton()).to.equal(null);
    expect(e.article!.querySelector('[part~=comment-hint]')?.textContent?.trim()).to.equal('Sign in to comment.');
    expect(e.button('Comment')).to.equal(null);
  });

  it('shows no hearts or comments against a first-wave backend', async () => {
    const host = await firstWaveUrl();
    const el = await mount('care-journal-feed', { page: 'jane-doe', host, user: 'friend' });
    await waitFor(() => new JournalHarness(el).titles().length > 0, 'the demo entries');
    const h = new JournalHarness(el);
    expect(h.parts('heart-button')).to.have.length(0);
    expect(h.parts('social')).to.have.length(0);
    expect(h.parts('comments')).to.have.length(0);
  });

  for (const theme of ['light', 'dark']) {
    it(`passes axe with hearts, comments, a composer and moderation (${theme})`, async () => {
      const [h1, h2] = await hosts();
      const page = uniquePage(`social-axe-${theme}`);
      await seedPage({ id: page, owners: ['olga'], journal: [{ title: 'Checked', body: 'Some **bold** text.' }] });
      const owner = await feed(page, h1, 'olga', theme);
      const o = entry(owner, 'Checked');
      await commentAs(owner, 'Checked', ['First', 'Second **one**', 'Third', 'Fourth']);
      await waitFor(() => o.comments().length === 3, 'the last three');
      o.heartButton()!.click();
      await waitFor(() => o.pressed() === 'true', 'hearted');
      o.button('Hide', o.comment('Third'))!.click();
      await waitFor(() => o.badge('Third') === 'Hidden from visitors', 'a hidden comment');
      o.button('Delete', o.comment('Fourth'))!.click();
      await waitFor(() => o.comment('Fourth')!.querySelector('.confirm-delete') !== null, 'the confirm step');
      o.button('Comment')!.click();
      await waitFor(() => o.textarea() !== null, 'the composer');
      await expect(owner).to.be.accessible();
      const anon = await feed(page, h2, null, theme);
      await waitFor(() => entry(anon, 'Checked').comments().length === 3, 'the anonymous reader\u2019s thread');
      await expect(anon).to.be.accessible();
    });
  }
});
