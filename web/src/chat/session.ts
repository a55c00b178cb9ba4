import { HubConnection, HubConnectionBuilder, HubConnectionState, LogLevel } from "@microsoft/signalr";
import { hubError, sleep, withJitter } from "../shared/http";
import type { LocalStore } from "./model";
import { NegotiateAwareHttpClient } from "./negotiateClient";

/** An envelope as the hub sends it (docs/PROTOCOL.md, "Envelopes"). */
export interface Envelope {
  seq: number;
  messageId: string;
  kind: string;
  from: string;
  groupId: string | null;
  payload: string | null;
  sentAt: number;
}

export interface PresenceChange {
  userId: string;
  online: boolean | null;
  lastSeen: number | null;
}

export interface TypingNotice {
  from: string;
  groupId: string | null;
}

export type LinkState = "connecting" | "online" | "offline" | "refused" | "retrying";

export interface SessionEvents {
  /** Stores one envelope; must finish synchronously, since lastSeq moves past it right after. */
  envelope(e: Envelope): void;
  presence(p: PresenceChange): void;
  typing(t: TypingNotice): void;
  link(state: LinkState, detail?: string): void;
  /** Connected and caught up: refresh presence, resend what is unanswered. */
  ready(): void;
  /** The token expired or was refused: back to sign-in. */
  expired(reason: string): void;
}

/** A hub call that failed: the server's error code (docs/PROTOCOL.md, "Errors") when it gave one. */
export class HubCallError extends Error {
  constructor(readonly code: string | undefined, message: string) {
    super(message);
  }
}

const ackDelayMs = 250;
const fetchPageSize = 200;
const maxBackoffMs = 60_000;

/**
 * The client loop of docs/PROTOCOL.md: connect (backing off, and waiting out the login gate), fetch what is
 * pending, handle live pushes in seq order (dropping repeats, fetching to fill gaps), acknowledge only what is
 * stored, reconnect and sync after any drop.
 */
export class ChatSession {
  private connection?: HubConnection;
  private readonly http = new NegotiateAwareHttpClient();
  private stopped = false;
  private connecting = false;
  private draining = false;
  private drainAgain = false;
  private buffered: Envelope[] = [];
  private ackedUpTo = 0;
  private ackTimer?: number;
  private expiryTimer?: number;

  constructor(
    private readonly token: string,
    private readonly expiresAt: number,
    private readonly store: LocalStore,
    private readonly events: SessionEvents,
  ) {}

  get isOnline(): boolean {
    return this.connection?.state === HubConnectionState.Connected;
  }

  start(): void {
    window.addEventListener("offline", this.onOffline);
    window.addEventListener("online", this.onOnline);
    document.addEventListener("visibilitychange", this.onVisible);
    this.expiryTimer = window.setTimeout(() => this.expire("your session has expired; sign in again."), Math.max(0, this.expiresAt - Date.now()));
    void this.connectLoop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    window.removeEventListener("offline", this.onOffline);
    window.removeEventListener("online", this.onOnline);
    document.removeEventListener("visibilitychange", this.onVisible);
    window.clearTimeout(this.expiryTimer);
    window.clearTimeout(this.ackTimer);
    const connection = this.connection;
    this.connection = undefined;
    await connection?.stop();
  }

  /** Calls a hub method; an expired token ends the session. */
  async invoke<T>(method: string, request: object): Promise<T> {
    const connection = this.connection;
    if (!connection || connection.state !== HubConnectionState.Connected) {
      throw new HubCallError("unavailable", "unavailable: not connected.");
    }

    try {
      return await connection.invoke<T>(method, request);
    } catch (e) {
      const { code, message } = hubError(e);
      if (code === "forbidden" && (message.includes("token has expired") || Date.now() >= this.expiresAt)) {
        this.expire("your session has expired; sign in again.");
      }

      throw new HubCallError(code, message);
    }
  }

  private readonly onOffline = (): void => {
    // Browsers keep a WebSocket open across a network loss for a long time; drop it now and sync when back.
    // Detached at once: the close handshake may never finish without a network.
    const connection = this.connection;
    this.connection = undefined;
    this.events.link("offline", "no network");
    void connection?.stop();
  };

  private readonly onOnline = (): void => {
    if (!this.connection) {
      void this.connectLoop();
    }
  };

  private readonly onVisible = (): void => {
    // A push can be lost without anything being lost: fetch when the page comes back into view.
    if (document.visibilityState === "visible" && this.isOnline) {
      void this.drain();
    }
  };

  private expire(reason: string): void {
    if (!this.stopped) {
      void this.stop();
      this.events.expired(reason);
    }
  }

  private build(): HubConnection {
    const connection = new HubConnectionBuilder()
      .withUrl("/hubs/chat", { accessTokenFactory: () => this.token, httpClient: this.http })
      .configureLogging(LogLevel.None)
      .build();
    connection.on("ReceiveMessage", (e: Envelope) => this.onPush(e));
    connection.on("PresenceChanged", (p: PresenceChange) => this.events.presence(p));
    connection.on("UserTyping", (t: TypingNotice) => this.events.typing(t));
    connection.onclose(() => {
      if (this.connection === connection) {
        this.connection = undefined;
        if (!this.stopped) {
          void this.connectLoop();
        }
      }
    });
    return connection;
  }

  private async connectLoop(): Promise<void> {
    if (this.connecting) {
      return;
    }

    this.connecting = true;
    try {
      let failures = 0;
      while (!this.stopped && !this.connection) {
        if (!navigator.onLine) {
          this.events.link("offline", "no network");
          return; // the "online" event starts the loop again
        }

        this.events.link(failures === 0 ? "connecting" : "retrying");
        const connection = this.build();
        try {
          await connection.start();
        } catch (e) {
          const refusal = this.http.takeRefusal();
          if (refusal?.status === 401) {
            this.expire("your session has expired or was refused; sign in again.");
            return;
          }

          if (refusal?.status === 503) {
            // The login gate: wait at least Retry-After, plus jitter, then try again.
            const waitMs = withJitter((refusal.retryAfterSeconds ?? 10) * 1000);
            this.events.link("refused", `${refusal.message} Trying again in ${Math.round(waitMs / 1000)} s.`);
            await sleep(waitMs);
            continue;
          }

          failures++;
          const waitMs = withJitter(Math.min(maxBackoffMs, 1000 * 2 ** Math.min(failures - 1, 6)));
          this.events.link("retrying", `${refusal?.message ?? String(e)}; trying again in ${Math.round(waitMs / 1000)} s.`);
          await sleep(waitMs);
          continue;
        }

        if (this.stopped) {
          await connection.stop();
          return;
        }

        this.connection = connection;
        this.events.link("online");
        await this.drain();
        if (this.connection === connection) {
          this.events.ready();
        }
      }
    } finally {
      this.connecting = false;
    }
  }

  private onPush(e: Envelope): void {
    if (this.draining) {
      this.buffered.push(e); // handled once the drain is done
      return;
    }

    const lastSeq = this.store.state.lastSeq;
    if (e.seq <= lastSeq) {
      return; // a repeat
    }

    if (e.seq === lastSeq + 1) {
      this.handle(e);
      this.scheduleAck();
      return;
    }

    void this.drain(); // a gap: the store's answer is authoritative, and includes e
  }

  private handle(e: Envelope): void {
    this.events.envelope(e);
    this.store.state.lastSeq = e.seq;
  }

  /** Fetches everything after lastSeq, page by page, then acknowledges it. Safe to call at any time. */
  async drain(): Promise<void> {
    if (this.draining) {
      this.drainAgain = true;
      return;
    }

    this.draining = true;
    try {
      do {
        this.drainAgain = false;
        let page: { envelopes: Envelope[]; hasMore: boolean };
        do {
          page = await this.invoke("FetchPending", { afterSeq: this.store.state.lastSeq, limit: fetchPageSize });
          for (const e of page.envelopes) {
            if (e.seq > this.store.state.lastSeq) {
              this.handle(e);
            }
          }

          await this.ack();
        } while (page.hasMore);

        // Pushes that came in while fetching: repeats are dropped, a gap means one more round.
        const buffered = this.buffered.splice(0).sort((a, b) => a.seq - b.seq);
        for (const e of buffered) {
          if (e.seq === this.store.state.lastSeq + 1) {
            this.handle(e);
          } else if (e.seq > this.store.state.lastSeq) {
            this.drainAgain = true;
            break;
          }
        }

        await this.ack();
      } while (this.drainAgain && this.isOnline);
    } catch {
      // The connection dropped or the store failed: the next connect (or gap) drains again.
    } finally {
      this.draining = false;
      // Pushes that arrived during the last acknowledgement go through the live path.
      for (const e of this.buffered.splice(0).sort((a, b) => a.seq - b.seq)) {
        this.onPush(e);
      }
    }
  }

  private scheduleAck(): void {
    window.clearTimeout(this.ackTimer);
    this.ackTimer = window.setTimeout(() => void this.ack().catch(() => undefined), ackDelayMs);
  }

  /** Saves first: an acknowledged envelope exists nowhere else. */
  private async ack(): Promise<void> {
    this.store.save();
    const upToSeq = this.store.state.lastSeq;
    if (upToSeq > this.ackedUpTo) {
      await this.invoke<number>("Ack", { upToSeq });
      this.ackedUpTo = Math.max(this.ackedUpTo, upToSeq);
    }
  }
}
