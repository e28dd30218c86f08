import { Link } from "../router";
import { developmentServer, useSession } from "../session";
import { NotificationBell } from "./notification-bell";
import { SignIn } from "./deferred";

export function SiteHeader() {
  const { canModerate } = useSession();
  return (
    <header className="site-header">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <div className="site-header-inner">
        <Link href="/" className="site-title">
          Threadline
        </Link>
        <nav aria-label="Tools" className="site-tools">
          {canModerate && <Link href="/moderate">Moderation</Link>}
          {developmentServer() && <a href="/graphiql">GraphiQL</a>}
        </nav>
        <NotificationBell />
        <SignIn />
      </div>
    </header>
  );
}
