// The demo's user switcher: `?as=<user>` picks whose token the widgets fetch. It runs before
// the widgets' bundle (both are deferred, in order), so the first connection is already right.
(function () {
  var params = new URLSearchParams(location.search);
  var fallback = document.querySelector('#who option') ? document.querySelector('#who option').value : '';
  var as = params.has('as') ? params.get('as') : fallback;
  var tokenUrl = '/demo/token' + (as ? '?user=' + encodeURIComponent(as) : '');
  document.querySelector('script[data-care-token-url]').dataset.careTokenUrl = tokenUrl;
  var who = document.getElementById('who');
  who.value = as;
  who.addEventListener('change', function () {
    var next = new URL(location.href);
    next.searchParams.set('as', who.value);
    location.href = next.toString();
  });
  var status = document.getElementById('status');
  document.addEventListener('care-connection-change', function (e) {
    status.textContent = e.detail.state;
    status.dataset.state = e.detail.state;
  });
})();
