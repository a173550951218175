/**
 * What verify needs to call an ingress gateway from this machine, as plain data: the real
 * client (`httpClient.ts`, on Node's http/https) and the fake one for tests (`tests/tools/fakes/fakeHttp.ts`)
 * both implement it.
 */

/** One GET request to an address, with the name it is meant for. */
export interface HttpGet {
    /** The IP address to connect to (an ingress gateway's). */
    address: string;
    port: number;
    /** Path and query, e.g. `/hello`. */
    path: string;
    /** Host header; when absent, the address is sent. */
    host?: string;
    /** HTTPS when set; plain HTTP otherwise. */
    tls?: {
        /** TLS server name (SNI), and the name the certificate must carry. */
        serverName?: string;
        /** Check the certificate against the trusted CAs and the server name. */
        verifyCertificate: boolean;
    };
    /** Give up (and reject) after this many milliseconds: connecting, TLS and the whole reply. */
    timeoutMs: number;
}

/** What the server answered, whatever its status. */
export interface HttpReply {
    status: number;
    body: string;
}

/** The calls verify makes over HTTP. Implementations reject with messages for people. */
export interface HttpClient {
    /** Sends one GET; resolves with any HTTP status, rejects when no reply arrived. */
    get(request: HttpGet): Promise<HttpReply>;
}
