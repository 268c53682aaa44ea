/*
 * The whole settings panel by keyboard alone: the Tab order through every group, arrow keys
 * in the visibility choice (which change nothing until Save), Enter and Space on buttons and
 * the checkbox, Escape in a confirmation, and where focus lands after each action.
 */
import { expect, fixture, html } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../src/index.js';
import type { CarePageSettings } from '../../src/index.js';
import { PageSettingsHarness } from './harness.js';
import { followAs, seedPage, serverUrl, uniquePage, waitFor } from './helpers.js';

/** What has focus inside the panel, as `tag#id.class` (or `outside`). */
function focused(el: CarePageSettings): string {
  const a = el.shadowRoot!.activeElement as HTMLElement | null;
  if (!a) return 'outside';
  const row = a.closest<HTMLElement>('[data-key]')?.dataset.key;
  return `${a.localName}${a.id ? `#${a.id}` : ''}${a.classList.length ? `.${[...a.classList].join('.')}` : ''}${row && row !== 'visibility' ? `@${row}` : ''}`;
}

async function press(key: string, el: CarePageSettings): Promise<void> {
  await sendKeys({ press: key });
  await el.updateComplete;
}

/** Presses Tab until `want` has focus (at most `max` times); fails if it never does. */
async function tabTo(el: CarePageSettings, want: (f: string) => boolean, max = 40): Promise<string> {
  for (let i = 0; i < max; i++) {
    await press('Tab', el);
    const f = focused(el);
    if (want(f)) return f;
  }
  throw new Error(`never reached by Tab; last: ${focused(el)}`);
}

describe('<care-page-settings> by keyboard', () => {
  it('tabs through every control in reading order and out again', async () => {
    const page = uniquePage('kb-order');
    await seedPage({ id: page, visibility: 'private', owners: ['olga'], editors: ['eda'], follows: ['fred'] });
    await followAs('rita', page);
    const wrap = await fixture<HTMLDivElement>(html`<div>
      <button id="before">before</button>
      <care-page-settings page=${page} host=${await serverUrl()} token-url="/care-token?user=olga"></care-page-settings>
      <button id="after">after</button>
    </div>`);
    const el = wrap.querySelector('care-page-settings')!;
    const panel = await new PageSettingsHarness(el).ready();
    await waitFor(() => panel.names('requests').includes('rita'), 'the request');
    wrap.querySelector<HTMLButtonElement>('#before')!.focus();
    const order: string[] = [];
    for (let i = 0; i < 40; i++) {
      await press('Tab', el);
      if (document.activeElement !== el) break;
      order.push(focused(el));
    }
    expect(document.activeElement?.id).to.equal('after');
    expect(order).to.deep.equal([
      // A radio group is one stop: the checked choice.
      'input#vis-private',
      'input#moderation',
      'button.primary@requests:rita',
      'button@requests:rita',
      'button.remove@followers:fred',
      'button.block@followers:fred',
      'button.remove@editors:eda',
      'select#invite-role',
      'select#invite-days',
      'input#invite-uses',
      'button.primary.create',
    ]);
  });

  it('changes visibility with arrows and Save, confirms widening with Enter, and Escape cancels', async () => {
    const page = uniquePage('kb-visibility');
    await seedPage({ id: page, owners: ['olga'] });
    const wrap = await fixture<HTMLDivElement>(html`<div>
      <button id="before">before</button>
      <care-page-settings page=${page} host=${await serverUrl()} token-url="/care-token?user=olga"></care-page-settings>
    </div>`);
    const el = wrap.querySelector('care-page-settings')!;
    const panel = await new PageSettingsHarness(el).ready();
    wrap.querySelector<HTMLButtonElement>('#before')!.focus();
    await press('Tab', el);
    expect(focused(el)).to.equal('input#vis-public');

    // Arrows move the choice; nothing is saved until Save.
    await press('ArrowDown', el);
    expect(focused(el)).to.equal('input#vis-members');
    await new Promise((r) => setTimeout(r, 200));
    expect(el.care.state.page?.visibility).to.equal('public');
    await press('Tab', el);
    expect(focused(el)).to.equal('button.primary.save');
    await press('Enter', el);
    // Narrowing applies at once; focus lands on the choice now in force.
    await waitFor(() => el.care.state.page?.visibility === 'members' && focused(el) === 'input#vis-members', 'members, focused');

    await press('ArrowUp', el);
    expect(focused(el)).to.equal('input#vis-public');
    await press('Tab', el);
    await press(' ', el);
    // Widening asks first, focus on the confirming button.
    await waitFor(() => focused(el) === 'button.danger.confirm-yes', 'the confirmation focused');
    await press('Escape', el);
    await waitFor(() => focused(el) === 'button.primary.save', 'back on Save');
    expect(el.care.state.page?.visibility).to.equal('members');
    await press('Enter', el);
    await waitFor(() => focused(el) === 'button.danger.confirm-yes', 'the confirmation again');
    await press('Enter', el);
    await waitFor(() => el.care.state.page?.visibility === 'public' && focused(el) === 'input#vis-public', 'public, focused');
    expect(panel.button('.save')).to.equal(null);

    // Space toggles pre-moderation.
    await press('Tab', el);
    expect(focused(el)).to.equal('input#moderation');
    await press(' ', el);
    await waitFor(() => (el.care.state.page as { wallModeration?: string }).wallModeration === 'pre', 'pre-moderation');
    expect(focused(el)).to.equal('input#moderation');
  });

  it('blocks, approves and invites by keyboard, with focus on the next thing to do', async () => {
    const page = uniquePage('kb-people');
    await seedPage({ id: page, visibility: 'private', owners: ['olga'], follows: ['fred', 'gina'] });
    await followAs('rita', page);
    const el = await fixture<CarePageSettings>(html`<care-page-settings page=${page} host=${await serverUrl()} token-url="/care-token?user=olga"></care-page-settings>`);
    const panel = await new PageSettingsHarness(el).ready();
    await waitFor(() => panel.names('requests').includes('rita'), 'the request');

    // Approve: the request row goes, focus moves on rather than into the void.
    el.shadowRoot!.querySelector<HTMLElement>('[data-key="requests:rita"] button.primary')!.focus();
    await press('Enter', el);
    await waitFor(() => panel.names('requests').length === 0, 'the request decided');
    await waitFor(() => focused(el) === 'h3#requests-title', 'focus on the requests heading');

    // Block with the keyboard: Enter asks, Enter confirms; focus goes to the next follower.
    await tabTo(el, (f) => f === 'button.block@followers:fred');
    await press('Enter', el);
    await waitFor(() => focused(el) === 'button.danger.confirm-yes@followers:fred', 'the confirmation focused');
    await press('Escape', el);
    await waitFor(() => focused(el) === 'button.block@followers:fred', 'back on Block');
    await press(' ', el);
    await waitFor(() => focused(el) === 'button.danger.confirm-yes@followers:fred', 'the confirmation again');
    await press(' ', el);
    await waitFor(() => panel.names('blocked').includes('fred'), 'fred blocked');
    await waitFor(() => focused(el) === 'button.remove@followers:gina', 'focus on the next follower');

    // Unblock: the list empties, focus on its heading.
    await tabTo(el, (f) => f === 'button.unblock@blocked:fred');
    await press('Enter', el);
    await waitFor(() => panel.names('blocked').length === 0 && focused(el) === 'h3#blocked-title', 'unblocked, focus on the heading');

    // Create an invitation: focus lands on its link, ready to copy.
    await tabTo(el, (f) => f === 'button.primary.create');
    await press('Enter', el);
    await waitFor(() => focused(el).startsWith('input#invite-link-0.link@invites:'), 'focus on the new link');
    await press('Tab', el);
    expect(focused(el)).to.match(/^button\.copy@invites:/);
    await press('Tab', el);
    expect(focused(el)).to.match(/^button\.revoke@invites:/);
    await press('Enter', el);
    await waitFor(() => /^button\.danger\.confirm-yes@invites:/.test(focused(el)), 'the revoke confirmation');
    await press('Enter', el);
    await waitFor(() => panel.inviteLinks().length === 0 && focused(el) === 'h3#invites-title', 'revoked, focus on the heading');
  });
});
