import * as http from "http";
import * as https from "https";
import type { AddressInfo } from "net";
import type { HttpGet } from "../../tools/verify/http";
import { NodeHttpClient } from "../../tools/verify/httpClient";

// verify's real HTTP client against servers on 127.0.0.1: what reaches the server (Host header,
// TLS server name), what a refused connection, a silent server and an untrusted certificate
// turn into.

/**
 * A self-signed certificate for hello.example.com (P-256, valid 2000-2100), as a user's test
 * gateway might carry. Made with `openssl ca -selfsign`; only these tests use it.
 */
const cert = `-----BEGIN CERTIFICATE-----
MIIBmTCCAT6gAwIBAgIBATAKBggqhkjOPQQDAjAcMRowGAYDVQQDDBFoZWxsby5l
eGFtcGxlLmNvbTAgFw0wMDAxMDEwMDAwMDBaGA8yMTAwMDEwMTAwMDAwMFowHDEa
MBgGA1UEAwwRaGVsbG8uZXhhbXBsZS5jb20wWTATBgcqhkjOPQIBBggqhkjOPQMB
BwNCAAToGmtagmx4DLhQBQ4ylu8GOWz5lvdtjLLcKXjfo6Y5lTkmOccqKQ9B/UGm
MCx5SFZbLNIp9bgB4D+dsxr0RV9Ao28wbTAcBgNVHREEFTATghFoZWxsby5leGFt
cGxlLmNvbTAMBgNVHRMBAf8EAjAAMAsGA1UdDwQEAwIHgDATBgNVHSUEDDAKBggr
BgEFBQcDATAdBgNVHQ4EFgQUww6tamdW3kThMAvMRve2qKKdkGIwCgYIKoZIzj0E
AwIDSQAwRgIhAPJAXyATYwdWfbi3GmLMRb5d6SINGkhqBnjaS2s8LkTyAiEA5UfX
vDrbK17DSz2WLFH8v8nmZxUabbIQWctvDxazKVw=
-----END CERTIFICATE-----
`;
const key = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgkkQ3oRSMgck5R7WQ
oqJ0sMNLKyP22v53W3ZgC2gpfdGhRANCAAToGmtagmx4DLhQBQ4ylu8GOWz5lvdt
jLLcKXjfo6Y5lTkmOccqKQ9B/UGmMCx5SFZbLNIp9bgB4D+dsxr0RV9A
-----END PRIVATE KEY-----
`;

/** What one request looked like on arrival. */
interface Received {
    host?: string;
    path?: string;
    /** TLS server name the client sent (SNI); undefined over plain HTTP or without SNI. */
    serverName?: string;
}

const received: Received[] = [];
const reply = "Hello version: v2, instance: helloworld-v2-7d5b8f9c6b-x2kqz\n";

/** Answers /hello like helloworld behind the gateway, redirects /moved there, anything else: 404. */
function handler(req: http.IncomingMessage, res: http.ServerResponse): void {
    const tls = req.socket as { servername?: string | false };
    received.push({ host: req.headers.host, path: req.url, serverName: tls.servername || undefined });
    if (req.url === "/hello") {
        res.writeHead(200, { "content-type": "text/plain" }).end(reply);
    } else if (req.url === "/moved") {
        res.writeHead(301, { location: "/hello" }).end();
    } else {
        res.writeHead(404).end();
    }
}

const plain = http.createServer(handler);
const secure = https.createServer({ cert, key }, handler);
/** Accepts connections and never answers. */
const silent = http.createServer(() => undefined);
let closedPort = 0;

const portOf = (server: http.Server) => (server.address() as AddressInfo).port;
const listen = (server: http.Server) => new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const close = (server: http.Server) =>
    new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
    });

beforeAll(async () => {
    await Promise.all([listen(plain), listen(secure), listen(silent)]);
    // A port nothing listens on: bound once, then released.
    const spare = http.createServer();
    await listen(spare);
    closedPort = portOf(spare);
    await close(spare);
});

afterAll(() => Promise.all([close(plain), close(secure), close(silent)]));

beforeEach(() => {
    received.length = 0;
});

const client = new NodeHttpClient();
const get = (request: Partial<HttpGet> & { port: number }) =>
    client.get({ address: "127.0.0.1", path: "/hello", timeoutMs: 5000, ...request });

describe("the real HTTP client", () => {
    it("gets a reply over plain HTTP, sending the address as Host when no host is given", async () => {
        await expect(get({ port: portOf(plain) })).resolves.toEqual({ status: 200, body: reply });
        expect(received).toEqual([{ host: `127.0.0.1:${portOf(plain)}`, path: "/hello", serverName: undefined }]);
    });

    it("resolves with error statuses instead of rejecting, and follows no redirect", async () => {
        await expect(get({ port: portOf(plain), path: "/nothing" })).resolves.toEqual({ status: 404, body: "" });
        await expect(get({ port: portOf(plain), path: "/moved" })).resolves.toEqual({ status: 301, body: "" });
        expect(received.map((r) => r.path)).toEqual(["/nothing", "/moved"]);
    });

    it("sends the host as Host header and TLS server name over HTTPS", async () => {
        const tls = { serverName: "hello.example.com", verifyCertificate: false };
        await expect(get({ port: portOf(secure), host: "hello.example.com", tls })).resolves.toEqual({ status: 200, body: reply });
        expect(received).toEqual([{ host: "hello.example.com", path: "/hello", serverName: "hello.example.com" }]);
    });

    it("rejects a self-signed certificate when verifying, and points to --insecure-ingress", async () => {
        const tls = { serverName: "hello.example.com", verifyCertificate: true };
        await expect(get({ port: portOf(secure), host: "hello.example.com", tls })).rejects.toThrow(
            "TLS certificate not accepted: self-signed certificate (a self-signed test certificate? --insecure-ingress skips this check)",
        );
        expect(received).toEqual([]);
    });

    it("says a refused connection in a line that is the same for every address", async () => {
        await expect(get({ port: closedPort })).rejects.toThrow(new Error("connect ECONNREFUSED"));
    });

    it("gives up on a server that does not answer within the timeout", async () => {
        await expect(get({ port: portOf(silent), timeoutMs: 300 })).rejects.toThrow(new Error("timed out after 300 ms"));
    });
});
