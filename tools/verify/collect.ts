/**
 * Gathers what verify judges, through the KubeClient and HttpClient interfaces only: the demo
 * pods and the remote secrets of every cluster, N requests from each cluster's curl pod, and N
 * requests from this machine to each ingress gateway. Failures are recorded as observations,
 * never thrown, so one broken cluster does not hide the others.
 */
import type { HttpClient, HttpGet, HttpReply } from "./http";
import type { KubeClient, PodInfo } from "./kube";
import { parseCurlOutput, parseReplyLine } from "./replies";
import type { ClusterInfo, MeshModel } from "./stackData";
import { ClusterObservation, demo, IngressRun, plural, remoteSecretsAt, Result, sidecarName } from "./verdict";

/** How to gather. */
export interface CollectOptions {
    /** Requests per curl pod, and per ingress gateway. */
    requests: number;
    /** curl's --max-time per request, in seconds; also the limit of each ingress request. */
    requestTimeoutSeconds: number;
    /** Accept any certificate from the ingress gateways (--insecure-ingress). */
    insecureIngress: boolean;
    /** Receives one line per step and cluster (verify prints them to stderr). */
    progress: (line: string) => void;
}

/** Seconds per request used when none is given: cross-cloud round trips stay well below it. */
export const defaultRequestTimeoutSeconds = 5;

/**
 * The command run in the curl container: N requests in one exec (one exec per request would
 * cost a websocket round trip to the API server each). Each request prints exactly one line:
 * the reply, or curl's error (`--fail` turns HTTP errors such as 503 into one); `$(...)`
 * strips the reply's newline and printf adds one back, so a body without one cannot merge
 * with the next line.
 */
export function curlCommand(requests: number, requestTimeoutSeconds: number): string[] {
    const curl = `curl -sS --fail --max-time ${requestTimeoutSeconds} ${demo.url} 2>&1`;
    return ["sh", "-c", `i=0; while [ "$i" -lt ${requests} ]; do printf '%s\\n' "$(${curl})"; i=$((i+1)); done`];
}

/** How long the whole run may take: every request timing out, plus exec setup. */
export function execTimeoutMs(requests: number, requestTimeoutSeconds: number): number {
    return (requests * (requestTimeoutSeconds + 1) + 30) * 1000;
}

/**
 * Observes every cluster in parallel, and its ingress gateway alongside; `clients` holds one
 * client per cluster name, `http` calls the ingress gateways from this machine.
 */
export async function observeMesh(
    mesh: MeshModel,
    clients: ReadonlyMap<string, KubeClient>,
    http: HttpClient,
    options: CollectOptions,
): Promise<ClusterObservation[]> {
    if (!mesh.clusters.some((c) => c.ingressAddress))
        options.progress("ingress: no cluster runs an ingress gateway, ingress check skipped");
    return Promise.all(
        mesh.clusters.map(async (c) => {
            const [observation, ingress] = await Promise.all([
                observeCluster(c, clients.get(c.name)!, options),
                c.ingressAddress
                    ? observeIngress(c.name, ingressRequest(c.ingressAddress, mesh.ingressHost, options), http, options)
                    : undefined,
            ]);
            return ingress ? { ...observation, ingress } : observation;
        }),
    );
}

/** Observes one cluster: pods, remote secrets (primaries), then the curl run. */
export async function observeCluster(cluster: ClusterInfo, client: KubeClient, options: CollectOptions): Promise<ClusterObservation> {
    const name = cluster.name;
    const isPrimary = cluster.role === "primary";
    options.progress(`${name}: listing pods in ${demo.namespace}${isPrimary ? ` and remote secrets in ${remoteSecretsAt.namespace}` : ""}`);
    // Selector `app` (label present): one call returns both curl and helloworld pods.
    const [pods, remoteSecrets] = await Promise.all([
        attempt(() => client.listPods(demo.namespace, "app")),
        isPrimary
            ? attempt(() => client.listSecrets(remoteSecretsAt.namespace, remoteSecretsAt.labelSelector))
            : Promise.resolve(undefined),
    ]);
    options.progress(`${name}: ${describeFound(pods, remoteSecrets)}`);

    const observation: ClusterObservation = { cluster: name, pods, remoteSecrets };
    if (cluster.revisions) {
        options.progress(`${name}: listing the pods of every namespace for the revisions of their proxies`);
        observation.proxies = await attempt(() => client.listPodsInAllNamespaces(""));
    }
    const sender = pods.ok ? pods.value.find((p) => p.labels.app === demo.curlApp && p.ready && !p.terminating) : undefined;
    if (!sender) {
        options.progress(`${name}: no ready curl pod, no requests sent`);
        return observation;
    }
    options.progress(`${name}: sending ${plural(options.requests, "request")} from ${sender.name} to ${demo.url}`);
    const result = await attempt(() =>
        client.exec(demo.namespace, sender.name, appContainer(sender), curlCommand(options.requests, options.requestTimeoutSeconds), {
            timeoutMs: execTimeoutMs(options.requests, options.requestTimeoutSeconds),
        }),
    );
    observation.traffic = { pod: sender.name, result };
    if (result.ok) {
        const out = parseCurlOutput(result.value.stdout);
        options.progress(`${name}: ${plural(out.replies.length, "reply")}, ${out.failures.length + out.unexpected.length} failed`);
    } else {
        options.progress(`${name}: curl failed: ${result.error}`);
    }
    return observation;
}

/**
 * GET /hello on an ingress gateway. With a TLS host (stack output demo.ingressHost) the Gateway
 * serves HTTPS on 443 for that name only, and redirects HTTP: the name goes in the Host header
 * and as TLS server name, and the certificate must be valid for it. Without one, plain HTTP on 80.
 */
export function ingressRequest(
    address: string,
    host: string | undefined,
    options: Pick<CollectOptions, "requestTimeoutSeconds" | "insecureIngress">,
): HttpGet {
    const request = { address, path: demo.ingressPath, timeoutMs: options.requestTimeoutSeconds * 1000 };
    if (host === undefined) return { ...request, port: 80 };
    return { ...request, port: 443, host, tls: { serverName: host, verifyCertificate: !options.insecureIngress } };
}

/** The request for people: `http://52.20.181.72/hello`, `https://hello.example.com/hello at 52.20.181.72`. */
export function describeRequest(request: HttpGet): string {
    const scheme = request.tls ? "https" : "http";
    const defaultPort = request.tls ? 443 : 80;
    const authority = `${request.host ?? request.address}${request.port === defaultPort ? "" : `:${request.port}`}`;
    const url = `${scheme}://${authority}${request.path}`;
    return request.host ? `${url} at ${request.address}` : url;
}

/** N requests, one after the other, from this machine to one ingress gateway. */
export async function observeIngress(cluster: string, request: HttpGet, http: HttpClient, options: CollectOptions): Promise<IngressRun> {
    const target = describeRequest(request);
    options.progress(`${cluster}: sending ${plural(options.requests, "request")} from this machine to ingress ${target}`);
    const results: Result<HttpReply>[] = [];
    for (let i = 0; i < options.requests; i++) results.push(await attempt(() => http.get(request)));
    const replies = results.filter((r) => r.ok && r.value.status >= 200 && r.value.status <= 299 && parseReplyLine(r.value.body)).length;
    options.progress(`${cluster}: ingress: ${plural(replies, "reply")}, ${results.length - replies} failed`);
    return { address: request.address, target, results };
}

/** The container to exec in: the app's own, not the sidecar (it has no curl). */
function appContainer(pod: PodInfo): string {
    return pod.containers.find((c) => c === demo.curlApp) ?? pod.containers.find((c) => c !== sidecarName) ?? pod.containers[0];
}

function describeFound(pods: Result<PodInfo[]>, secrets: Result<unknown[]> | undefined): string {
    const parts: string[] = [];
    if (pods.ok) {
        for (const app of [demo.curlApp, demo.helloworldApp]) {
            const live = pods.value.filter((p) => p.labels.app === app && !p.terminating);
            parts.push(`${app} ${live.filter((p) => p.ready).length}/${live.length} ready`);
        }
    } else {
        parts.push(`pods not listed (${pods.error})`);
    }
    if (secrets) parts.push(secrets.ok ? plural(secrets.value.length, "remote secret") : `remote secrets not listed (${secrets.error})`);
    return parts.join(", ");
}

/** Runs a call and keeps its failure as data, with the message the client gave. */
async function attempt<T>(call: () => Promise<T>): Promise<Result<T>> {
    try {
        return { ok: true, value: await call() };
    } catch (err) {
        return { ok: false, error: err instanceof Error ? err.message : String(err) };
    }
}
