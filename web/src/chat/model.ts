/** What the client keeps on this device: the server deletes envelopes once they are acknowledged. */

export type Tick = "pending" | "sent" | "delivered" | "read" | "failed";

export interface Message {
  /** Local key: the clientMessageId of an outgoing message, the server's messageId of an incoming one. */
  key: string;
  messageId?: string;
  clientMessageId?: string;
  from: string;
  text: string;
  at: number;
  outgoing: boolean;
  /** Outgoing only. */
  status?: Tick;
  error?: string;
  deliveredBy?: string[];
  readBy?: string[];
  /** How many users the message went to (group members other than the sender at send time). */
  recipients?: number;
  /** Incoming only: a read receipt was stored for it. */
  readSent?: boolean;
  /** A group event line rather than a message. */
  system?: boolean;
}

export interface Chat {
  key: string;
  kind: "user" | "group";
  /** The peer's user id, or the group id. */
  peer: string;
  name: string;
  messages: Message[];
  unread: number;
  members?: string[];
  lastActivity: number;
  left?: boolean;
}

export interface StoredState {
  lastSeq: number;
  contacts: string[];
  chats: Record<string, Chat>;
}

export interface Presence {
  online: boolean | null;
  lastSeen: number | null;
}

export const chatKeyOfUser = (userId: string): string => `u:${userId}`;
export const chatKeyOfGroup = (groupId: string): string => `g:${groupId}`;

const maxMessagesPerChat = 1000;

/** The client's state for one user, saved as one JSON document in localStorage so lastSeq and messages move together. */
export class LocalStore {
  readonly state: StoredState;
  private readonly storageKey: string;

  constructor(readonly userId: string) {
    this.storageKey = `chat.v1.${userId}`;
    this.state = LocalStore.load(this.storageKey);
  }

  private static load(key: string): StoredState {
    try {
      const text = localStorage.getItem(key);
      if (text) {
        const parsed = JSON.parse(text) as StoredState;
        if (typeof parsed.lastSeq === "number" && parsed.chats) {
          return { lastSeq: parsed.lastSeq, contacts: parsed.contacts ?? [], chats: parsed.chats };
        }
      }
    } catch {
      // A damaged copy is dropped; the server still holds everything not acknowledged.
    }

    return { lastSeq: 0, contacts: [], chats: {} };
  }

  /** Must run before an Ack: what is acknowledged is gone from the server. */
  save(): void {
    for (const chat of Object.values(this.state.chats)) {
      if (chat.messages.length > maxMessagesPerChat) {
        chat.messages.splice(0, chat.messages.length - maxMessagesPerChat);
      }
    }

    localStorage.setItem(this.storageKey, JSON.stringify(this.state));
  }

  chat(key: string): Chat | undefined {
    return this.state.chats[key];
  }

  userChat(userId: string): Chat {
    const key = chatKeyOfUser(userId);
    return (this.state.chats[key] ??= { key, kind: "user", peer: userId, name: userId, messages: [], unread: 0, lastActivity: 0 });
  }

  groupChat(groupId: string, name?: string): Chat {
    const key = chatKeyOfGroup(groupId);
    const chat = (this.state.chats[key] ??= { key, kind: "group", peer: groupId, name: name ?? "group", messages: [], unread: 0, lastActivity: 0, members: [] });
    if (name) {
      chat.name = name;
    }

    return chat;
  }

  /** The outgoing message with this server id, wherever it is. */
  findOutgoing(messageId: string): { chat: Chat; message: Message } | undefined {
    for (const chat of Object.values(this.state.chats)) {
      for (let i = chat.messages.length - 1; i >= 0; i--) {
        const message = chat.messages[i];
        if (message.outgoing && message.messageId === messageId) {
          return { chat, message };
        }
      }
    }

    return undefined;
  }
}
