/**
 * An in-memory HttpClient: per address, a function that answers each request. Used by the
 * tests; it opens no socket.
 */
import type { HttpClient, HttpGet, HttpReply } from "../../../tools/verify/http";

/** The answer to one request: a reply, or the error a real client would reject with. */
export type FakeAnswer = HttpReply | { error: string };

/** Answers the requests to one address; `index` counts them from 0. */
export type FakeServer = (request: HttpGet, index: number) => FakeAnswer;

/** An HttpClient over fake servers that records every request it received. */
export class FakeHttpClient implements HttpClient {
    /** Every request, in order. */
    public readonly calls: HttpGet[] = [];
    private readonly counts = new Map<string, number>();

    constructor(private readonly servers: Record<string, FakeServer>) {}

    async get(request: HttpGet): Promise<HttpReply> {
        this.calls.push(request);
        const server = this.servers[request.address];
        // A request to an address the test did not set up is a mistake in the test.
        if (!server) throw new Error(`fake: no server at ${request.address} (servers: ${Object.keys(this.servers).join(", ") || "none"})`);
        const index = this.counts.get(request.address) ?? 0;
        this.counts.set(request.address, index + 1);
        const answer = server(request, index);
        if ("error" in answer) throw new Error(answer.error);
        return answer;
    }
}
