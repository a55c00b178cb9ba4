import { byId, clock, h, lastSeenText } from "../shared/dom";
import type { ChatApp } from "./app";
import type { Chat, Message } from "./model";

const tickText: Record<string, string> = { pending: "🕓", sent: "✓", delivered: "✓✓", read: "✓✓", failed: "!" };
const linkText: Record<string, string> = { connecting: "connecting…", online: "online", offline: "offline", refused: "waiting", retrying: "reconnecting…" };

/** Renders the app's state into the page; rebuilt on every change (chats and messages are small). */
export class ChatView {
  constructor(private readonly app: ChatApp) {}

  render(): void {
    const app = this.app;
    byId("me").textContent = app.me.userId;
    const link = byId("link");
    link.textContent = linkText[app.link.state] ?? app.link.state;
    link.dataset.state = app.link.state;
    const detail = byId("link-detail");
    detail.hidden = app.link.state === "online" || !app.link.detail;
    detail.textContent = app.link.detail ?? "";
    this.renderList();
    this.renderConversation();
    byId("app").classList.toggle("show-chat", app.openChat !== undefined);
  }

  private subtitle(chat: Chat): string {
    const typing = this.app.typing.get(chat.key);
    if (typing && typing.until > Date.now()) {
      return chat.kind === "group" ? `${typing.from} is typing…` : "typing…";
    }

    if (chat.kind === "group") {
      return chat.left ? "you are no longer a member" : (chat.members ?? []).join(", ");
    }

    const presence = this.app.presence.get(chat.peer);
    if (presence?.online) {
      return "online";
    }

    return presence?.lastSeen ? lastSeenText(presence.lastSeen) : "";
  }

  private renderList(): void {
    const list = byId("chat-list");
    list.replaceChildren(
      ...this.app.chats.map((chat) => {
        const last = chat.messages.at(-1);
        const typing = this.app.typing.get(chat.key);
        const preview = typing && typing.until > Date.now() ? this.subtitle(chat) : last ? `${last.outgoing ? "You: " : ""}${last.text}` : "";
        const online = chat.kind === "user" && this.app.presence.get(chat.peer)?.online === true;
        const item = h(
          "li",
          { class: `chat-item${chat.key === this.app.openChat ? " active" : ""}`, "data-testid": "chat-item", "data-chat": chat.key, "data-name": chat.name, tabindex: 0 },
          h("span", { class: `avatar${online ? " online" : ""}`, "data-testid": "presence", "data-online": online }, chat.name.slice(0, 1).toUpperCase()),
          h("span", { class: "line" }, h("span", { class: "name", "data-testid": "chat-name" }, chat.name), h("span", { class: "preview" }, preview)),
          h(
            "span",
            { class: "side" },
            last ? h("time", {}, clock(last.at)) : null,
            chat.unread > 0 ? h("span", { class: "unread", "data-testid": "unread" }, String(chat.unread)) : null,
          ),
        );
        const open = (): void => this.app.select(chat.key);
        item.addEventListener("click", open);
        item.addEventListener("keydown", (e) => e.key === "Enter" && open());
        return item;
      }),
    );
  }

  private renderConversation(): void {
    const chat = this.app.openChat ? this.app.store.chat(this.app.openChat) : undefined;
    byId("empty").hidden = chat !== undefined;
    for (const id of ["chat-header", "messages", "composer"]) {
      byId(id).hidden = chat === undefined;
    }

    byId("members-toggle").hidden = chat?.kind !== "group";
    if (!chat) {
      byId("members").hidden = true;
      return;
    }

    byId("chat-title").textContent = chat.name;
    byId("chat-subtitle").textContent = this.subtitle(chat);
    byId("member-list").replaceChildren(...(chat.members ?? []).map((m) => h("li", { "data-testid": "member" }, m)));

    const messages = byId("messages");
    const atBottom = messages.scrollHeight - messages.scrollTop - messages.clientHeight < 40;
    messages.replaceChildren(...chat.messages.map((m) => this.message(chat, m)));
    if (atBottom || chat.messages.at(-1)?.outgoing) {
      messages.scrollTop = messages.scrollHeight;
    }
  }

  private message(chat: Chat, m: Message): HTMLElement {
    if (m.system) {
      return h("li", { class: "system", "data-testid": "event" }, m.text);
    }

    const status = m.status ?? "";
    const receipts = m.outgoing && chat.kind === "group" ? `delivered: ${(m.deliveredBy ?? []).join(", ") || "nobody yet"}; read: ${(m.readBy ?? []).join(", ") || "nobody yet"}` : undefined;
    const item = h(
      "li",
      { class: `msg ${m.outgoing ? "out" : "in"}`, "data-testid": "message", "data-key": m.key, "data-status": status || undefined, "data-from": m.from },
      chat.kind === "group" && !m.outgoing ? h("div", { class: "sender" }, m.from) : null,
      h("div", { class: "text", "data-testid": "message-text" }, m.text),
      h(
        "div",
        { class: "meta" },
        h("time", {}, clock(m.at)),
        m.outgoing ? h("span", { class: `tick ${status}`, "data-testid": "tick", "data-status": status, title: receipts ?? status, "aria-label": status }, tickText[status] ?? "") : null,
      ),
    );
    if (m.outgoing && m.status === "failed") {
      const retry = h("button", { class: "retry", "data-testid": "retry", type: "button" }, "Retry");
      retry.addEventListener("click", () => this.app.retry(chat.key, m.key));
      item.append(h("div", { class: "error", "data-testid": "send-error" }, m.error ?? "not sent"), retry);
    }

    return item;
  }
}
