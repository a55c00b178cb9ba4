import { ApiError, bearer, callApi, withJitter } from "../shared/http";
import { chatKeyOfGroup, chatKeyOfUser, LocalStore, type Chat, type Message, type Presence } from "./model";
import { ChatSession, HubCallError, type Envelope, type LinkState, type PresenceChange, type TypingNotice } from "./session";

export interface SignedIn {
  userId: string;
  token: string;
  expiresAt: number;
}

interface GroupBody {
  groupId: string;
  name: string;
  members: { userId: string; role: string }[];
}

interface GroupEvent {
  event: string;
  actor: string;
  userIds: string[];
  name?: string;
}

const typingShownMs = 5000;
const typingEveryMs = 3000;
const markReadBatch = 500;
const maxAutoRetries = 5;

/** The chat client's state and actions; the view renders it and calls the actions. */
export class ChatApp {
  readonly store: LocalStore;
  readonly presence = new Map<string, Presence>();
  readonly typing = new Map<string, { from: string; until: number }>();
  openChat?: string;
  link: { state: LinkState; detail?: string } = { state: "connecting" };
  private readonly session: ChatSession;
  private readonly earlyReceipts = new Map<string, { delivered: Set<string>; read: Set<string> }>();
  private readonly autoRetries = new Map<string, number>();
  private lastTypingSent = 0;
  private markingRead = false;

  constructor(
    readonly me: SignedIn,
    private readonly changed: () => void,
    private readonly expired: (reason: string) => void,
  ) {
    this.store = new LocalStore(me.userId);
    this.session = new ChatSession(me.token, me.expiresAt, this.store, {
      envelope: (e) => this.onEnvelope(e),
      presence: (p) => this.onPresence(p),
      typing: (t) => this.onTyping(t),
      link: (state, detail) => {
        this.link = { state, detail };
        this.changed();
      },
      ready: () => void this.onReady(),
      expired: (reason) => this.expired(reason),
    });
  }

  async start(): Promise<void> {
    this.session.start();
    await Promise.all([this.loadContacts(), this.loadGroups()]).catch((e) => this.onRestError(e));
    this.changed();
  }

  stop(): Promise<void> {
    return this.session.stop();
  }

  get chats(): Chat[] {
    return Object.values(this.store.state.chats).sort((a, b) => b.lastActivity - a.lastActivity || a.name.localeCompare(b.name));
  }

  private rest<T>(method: string, path: string, body?: unknown): Promise<T> {
    return callApi<T>(method, path, { body, headers: bearer(this.me.token) });
  }

  private onRestError(e: unknown): void {
    if (e instanceof ApiError && e.status === 401) {
      this.expired("your session has expired; sign in again.");
    }
  }

  // ---- contacts and groups -------------------------------------------------------------------

  private async loadContacts(): Promise<void> {
    const { contacts } = await this.rest<{ contacts: string[] }>("GET", "/api/contacts");
    this.store.state.contacts = contacts;
    for (const id of contacts) {
      this.store.userChat(id);
    }

    this.store.save();
  }

  private async loadGroups(): Promise<void> {
    const { groups } = await this.rest<{ groups: { groupId: string; name: string }[] }>("GET", "/api/groups");
    for (const g of groups) {
      this.store.groupChat(g.groupId, g.name);
    }

    this.store.save();
  }

  /** Adds a user to the address book (the upload replaces it, so the whole book goes up). */
  async addContact(userId: string): Promise<void> {
    const wanted = [...new Set([...this.store.state.contacts, userId])];
    const { registered } = await this.rest<{ registered: string[] }>("PUT", "/api/contacts", { userIds: wanted });
    this.store.state.contacts = registered;
    if (!registered.includes(userId)) {
      throw new Error(`not_found: no user '${userId}' is registered.`);
    }

    this.store.userChat(userId).lastActivity ||= Date.now();
    this.store.save();
    this.select(chatKeyOfUser(userId));
    await this.refreshPresence();
  }

  async createGroup(name: string, members: string[]): Promise<void> {
    const group = await this.rest<GroupBody>("POST", "/api/groups", { name, members });
    this.applyGroup(group).lastActivity = Date.now();
    this.store.save();
    this.select(chatKeyOfGroup(group.groupId));
  }

  async addMember(groupId: string, userId: string): Promise<void> {
    const group = await this.rest<GroupBody>("POST", `/api/groups/${groupId}/members`, { userIds: [userId] });
    this.applyGroup(group);
    this.store.save();
    this.changed();
  }

  async refreshGroup(groupId: string): Promise<void> {
    try {
      this.applyGroup(await this.rest<GroupBody>("GET", `/api/groups/${groupId}`));
      this.store.save();
      this.changed();
    } catch (e) {
      this.onRestError(e);
    }
  }

  private applyGroup(group: GroupBody): Chat {
    const chat = this.store.groupChat(group.groupId, group.name);
    chat.members = group.members.map((m) => m.userId);
    return chat;
  }

  // ---- selection and reading -----------------------------------------------------------------

  select(key: string | undefined): void {
    this.openChat = key;
    const chat = key ? this.store.chat(key) : undefined;
    if (chat?.kind === "group") {
      void this.refreshGroup(chat.peer);
    }

    void this.markOpenChatRead();
    this.changed();
  }

  /** Read receipts for what is on screen: the open chat, while the page is visible. */
  async markOpenChatRead(): Promise<void> {
    const chat = this.openChat ? this.store.chat(this.openChat) : undefined;
    if (!chat || document.visibilityState !== "visible") {
      return;
    }

    chat.unread = 0;
    const unread = chat.messages.filter((m) => !m.outgoing && !m.system && m.messageId && !m.readSent);
    if (unread.length === 0 || this.markingRead || !this.session.isOnline) {
      return;
    }

    this.markingRead = true;
    try {
      for (let i = 0; i < unread.length; i += markReadBatch) {
        const batch = unread.slice(i, i + markReadBatch);
        await this.session.invoke<number>("MarkRead", { messageIds: batch.map((m) => m.messageId) });
        for (const m of batch) {
          m.readSent = true;
        }
      }

      this.store.save();
    } catch {
      // Marked again the next time the chat is shown or the client reconnects.
    } finally {
      this.markingRead = false;
    }
  }

  // ---- sending -------------------------------------------------------------------------------

  send(chatKey: string, text: string): void {
    const chat = this.store.chat(chatKey);
    if (!chat || text.trim().length === 0) {
      return;
    }

    const clientMessageId = crypto.randomUUID();
    const message: Message = {
      key: clientMessageId,
      clientMessageId,
      from: this.me.userId,
      text,
      at: Date.now(),
      outgoing: true,
      status: "pending",
      deliveredBy: [],
      readBy: [],
      recipients: chat.kind === "group" ? Math.max(1, (chat.members ?? []).filter((m) => m !== this.me.userId).length) : 1,
    };
    chat.messages.push(message);
    chat.lastActivity = message.at;
    this.store.save();
    this.changed();
    void this.deliver(chat, message);
  }

  /** Sends, or sends again: always with the message's own clientMessageId, so the server stores it once. */
  async deliver(chat: Chat, message: Message): Promise<void> {
    if (!message.clientMessageId || (message.status !== "pending" && message.status !== "failed")) {
      return;
    }

    message.status = "pending";
    message.error = undefined;
    this.changed();
    if (!this.session.isOnline) {
      return; // resent when the session is back
    }

    const target = chat.kind === "group" ? { groupId: chat.peer } : { to: chat.peer };
    try {
      const sent = await this.session.invoke<{ messageId: string; serverTimestamp: number }>("SendMessage", {
        clientMessageId: message.clientMessageId,
        ...target,
        payload: message.text,
      });
      message.messageId = sent.messageId;
      message.at = sent.serverTimestamp;
      message.status = "sent";
      const early = this.earlyReceipts.get(sent.messageId);
      if (early) {
        this.earlyReceipts.delete(sent.messageId);
        early.delivered.forEach((u) => this.addReceipt(message, "delivered", u));
        early.read.forEach((u) => this.addReceipt(message, "read", u));
      }
      this.autoRetries.delete(message.key);
    } catch (e) {
      const code = e instanceof HubCallError ? e.code : undefined;
      const lost = !this.session.isOnline && (code === undefined || code === "unavailable");
      if (!lost) {
        message.status = "failed";
        message.error = e instanceof Error ? e.message : String(e);
        if (code === undefined || code === "overloaded" || code === "unavailable") {
          this.retryLater(chat, message);
        }
      }
    }

    this.store.save();
    this.changed();
  }

  /** overloaded and unavailable are passing: try again by itself after the hinted wait, backing off, a few times. */
  private retryLater(chat: Chat, message: Message): void {
    const attempt = (this.autoRetries.get(message.key) ?? 0) + 1;
    if (attempt > maxAutoRetries) {
      return; // the Retry button stays
    }

    this.autoRetries.set(message.key, attempt);
    const hinted = /retry after (\d+) ms/.exec(message.error ?? "");
    const waitMs = withJitter(Math.max(hinted ? Number(hinted[1]) : 0, 1000 * 2 ** (attempt - 1)));
    setTimeout(() => void this.deliver(chat, message), waitMs);
  }

  retry(chatKey: string, messageKey: string): void {
    const chat = this.store.chat(chatKey);
    const message = chat?.messages.find((m) => m.key === messageKey);
    if (chat && message) {
      void this.deliver(chat, message);
    }
  }

  typed(chatKey: string): void {
    const chat = this.store.chat(chatKey);
    if (!chat || !this.session.isOnline || Date.now() - this.lastTypingSent < typingEveryMs) {
      return;
    }

    this.lastTypingSent = Date.now();
    const target = chat.kind === "group" ? { groupId: chat.peer } : { to: chat.peer };
    this.session.invoke("Typing", target).catch(() => undefined); // a hint: losing one is fine
  }

  // ---- what the session hands over -----------------------------------------------------------

  private async onReady(): Promise<void> {
    for (const chat of Object.values(this.store.state.chats)) {
      for (const message of chat.messages) {
        if (message.outgoing && message.status === "pending") {
          await this.deliver(chat, message);
        }
      }
    }

    await this.markOpenChatRead();
    await this.refreshPresence();
    this.changed();
  }

  async refreshPresence(): Promise<void> {
    const userIds = this.store.state.contacts.slice(0, 500);
    if (userIds.length === 0 || !this.session.isOnline) {
      return;
    }

    try {
      const { presences } = await this.session.invoke<{ presences: PresenceChange[] }>("GetPresence", { userIds });
      presences.forEach((p) => this.presence.set(p.userId, { online: p.online, lastSeen: p.lastSeen }));
      this.changed();
    } catch {
      // Presence is a hint; pushes and the next reconnect refresh it.
    }
  }

  private onPresence(p: PresenceChange): void {
    this.presence.set(p.userId, { online: p.online, lastSeen: p.lastSeen });
    this.changed();
  }

  private onTyping(t: TypingNotice): void {
    const key = t.groupId ? chatKeyOfGroup(t.groupId) : chatKeyOfUser(t.from);
    this.typing.set(key, { from: t.from, until: Date.now() + typingShownMs });
    this.changed();
    setTimeout(() => this.changed(), typingShownMs + 50);
  }

  private onEnvelope(e: Envelope): void {
    switch (e.kind) {
      case "message":
        this.onMessage(e);
        break;
      case "delivered":
      case "read":
        this.onReceipt(e);
        break;
      case "group_event":
        this.onGroupEvent(e);
        break;
      default:
        break; // unknown kinds are acknowledged and ignored
    }

    this.changed();
  }

  private onMessage(e: Envelope): void {
    const chat = e.groupId ? this.store.groupChat(e.groupId) : this.store.userChat(e.from);
    if (chat.messages.some((m) => !m.outgoing && m.messageId === e.messageId)) {
      return;
    }

    chat.messages.push({ key: e.messageId, messageId: e.messageId, from: e.from, text: e.payload ?? "", at: e.sentAt, outgoing: false });
    chat.lastActivity = Math.max(chat.lastActivity, e.sentAt);
    this.typing.delete(chat.key);
    if (this.openChat === chat.key && document.visibilityState === "visible") {
      queueMicrotask(() => void this.markOpenChatRead());
    } else {
      chat.unread++;
    }

    if (e.groupId && chat.name === "group") {
      void this.refreshGroup(e.groupId);
    }
  }

  private onReceipt(e: Envelope): void {
    const kind = e.kind as "delivered" | "read";
    const found = this.store.findOutgoing(e.messageId);
    if (found) {
      this.addReceipt(found.message, kind, e.from);
      return;
    }

    // The receipt can overtake the answer to SendMessage; keep it until the message id is known.
    const early = this.earlyReceipts.get(e.messageId) ?? { delivered: new Set<string>(), read: new Set<string>() };
    early[kind].add(e.from);
    this.earlyReceipts.set(e.messageId, early);
  }

  private addReceipt(message: Message, kind: "delivered" | "read", from: string): void {
    const delivered = new Set(message.deliveredBy ?? []);
    const read = new Set(message.readBy ?? []);
    delivered.add(from); // read implies delivered
    if (kind === "read") {
      read.add(from);
    }

    message.deliveredBy = [...delivered];
    message.readBy = [...read];
    const recipients = message.recipients ?? 1;
    message.status = read.size >= recipients ? "read" : delivered.size >= recipients ? "delivered" : "sent";
  }

  private onGroupEvent(e: Envelope): void {
    if (!e.groupId || !e.payload) {
      return;
    }

    let event: GroupEvent;
    try {
      event = JSON.parse(e.payload) as GroupEvent;
    } catch {
      return;
    }

    const chat = this.store.groupChat(e.groupId, event.name);
    const members = new Set(chat.members ?? []);
    const me = this.me.userId;
    let line: string;
    switch (event.event) {
      case "created":
        event.userIds.forEach((u) => members.add(u));
        line = `${event.actor} created the group "${event.name ?? chat.name}"`;
        break;
      case "members_added":
        event.userIds.forEach((u) => members.add(u));
        if (event.userIds.includes(me)) {
          chat.left = false;
          void this.refreshGroup(e.groupId); // the event lists only the new members
        }

        line = `${event.actor} added ${event.userIds.join(", ")}`;
        break;
      case "member_removed":
        event.userIds.forEach((u) => members.delete(u));
        chat.left ||= event.userIds.includes(me);
        line = `${event.actor} removed ${event.userIds.join(", ")}`;
        break;
      case "member_left":
        event.userIds.forEach((u) => members.delete(u));
        chat.left ||= event.userIds.includes(me);
        line = `${event.userIds.join(", ")} left`;
        break;
      case "admin_promoted":
        line = `${event.userIds.join(", ")} is now an admin`;
        break;
      default:
        return;
    }

    chat.members = [...members];
    chat.lastActivity = Math.max(chat.lastActivity, e.sentAt);
    if (!chat.messages.some((m) => m.key === e.messageId)) {
      chat.messages.push({ key: e.messageId, messageId: e.messageId, from: e.from, text: line, at: e.sentAt, outgoing: false, system: true });
    }
  }
}
