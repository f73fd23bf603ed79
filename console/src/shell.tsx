import type { ComponentChildren } from 'preact';
import { useEffect } from 'preact/hooks';
import { Link, Route, Switch, useLocation } from 'wouter-preact';
import { LiveStatus, useLiveUpdates } from './live';
import { ChannelsPage } from './pages/channels';
import { DeliveriesPage } from './pages/deliveries';
import { NotificationPage } from './pages/notification';
import { NotificationsPage } from './pages/notifications';
import { NewSilencePage } from './pages/silence-form';
import { SilencePage, SilencesPage } from './pages/silences';
import { useSession } from './session';

interface NavItem {
  path: string;
  label: string;
  /** Also active on these paths (a notification's page belongs to the list). */
  prefix?: string;
}

const NAV: NavItem[] = [
  { path: '/', label: 'Notifications', prefix: '/notifications/' },
  { path: '/silences', label: 'Silences', prefix: '/silences/' },
  { path: '/deliveries', label: 'Deliveries' },
  { path: '/channels', label: 'Channels' },
];

export function Shell() {
  const session = useSession();
  const live = useLiveUpdates();
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="bar">
        <span class="brand">Alert Relay</span>
        <nav aria-label="Console">
          <ul>
            {NAV.map((item) => (
              <NavLink key={item.path} item={item} />
            ))}
          </ul>
        </nav>
        <div class="who">
          <LiveStatus state={live} />
          <span class="key" title="The API key this tab is signed in with">
            {session.identity ? `${session.identity.name}${session.canWrite ? '' : ' · read only'}` : '…'}
          </span>
          <button type="button" class="link" onClick={() => session.signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Switch>
          <Route path="/" component={NotificationsPage} />
          <Route path="/notifications/:id" component={NotificationPage} />
          <Route path="/silences" component={SilencesPage} />
          <Route path="/silences/new" component={NewSilencePage} />
          <Route path="/silences/:id" component={SilencePage} />
          <Route path="/deliveries" component={DeliveriesPage} />
          <Route path="/channels" component={ChannelsPage} />
          <Route>
            <Page title="Not found">
              <p>
                There is no such page. <Link to="/">Back to the notifications</Link>
              </p>
            </Page>
          </Route>
        </Switch>
      </main>
    </>
  );
}

function NavLink({ item }: { item: NavItem }) {
  const [location] = useLocation();
  const active = location === item.path || (item.prefix !== undefined && location.startsWith(item.prefix));
  return (
    <li>
      <Link to={item.path} aria-current={active ? 'page' : undefined}>
        {item.label}
      </Link>
    </li>
  );
}

/** A page's heading and body; the heading names the page for the window title too. */
export function Page({
  title,
  actions,
  children,
}: {
  title: string;
  actions?: ComponentChildren;
  children: ComponentChildren;
}) {
  useEffect(() => {
    document.title = `${title} · Alert Relay`;
  }, [title]);
  return (
    <section class="page">
      <div class="page-head">
        <h1>{title}</h1>
        {actions}
      </div>
      {children}
    </section>
  );
}
