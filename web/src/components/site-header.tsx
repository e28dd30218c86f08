import { Link } from "../router";
import { developmentServer } from "../session";
import { SignIn } from "./deferred";

export function SiteHeader() {
  return (
    <header className="site-header">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <div className="site-header-inner">
        <Link href="/" className="site-title">
          Threadline
        </Link>
        <nav aria-label="Developer tools" className="site-tools">
          {developmentServer() && <a href="/graphiql">GraphiQL</a>}
        </nav>
        <SignIn />
      </div>
    </header>
  );
}
