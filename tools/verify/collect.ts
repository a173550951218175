/**
 * Gathers what verify judges, through the KubeClient interface only: the demo pods and the
 * remote secrets of every cluster, then N requests from each cluster's curl pod. Failures are
 * recorded as observations, never thrown, so one broken cluster does not hide the others.
 */
import type { KubeClient, PodInfo } from "./kube";
import { parseCurlOutput } from "./replies";
import type { ClusterInfo, MeshModel } from "./stackData";
import { ClusterObservation, demo, plural, remoteSecretsAt, Result, sidecarName } from "./verdict";

/** How to gather. */
export interface CollectOptions {
    /** Requests per curl pod. */
    requests: number;
    /** curl's --max-time per request, in seconds. */
    requestTimeoutSeconds: number;
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

/** Observes every cluster in parallel; `clients` holds one client per cluster name. */
export async function observeMesh(mesh: MeshModel, clients: ReadonlyMap<string, KubeClient>, options: CollectOptions): Promise<ClusterObservation[]> {
    return Promise.all(mesh.clusters.map((c) => observeCluster(c, clients.get(c.name)!, options)));
}

/** Observes one cluster: pods, remote secrets (primaries), then the curl run. */
export async function observeCluster(cluster: ClusterInfo, client: KubeClient, options: CollectOptions): Promise<ClusterObservation> {
    const name = cluster.name;
    const isPrimary = cluster.role === "primary";
    options.progress(`${name}: listing pods in ${demo.namespace}${isPrimary ? ` and remote secrets in ${remoteSecretsAt.namespace}` : ""}`);
    // Selector `app` (label present): one call returns both curl and helloworld pods.
    const [pods, remoteSecrets] = await Promise.all([
        attempt(() => client.listPods(demo.namespace, "app")),
        isPrimary ? attempt(() => client.listSecrets(remoteSecretsAt.namespace, remoteSecretsAt.labelSelector)) : Promise.resolve(undefined),
    ]);
    options.progress(`${name}: ${describeFound(pods, remoteSecrets)}`);

    const observation: ClusterObservation = { cluster: name, pods, remoteSecrets };
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
