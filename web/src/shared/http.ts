/** A failed REST call: the HTTP status and, from the RFC 7807 problem body, the stable error code (docs/PROTOCOL.md). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

export interface Problem {
  code?: string;
  detail?: string;
  title?: string;
}

/** Turns a problem body into one line that starts with the error code, as the server's `detail` does. */
export function describeProblem(status: number, statusText: string, body: string): { code?: string; message: string } {
  try {
    const problem = JSON.parse(body) as Problem;
    const message = problem.detail ?? problem.title ?? `${status} ${statusText}`;
    return { code: problem.code, message };
  } catch {
    return { message: body.trim() || `${status} ${statusText}` };
  }
}

export function retryAfterOf(headers: Headers): number | undefined {
  const value = headers.get("Retry-After");
  const seconds = value === null ? NaN : Number(value);
  return Number.isFinite(seconds) ? seconds : undefined;
}

/** Calls a REST endpoint with a JSON body; resolves with the parsed JSON (undefined for 204) or rejects with ApiError. */
export async function callApi<T>(method: string, path: string, options: { body?: unknown; headers?: Record<string, string> } = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json", ...options.headers };
  if (options.body !== undefined) {
    headers["Content-Type"] = "application/json";
  }

  let response: Response;
  try {
    response = await fetch(path, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  } catch (e) {
    throw new ApiError(0, "unavailable", `unavailable: the server cannot be reached (${String(e)}).`);
  }

  const text = await response.text();
  if (!response.ok) {
    const { code, message } = describeProblem(response.status, response.statusText, text);
    throw new ApiError(response.status, code, message, retryAfterOf(response.headers));
  }

  return (text.length === 0 ? undefined : JSON.parse(text)) as T;
}

export const bearer = (token: string): Record<string, string> => ({ Authorization: `Bearer ${token}` });

/** The text after the last "HubException: " of a failed hub call, and the code before its first colon. */
export function hubError(error: unknown): { code?: string; message: string } {
  const text = error instanceof Error ? error.message : String(error);
  const marker = "HubException: ";
  const at = text.lastIndexOf(marker);
  if (at < 0) {
    return { message: text };
  }

  const message = text.slice(at + marker.length);
  const colon = message.indexOf(":");
  return { code: colon > 0 ? message.slice(0, colon) : undefined, message };
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Adds up to a quarter of random jitter, so clients that failed together do not retry together. */
export const withJitter = (ms: number): number => ms + Math.random() * ms * 0.25;
