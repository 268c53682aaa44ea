// The demo's "viewing as" switcher: `?as=<user>` picks whose token the widgets fetch; without
// it the demo opens signed out, as anyone on the web sees a patient page. It runs before the
// widgets' bundle (both are deferred, in order), so the first connection is already right.
(function () {
  var params = new URLSearchParams(location.search);
  var as = params.get('as') || '';
  var tokenUrl = '/demo/token' + (as ? '?user=' + encodeURIComponent(as) : '');
  document.querySelector('script[data-care-token-url]').dataset.careTokenUrl = tokenUrl;

  var who = document.getElementById('who');
  who.value = as;
  who.addEventListener('change', function () {
    location.href = withAs(location.href, who.value);
  });

  // The hospital site's own sign-in: here it signs in Val, a visitor with no role on any page
  // (as the follow button's "Sign in to follow" does), and signs out again.
  var account = document.getElementById('account');
  account.textContent = as ? 'Sign out' : 'Sign in';
  account.href = withAs(location.href, as ? '' : 'visitor');
  // Moving between the demo's pages keeps who you are viewing as.
  document.querySelectorAll('header.site a:not(#account)').forEach(function (a) {
    a.href = withAs(a.href, as);
  });

  // Invitation links point to this page without `?as=`: the demo's "viewing as" must not
  // travel in a link (whoever opened it would be Jane). The invitee signs in with the
  // switcher or "Sign in", which keep the link's `care-invite` code.
  var settings = document.querySelector('care-page-settings');
  if (settings) settings.setAttribute('invite-url', withAs(location.href, ''));

  var status = document.getElementById('status');
  document.addEventListener('care-connection-change', function (e) {
    status.textContent = e.detail.state;
    status.dataset.state = e.detail.state;
  });

  function withAs(href, user) {
    var url = new URL(href);
    if (user) url.searchParams.set('as', user);
    else url.searchParams.delete('as');
    return url.toString();
  }
})();
