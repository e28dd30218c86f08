import { StrictMode } from "react";
import { createRoot, hydrateRoot } from "react-dom/client";
import { App } from "./app";
import { embeddedAnswers, readEmbeddedData } from "./embedded-data";
import { NAVIGATED } from "./router";
import "./styles.css";

const root = document.getElementById("root") as HTMLElement;
const embedded = readEmbeddedData();

if (embedded) {
  // The server rendered this page from the data it embedded: the app hydrates from the same data,
  // and asks for anything on the next page it shows.
  const answers = embeddedAnswers(embedded);
  window.addEventListener(NAVIGATED, answers.forget, { once: true });
  window.addEventListener("popstate", answers.forget, { once: true });
  hydrateRoot(
    root,
    <StrictMode>
      <App answers={answers} />
    </StrictMode>,
  );
} else {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
