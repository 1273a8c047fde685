// Northwind's stand-in for a shop backend's session. A real shop renders the
// identify call for its signed-in customer into every page; the demo keeps the
// signed identity it got from /demo/identity/… in localStorage and says it on
// every page load. Loaded in <head>, before the page's own scripts, so they can
// call Shopkeep() too.
(() => {
  const w = window;
  // The embed snippet's queueing stub, defined early: the snippet itself comes
  // last in <body>, and keeps a stub it finds.
  w.Shopkeep =
    w.Shopkeep ||
    function () {
      (w.Shopkeep.q = w.Shopkeep.q || []).push(arguments);
    };

  const KEY = 'northwind.customer';

  const load = () => {
    try {
      const saved = JSON.parse(localStorage.getItem(KEY) || 'null');
      return saved && typeof saved.id === 'string' && typeof saved.hash === 'string' ? saved : null;
    } catch {
      return null;
    }
  };

  let customer = load();
  if (customer) w.Shopkeep('identify', customer);

  const showCustomer = () => {
    for (const el of document.querySelectorAll('[data-customer-name]')) {
      // The first name: the header has room for little more.
      el.textContent = customer ? customer.name.split(' ')[0] : el.dataset.customerName;
    }
  };
  document.addEventListener('DOMContentLoaded', showCustomer);

  w.Northwind = {
    /** The signed-in customer `{id, name, email, hash}`, or null. */
    get customer() {
      return customer;
    },
    /** Signs in as one of the demo customers and tells the chat who they are. */
    async signIn(id) {
      const response = await fetch('identity/' + encodeURIComponent(id), { headers: { accept: 'application/json' } });
      if (!response.ok) throw new Error('sign-in failed: HTTP ' + response.status);
      customer = await response.json();
      localStorage.setItem(KEY, JSON.stringify(customer));
      w.Shopkeep('identify', customer);
      showCustomer();
      return customer;
    },
    /** Forgets the customer; the next page load no longer identifies them. */
    signOut() {
      customer = null;
      localStorage.removeItem(KEY);
      showCustomer();
    },
  };
})();
