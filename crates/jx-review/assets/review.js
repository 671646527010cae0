// The review site's one script: links every value's box on the page images
// with its field and diagnostics, both ways, and filters the index. Plain
// DOM, no library, nothing fetched. Elements of a value carry data-path (its
// JSON path); a diagnostic's own box and its entry share data-diag.
(function () {
  'use strict';
  var body = document.body;

  // Whether JSON paths a and b are related: equal, or one inside the other.
  function related(a, b) {
    if (a === '' || b === '') return false;
    function within(outer, inner) {
      if (inner.indexOf(outer) !== 0) return false;
      var rest = inner.charAt(outer.length);
      return rest === '' || rest === '.' || rest === '[';
    }
    return within(a, b) || within(b, a);
  }

  function clear() {
    var lit = document.querySelectorAll('.hl');
    for (var i = 0; i < lit.length; i++) lit[i].classList.remove('hl');
  }

  // Lights every element related to el; scrolls the other side to the first.
  function select(el) {
    clear();
    var path = el.getAttribute('data-path') || '';
    var diag = el.getAttribute('data-diag');
    var fromBox = el.classList.contains('box');
    var all = document.querySelectorAll('[data-path]');
    var boxes = [], items = [];
    for (var i = 0; i < all.length; i++) {
      var other = all[i];
      var hit = related(path, other.getAttribute('data-path') || '') ||
        (diag !== null && other.getAttribute('data-diag') === diag) || other === el;
      if (!hit) continue;
      other.classList.add('hl');
      (other.classList.contains('box') ? boxes : items).push(other);
    }
    var target = fromBox ? items[0] : boxes[0];
    if (target) target.scrollIntoView({ block: 'center', behavior: 'smooth' });
  }

  var clickable = document.querySelectorAll('.box, .item');
  for (var i = 0; i < clickable.length; i++) {
    clickable[i].addEventListener('click', function (ev) {
      ev.preventDefault();
      select(ev.currentTarget);
    });
  }

  // A link to a value (`form.html#indicators[3].value`) lights it on arrival.
  var wanted = decodeURIComponent(location.hash.slice(1));
  if (wanted) {
    var marked = document.querySelectorAll('.box[data-path], .item[data-path]');
    for (var k = 0; k < marked.length; k++) {
      if (marked[k].getAttribute('data-path') === wanted) {
        select(marked[k]);
        break;
      }
    }
  }

  var only = document.getElementById('only-doubts');
  if (only) {
    var apply = function () { body.classList.toggle('only-doubts', only.checked); };
    only.addEventListener('change', apply);
    apply();
  }

  // Marks for a reader (and for the browser test): the script ran, and how
  // many images failed to load once the page has loaded.
  body.setAttribute('data-review-ready', '1');
  window.addEventListener('load', function () {
    var imgs = document.images, broken = 0;
    for (var i = 0; i < imgs.length; i++) {
      if (!imgs[i].complete || imgs[i].naturalWidth === 0) broken++;
    }
    body.setAttribute('data-images', String(imgs.length));
    // The stylesheet sets the body's margin to 0 (a browser's default is 8px).
    body.setAttribute('data-styled', getComputedStyle(body).marginTop === '0px' ? '1' : '0');
    body.setAttribute('data-broken-images', String(broken));
  });
})();
