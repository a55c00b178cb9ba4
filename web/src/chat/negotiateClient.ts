import { DefaultHttpClient, HttpClient, HttpError, HttpResponse, NullLogger, type HttpRequest } from "@microsoft/signalr";
import { describeProblem, retryAfterOf } from "../shared/http";

/** Why the server refused to open a session: the negotiate response's status, problem code and Retry-After. */
export interface Refusal {
  status: number;
  code?: string;
  message: string;
  retryAfterSeconds?: number;
}

/**
 * SignalR's HTTP client, except that the negotiate request is sent here so that a refusal keeps its status,
 * problem body and Retry-After header (the SignalR client folds them into one error string): the login gate
 * answers 503 `overloaded` with Retry-After, an expired or unknown token 401.
 */
export class NegotiateAwareHttpClient extends HttpClient {
  private readonly inner = new DefaultHttpClient(NullLogger.instance);
  private refusal?: Refusal;

  /** The last negotiate refusal, once. */
  takeRefusal(): Refusal | undefined {
    const refusal = this.refusal;
    this.refusal = undefined;
    return refusal;
  }

  override async send(request: HttpRequest): Promise<HttpResponse> {
    if (!request.url || !new URL(request.url, location.href).pathname.endsWith("/negotiate")) {
      return this.inner.send(request);
    }

    const abort = new AbortController();
    if (request.abortSignal) {
      request.abortSignal.onabort = () => abort.abort();
    }

    const response = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.content,
      signal: abort.signal,
      credentials: request.withCredentials ? "include" : "same-origin",
    });
    const text = await response.text();
    if (!response.ok) {
      const { code, message } = describeProblem(response.status, response.statusText, text);
      this.refusal = { status: response.status, code, message, retryAfterSeconds: retryAfterOf(response.headers) };
      throw new HttpError(message, response.status);
    }

    return new HttpResponse(response.status, response.statusText, text);
  }

  override getCookieString(url: string): string {
    return this.inner.getCookieString(url);
  }
}
