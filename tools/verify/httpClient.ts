/**
 * HttpClient on Node's http and https modules: one connection per request, no redirects
 * followed, and errors rewritten into one short line for people.
 */
import * as http from "http";
import * as https from "https";
import type { HttpClient, HttpGet, HttpReply } from "./http";

/** Bytes of a body kept; helloworld's reply is one short line, error pages are cut. */
const maxBodyBytes = 64 * 1024;

/** TLS errors that mean the certificate was not accepted, as Node names them. */
const certificateErrors = new Set([
    "DEPTH_ZERO_SELF_SIGNED_CERT",
    "SELF_SIGNED_CERT_IN_CHAIN",
    "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
    "UNABLE_TO_GET_ISSUER_CERT",
    "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
    "CERT_HAS_EXPIRED",
    "CERT_NOT_YET_VALID",
    "ERR_TLS_CERT_ALTNAME_INVALID",
]);

/** Not trusted (as opposed to expired or for another name): what --insecure-ingress is for. */
const untrusted = new Set([
    "DEPTH_ZERO_SELF_SIGNED_CERT",
    "SELF_SIGNED_CERT_IN_CHAIN",
    "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
    "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
]);

/** HttpClient for calls from this machine. Certificates are checked against Node's trusted CAs. */
export class NodeHttpClient implements HttpClient {
    get(request: HttpGet): Promise<HttpReply> {
        return new Promise<HttpReply>((resolve, reject) => {
            let settled = false;
            const settle = (outcome: () => void) => {
                if (settled) return;
                settled = true;
                clearTimeout(timer);
                outcome();
            };
            const options: https.RequestOptions = {
                host: request.address,
                port: request.port,
                path: request.path,
                method: "GET",
                headers: { ...(request.host ? { host: request.host } : {}), "user-agent": "istio-multicloud-verify" },
                // A connection of its own per request: nothing is kept open after the run.
                agent: false,
            };
            if (request.tls) {
                // Node would take the server name from the Host header; said here, not relied on.
                options.servername = request.tls.serverName;
                options.rejectUnauthorized = request.tls.verifyCertificate;
            }
            const req = (request.tls ? https : http).request(options, (res) => {
                const chunks: Buffer[] = [];
                let size = 0;
                res.on("data", (chunk: Buffer) => {
                    if (size >= maxBodyBytes) return;
                    chunks.push(chunk);
                    size += chunk.length;
                });
                res.on("end", () =>
                    settle(() =>
                        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).subarray(0, maxBodyBytes).toString("utf8") }),
                    ),
                );
                res.on("error", (err) => settle(() => reject(explain(err))));
            });
            const timer = setTimeout(() => {
                settle(() => reject(new Error(`timed out after ${seconds(request.timeoutMs)}`)));
                req.destroy();
            }, request.timeoutMs);
            req.on("error", (err) => settle(() => reject(explain(err))));
            req.end();
        });
    }
}

/**
 * One line per cause, the same for every request with that cause so that they can be counted:
 * `connect ECONNREFUSED` (Node adds the address and port, which the report names already).
 */
export function explain(err: NodeJS.ErrnoException): Error {
    const code = err.code ?? "";
    if (certificateErrors.has(code)) {
        const hint = untrusted.has(code) ? " (a self-signed test certificate? --insecure-ingress skips this check)" : "";
        return new Error(`TLS certificate not accepted: ${err.message}${hint}`);
    }
    if (err.syscall && /^E[A-Z]+$/.test(code)) return new Error(`${err.syscall} ${code}`);
    return new Error(err.message);
}

function seconds(ms: number): string {
    return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
