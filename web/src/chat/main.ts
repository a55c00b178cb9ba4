import "./chat.css";
import { ApiError, callApi } from "../shared/http";
import { byId, h } from "../shared/dom";
import { ChatApp, type SignedIn } from "./app";
import { ChatView } from "./view";

/** The token is kept for this browser tab's session only, never across a browser restart. */
const sessionKey = "chat.session";

let app: ChatApp | undefined;
let view: ChatView | undefined;
let renderQueued = false;

function scheduleRender(): void {
  if (!renderQueued) {
    renderQueued = true;
    setTimeout(() => {
      renderQueued = false;
      view?.render();
    }, 0);
  }
}

function showSignIn(message = ""): void {
  byId("app").hidden = true;
  byId("signin").hidden = false;
  byId("signin-error").textContent = message;
  byId<HTMLInputElement>("signin-user").focus();
}

async function enter(me: SignedIn): Promise<void> {
  sessionStorage.setItem(sessionKey, JSON.stringify(me));
  byId("signin").hidden = true;
  byId("app").hidden = false;
  app = new ChatApp(me, scheduleRender, (reason) => void leave(reason));
  view = new ChatView(app);
  view.render();
  await app.start();
}

async function leave(reason = ""): Promise<void> {
  sessionStorage.removeItem(sessionKey);
  const current = app;
  app = undefined;
  view = undefined;
  await current?.stop();
  showSignIn(reason);
}

async function signIn(register: boolean): Promise<void> {
  const userId = byId<HTMLInputElement>("signin-user").value.trim();
  const password = byId<HTMLInputElement>("signin-password").value;
  const error = byId("signin-error");
  error.textContent = "";
  try {
    if (register) {
      await callApi("POST", "/api/accounts", { body: { userId, password } });
    }

    const token = await callApi<{ accessToken: string; expiresAt: string }>("POST", "/api/tokens", { body: { userId, password } });
    await enter({ userId, token: token.accessToken, expiresAt: Date.parse(token.expiresAt) });
  } catch (e) {
    error.textContent = e instanceof ApiError ? e.message : String(e);
  }
}

function wire(): void {
  byId("signin-form").addEventListener("submit", (e) => {
    e.preventDefault();
    void signIn(false);
  });
  byId("register").addEventListener("click", () => void signIn(true));
  byId("signout").addEventListener("click", () => void leave());
  byId("back").addEventListener("click", () => app?.select(undefined));

  byId("add-contact").addEventListener("submit", (e) => {
    e.preventDefault();
    const input = byId<HTMLInputElement>("add-contact-id");
    const error = byId("sidebar-error");
    error.textContent = "";
    app?.addContact(input.value.trim().toLowerCase()).then(
      () => (input.value = ""),
      (err: unknown) => (error.textContent = err instanceof Error ? err.message : String(err)),
    );
  });

  const composer = byId<HTMLTextAreaElement>("composer-text");
  const send = (): void => {
    if (app?.openChat && composer.value.trim()) {
      app.send(app.openChat, composer.value);
      composer.value = "";
    }
  };
  byId("composer").addEventListener("submit", (e) => {
    e.preventDefault();
    send();
    composer.focus();
  });
  composer.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      send();
    }
  });
  composer.addEventListener("input", () => app?.openChat && app.typed(app.openChat));

  byId("members-toggle").addEventListener("click", () => {
    const members = byId("members");
    members.hidden = !members.hidden;
  });
  byId("add-member").addEventListener("submit", (e) => {
    e.preventDefault();
    const chat = app?.openChat ? app.store.chat(app.openChat) : undefined;
    const input = byId<HTMLInputElement>("add-member-id");
    const error = byId("members-error");
    error.textContent = "";
    if (app && chat?.kind === "group") {
      app.addMember(chat.peer, input.value.trim().toLowerCase()).then(
        () => (input.value = ""),
        (err: unknown) => (error.textContent = err instanceof Error ? err.message : String(err)),
      );
    }
  });

  const dialog = byId<HTMLDialogElement>("group-dialog");
  byId("new-group").addEventListener("click", () => {
    byId("group-error").textContent = "";
    byId<HTMLInputElement>("group-name").value = "";
    byId("group-members").replaceChildren(
      ...(app?.store.state.contacts ?? []).map((c) =>
        h("label", { class: "choice" }, h("input", { type: "checkbox", value: c, "data-testid": "group-member-choice" }), c),
      ),
    );
    dialog.showModal();
  });
  byId("group-cancel").addEventListener("click", () => dialog.close());
  byId("group-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const name = byId<HTMLInputElement>("group-name").value.trim();
    const members = [...byId("group-members").querySelectorAll<HTMLInputElement>("input:checked")].map((i) => i.value);
    app?.createGroup(name, members).then(
      () => dialog.close(),
      (err: unknown) => (byId("group-error").textContent = err instanceof Error ? err.message : String(err)),
    );
  });

  document.addEventListener("visibilitychange", () => void app?.markOpenChatRead());
  // Escape closes the open chat (the phone layout's back button), unless a dialog has it.
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && !byId<HTMLDialogElement>("group-dialog").open) {
      app?.select(undefined);
    }
  });
}

wire();
const saved = sessionStorage.getItem(sessionKey);
const me = saved ? (JSON.parse(saved) as SignedIn) : undefined;
if (me && me.expiresAt > Date.now()) {
  void enter(me);
} else {
  showSignIn(me ? "your session has expired; sign in again." : "");
}
