import "@picocss/pico/css/pico.min.css";
import "./style.css";
import { type ComponentType, render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { completeSignIn, hasSession, type Me, setUnauthorizedHandler, signOut, startSignIn, whoAmI } from "./auth";
import { currentStatus, type QueueStatus, startOfflineSync, subscribe } from "./offline";
import { Link, navigate, useRoute } from "./ui";
import { Home } from "./screens/Home";
import { PlanRound } from "./screens/PlanRound";
import { Round } from "./screens/Round";
import { Observe } from "./screens/Observe";
import { Debrief } from "./screens/Debrief";
import { Meeting } from "./screens/Meeting";

/** A screen loaded on first visit: the charts (chart.js) and the graph (cytoscape) are most of the bundle,
 * and a tablet opening the home page or taking notes should not wait for them. */
function lazy<P extends object>(title: string, load: () => Promise<ComponentType<P>>): ComponentType<P> {
  let loaded: ComponentType<P> | null = null;
  let pending: Promise<ComponentType<P>> | null = null;
  return function LazyScreen(props: P) {
    const [screen, setScreen] = useState<ComponentType<P> | null>(loaded);
    const [failed, setFailed] = useState(false);
    useEffect(() => {
      if (loaded) return;
      let current = true;
      pending = pending ?? load();
      pending.then((c) => { loaded = c; if (current) setScreen(() => c); },
                   () => { pending = null; if (current) setFailed(true); });
      return () => { current = false; };
    }, []);
    if (screen) { const Screen = screen; return <Screen {...props} />; }
    return (
      <>
        <h1 id="screen-title" tabIndex={-1}>{title}</h1>
        {failed ? <p role="alert">This page could not be loaded: check the connection, then reload.</p>
                : <p aria-busy="true">Loading…</p>}
      </>
    );
  };
}

const SchoolPage = lazy<{ schoolId: string; measure: string }>("School", () => import("./screens/School").then((m) => m.SchoolPage));
const NetworkPage = lazy<{ networkId: string }>("Network", () => import("./screens/Network").then((m) => m.NetworkPage));

function QueueBanner() {
  const [s, setS] = useState<QueueStatus>(currentStatus());
  useEffect(() => subscribe(setS), []);
  let text = "";
  if (s.pending > 0) {
    text = `${s.pending} ${s.pending === 1 ? "note" : "notes"} waiting to send`;
    text += s.sending ? ": sending now…" : s.online ? ": they go as soon as the gateway answers." : ": they are kept on this device and go when the connection is back.";
  } else if (s.lastSent > 0) {
    text = `All notes sent (${s.lastSent} from this device).`;
  }
  return (
    <div class="queue" data-state={s.pending > 0 ? "waiting" : "clear"}>
      <span class="conn" data-online={String(s.online)}>{s.online ? "Online" : "Offline"}</span>
      <span id="queue-status" role="status" aria-live="polite">{text}</span>
      {s.error && <span class="field-error" role="alert">{s.error}</span>}
    </div>
  );
}

function Shell({ me, path }: { me: Me; path: string }) {
  const [pathname, search] = path.split("?");
  const query = new URLSearchParams(search || "");
  const parts = pathname.replace(/^\/app\/?/, "").split("/").filter(Boolean);
  let screen;
  if (parts.length === 0) screen = <Home me={me} />;
  else if (parts[0] === "rounds" && parts[1] === "new") screen = <PlanRound me={me} />;
  else if (parts[0] === "rounds" && parts[2] === "rooms" && parts[3]) screen = <Observe me={me} visitId={parts[1]} classroomId={parts[3]} />;
  else if (parts[0] === "rounds" && parts[2] === "debrief") screen = <Debrief me={me} visitId={parts[1]} />;
  else if (parts[0] === "rounds" && parts[1]) screen = <Round me={me} visitId={parts[1]} />;
  else if (parts[0] === "networks" && parts[2] === "meeting") screen = <Meeting me={me} networkId={parts[1]} />;
  else if (parts[0] === "networks" && parts[1]) screen = <NetworkPage networkId={parts[1]} />;
  else if (parts[0] === "schools" && parts[1]) screen = <SchoolPage schoolId={parts[1]} measure={query.get("measure") || "math"} />;
  else screen = (
    <>
      <h1 id="screen-title" tabIndex={-1}>Page not found</h1>
      <p>There is no screen at <code>{pathname}</code>. <Link href="/app">Go to the home page</Link>.</p>
    </>
  );
  return (
    <>
      <a class="skip" href="#main">Skip to the content</a>
      <header class="container">
        <nav aria-label="Main">
          <ul>
            <li><Link href="/app" class="brand">improvenet</Link></li>
          </ul>
          <ul>
            <li><Link href="/app" aria-current={parts.length === 0 ? "page" : undefined}>Home</Link></li>
            <li><Link href="/app/rounds/new" aria-current={parts[1] === "new" ? "page" : undefined}>Plan a round</Link></li>
            <li>
              <button type="button" class="secondary outline" onClick={() => void signOut()}>
                Sign out <span class="visually-hidden">{me.display_name}</span>
              </button>
            </li>
          </ul>
        </nav>
        <QueueBanner />
      </header>
      <main id="main" class="container">{screen}</main>
      <footer class="container">
        <small>
          Signed in as <strong>{me.display_name}</strong> ({me.role}, tenant {me.tenant}). Observation evidence describes practice,
          never rates a person. API: <a href="/docs">/docs</a>
        </small>
      </footer>
    </>
  );
}

function App() {
  const path = useRoute();
  const [me, setMe] = useState<Me | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const callback = path.startsWith("/app/callback");

  useEffect(() => {
    setUnauthorizedHandler(() => {
      setMe(null);
      void startSignIn();
    });
    let live = true;
    (async () => {
      try {
        if (callback) {
          const back = await completeSignIn();
          navigate(back, true);
        }
        if (!hasSession()) {
          await startSignIn();
          return;
        }
        const who = await whoAmI();
        if (live) {
          setMe(who);
          startOfflineSync();
        }
      } catch (error) {
        if (String(error).includes("not signed in")) {
          await startSignIn();
          return;
        }
        if (live) setProblem(String((error as Error).message || error));
      }
    })();
    return () => {
      live = false;
    };
  }, []);

  if (problem) {
    return (
      <main id="main" class="container">
        <h1>Signing in did not work</h1>
        <p role="alert">{problem}</p>
        <p>
          <button type="button" onClick={() => void startSignIn("/app")}>Sign in again</button>
        </p>
      </main>
    );
  }
  if (!me) {
    return (
      <main id="main" class="container">
        <h1>improvenet</h1>
        <p aria-busy="true" role="status">Signing you in…</p>
      </main>
    );
  }
  return <Shell me={me} path={path} />;
}

render(<App />, document.getElementById("root")!);
