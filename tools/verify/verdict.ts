/**
 * The judgement: from what was observed in every cluster, the reply tables, the problems (each
 * naming its cluster) and the exit code. Pure: the observations are gathered by `collect.ts`.
 */
import type { HttpReply } from "./http";
import type { ExecResult, PodInfo, SecretInfo } from "./kube";
import { locateInstances, Location, parseCurlOutput, parseReplyLine, Reply } from "./replies";
import type { ClusterInfo, MeshModel } from "./stackData";

/** The demo workloads verify relies on (deployed by the program when config `demo` is on). */
export const demo = {
    namespace: "sample",
    curlApp: "curl",
    helloworldApp: "helloworld",
    /** Service `helloworld` on port 5000 exists in every cluster. */
    url: "http://helloworld.sample:5000/hello",
    /** The route on every ingress gateway to helloworld (components/apps/helloworldRouting.ts). */
    ingressPath: "/hello",
} as const;

/** Where Istio looks for remote secrets, and the label that makes istiod read them. */
export const remoteSecretsAt = { namespace: "istio-system", labelSelector: "istio/multiCluster=true" } as const;

/** The sidecar that must be in every demo pod for its traffic to be in the mesh. */
export const sidecarName = "istio-proxy";

/** Either what a call returned or why it failed (a message for people). */
export type Result<T> = { ok: true; value: T } | { ok: false; error: string };

/** One run of N requests from a curl pod. */
export interface TrafficRun {
    /** The curl pod the requests were sent from. */
    pod: string;
    result: Result<ExecResult>;
}

/** N requests from this machine to a cluster's ingress gateway. */
export interface IngressRun {
    /** The gateway's address (stack output clusters.<name>.ingressAddress). */
    address: string;
    /** What was requested, for people: `http://52.20.181.72/hello`. */
    target: string;
    /** One per request, in order. */
    results: Result<HttpReply>[];
}

/** Everything verify saw in one cluster. */
export interface ClusterObservation {
    cluster: string;
    /** Pods of the demo namespace that carry an `app` label. */
    pods: Result<PodInfo[]>;
    /** Secrets labelled istio/multiCluster=true in istio-system; looked up on primaries only. */
    remoteSecrets?: Result<SecretInfo[]>;
    /** The curl run; absent when the cluster had no ready curl pod to send from. */
    traffic?: TrafficRun;
    /** The requests to its ingress gateway; absent when it runs none. */
    ingress?: IngressRun;
    /** Injected pods of every namespace; listed when the cluster runs revisions. */
    proxies?: Result<PodInfo[]>;
}

/** How to judge. */
export interface VerdictOptions {
    /** Requests each curl pod was asked to send. */
    requests: number;
    /** Stack config trafficPolicy.localityFailover: replies are meant to stay in the caller's region. */
    localityFailover: boolean;
}

/** Which check found a problem. */
export type CheckName = "pods" | "remote secrets" | "curl" | "reachability" | "ingress" | "revisions";

/** Something wrong with the mesh, for people: `message` starts with the cluster's name. */
export interface Problem {
    cluster: string;
    check: CheckName;
    message: string;
}

/** Replies from one version in one cluster, as seen from one source cluster. */
export interface TrafficRow {
    version: string;
    /** The answering pod's cluster; `?` when no listed pod has that name. */
    cluster: string;
    /** Its network; undefined when the cluster is not known. */
    network?: string;
    replies: number;
    /** The reply crossed networks; undefined when that cannot be told. */
    otherNetwork?: boolean;
}

/** What the requests from one cluster's curl pod got back. */
export interface TrafficTable {
    source: string;
    network: string;
    pod: string;
    requests: number;
    rows: TrafficRow[];
    /** Requests answered by curl errors or unexpected output, or that printed nothing. */
    failed: number;
    /** Replies known to come from another network. */
    otherNetworkReplies: number;
}

/** What the requests through one cluster's ingress gateway got back. */
export interface IngressTable {
    /** The cluster running the gateway. */
    cluster: string;
    network: string;
    address: string;
    target: string;
    requests: number;
    /** Replies by version and answering cluster; `otherNetwork` is relative to the gateway's network. */
    rows: TrafficRow[];
    /** Requests that got no helloworld reply. */
    failed: number;
}

/** Per cluster, what was found ready and held. */
export interface ClusterSummary {
    name: string;
    role: string;
    network: string;
    /** Ready / live (not terminating) curl pods; undefined when the pods could not be listed. */
    curl?: { ready: number; total: number };
    /** Same for helloworld, with the versions its pods carry. */
    helloworld?: { ready: number; total: number; versions: string[] };
    /** Primaries: clusters covered by the remote secrets found in istio-system. */
    remoteSecrets?: string[];
    /** With revisions: injected pods by the revision that injected them. */
    proxies?: Record<string, number>;
}

/** The outcome of a verify run. */
export interface Verdict {
    requests: number;
    localityFailover: boolean;
    clusters: ClusterSummary[];
    tables: TrafficTable[];
    /** One per cluster running an ingress gateway; empty when none does (the check is skipped). */
    ingress: IngressTable[];
    problems: Problem[];
    /** Facts worth knowing that are not problems, e.g. what could not be observed. */
    notes: string[];
    /** 0 when there is no problem, 1 otherwise. */
    exitCode: 0 | 1;
}

/** `1 reply`, `20 replies`, `20 requests`. */
export function plural(n: number, word: "request" | "reply" | "remote secret"): string {
    if (n === 1) return `${n} ${word}`;
    return `${n} ${word === "reply" ? "replies" : `${word}s`}`;
}

/** Judges the mesh from the observations of all its clusters. */
export function judge(mesh: MeshModel, observations: ClusterObservation[], options: VerdictOptions): Verdict {
    const problems: Problem[] = [];
    const notes: string[] = [];
    const observed = new Map(observations.map((o) => [o.cluster, o]));
    const networkOf = new Map(mesh.clusters.map((c) => [c.name, c.network]));

    const summaries: ClusterSummary[] = [];
    for (const cluster of mesh.clusters) {
        const o = observed.get(cluster.name);
        const summary: ClusterSummary = { name: cluster.name, role: cluster.role, network: cluster.network };
        summaries.push(summary);
        if (!o) {
            problems.push({
                cluster: cluster.name,
                check: "pods",
                message: `${cluster.name}: was not observed (internal error: no observation)`,
            });
            continue;
        }
        if (!o.pods.ok && o.remoteSecrets && !o.remoteSecrets.ok && o.remoteSecrets.error === o.pods.error) {
            // One unreachable API server, said once.
            const message = `${cluster.name}: cannot list pods in namespace ${demo.namespace} or remote secrets in ${remoteSecretsAt.namespace}: ${o.pods.error}`;
            problems.push({ cluster: cluster.name, check: "pods", message });
            problems.push(...checkRemoteSecrets(cluster, mesh, { ...o, remoteSecrets: undefined }, summary));
            continue;
        }
        problems.push(...checkPods(cluster, o, summary));
        if (cluster.role === "primary") problems.push(...checkRemoteSecrets(cluster, mesh, o, summary));
        problems.push(...checkRevisions(cluster, o, summary));
    }

    // Every helloworld pod listed anywhere, terminating ones included: they may still answer.
    const helloworldPods = new Map<string, string[]>();
    for (const o of observations) {
        if (!o.pods.ok) continue;
        helloworldPods.set(
            o.cluster,
            o.pods.value.filter((p) => p.labels.app === demo.helloworldApp).map((p) => p.name),
        );
    }
    const locate = locateInstances(helloworldPods);
    const networks = new Set(mesh.clusters.map((c) => c.network));
    if (networks.size === 1) {
        notes.push(
            `every cluster is on network ${[...networks][0]}: there is no other network to reach, so cross-network replies were not looked for`,
        );
    }

    const tables: TrafficTable[] = [];
    const ingress: IngressTable[] = [];
    for (const cluster of mesh.clusters) {
        const run = observed.get(cluster.name)?.traffic;
        if (run) {
            const judged = judgeTraffic(cluster, run, locate, networkOf, options, networks.size > 1);
            problems.push(...judged.problems);
            notes.push(...judged.notes);
            if (judged.table) tables.push(judged.table);
        }
        const ingressRun = observed.get(cluster.name)?.ingress;
        if (ingressRun) {
            const judged = judgeIngress(cluster, ingressRun, locate, networkOf, options);
            problems.push(...judged.problems);
            notes.push(...judged.notes);
            ingress.push(judged.table);
        }
    }

    // One cluster's problems together, clusters in the stack's order (sort is stable).
    const order = mesh.clusters.map((c) => c.name);
    problems.sort((a, b) => order.indexOf(a.cluster) - order.indexOf(b.cluster));
    return {
        requests: options.requests,
        localityFailover: options.localityFailover,
        clusters: summaries,
        tables,
        ingress,
        problems,
        notes,
        exitCode: problems.length === 0 ? 0 : 1,
    };
}

/** (b) curl and helloworld: present, ready, and injected. */
function checkPods(cluster: ClusterInfo, o: ClusterObservation, summary: ClusterSummary): Problem[] {
    const problem = (message: string): Problem => ({ cluster: cluster.name, check: "pods", message: `${cluster.name}: ${message}` });
    if (!o.pods.ok) return [problem(`cannot list pods in namespace ${demo.namespace}: ${o.pods.error}`)];
    const found: Problem[] = [];
    for (const app of [demo.curlApp, demo.helloworldApp]) {
        // A rollout's old pod is on its way out: judge the pods that stay.
        const live = o.pods.value.filter((p) => p.labels.app === app && !p.terminating);
        const ready = live.filter((p) => p.ready);
        if (app === demo.curlApp) summary.curl = { ready: ready.length, total: live.length };
        else {
            const versions = [...new Set(live.map((p) => p.labels.version ?? "?"))].sort();
            summary.helloworld = { ready: ready.length, total: live.length, versions };
        }
        if (live.length === 0) {
            found.push(problem(`no ${app} pod in namespace ${demo.namespace} (label app=${app})`));
            continue;
        }
        for (const pod of live.filter((p) => !p.ready)) {
            found.push(problem(`${app} pod ${pod.name} is not ready (phase ${pod.phase})`));
        }
        for (const pod of live.filter((p) => ![...p.containers, ...p.initContainers].includes(sidecarName))) {
            // Without a sidecar the pod's traffic bypasses the mesh and never leaves its cluster.
            found.push(
                problem(`${app} pod ${pod.name} has no ${sidecarName} sidecar (is namespace ${demo.namespace} labelled for injection?)`),
            );
        }
    }
    return found;
}

/**
 * With revisions: which revision injected each proxy (the injector's `istio.io/rev`
 * annotation), and every proxy whose revision is no longer installed in its cluster: it keeps
 * running on a control plane that is gone until restarted.
 */
function checkRevisions(cluster: ClusterInfo, o: ClusterObservation, summary: ClusterSummary): Problem[] {
    if (!cluster.revisions || !o.proxies) return [];
    const problem = (message: string): Problem => ({ cluster: cluster.name, check: "revisions", message: `${cluster.name}: ${message}` });
    if (!o.proxies.ok) return [problem(`cannot list pods of every namespace: ${o.proxies.error}`)];
    const installed = new Set(cluster.revisions);
    const counts: Record<string, number> = {};
    const found: Problem[] = [];
    // Sidecars and gateways alike run an istio-proxy container (the gateway template sets no tlsMode label to select on).
    const proxies = o.proxies.value.filter((p) => !p.terminating && [...p.containers, ...p.initContainers].includes(sidecarName));
    for (const pod of proxies) {
        const revision = pod.annotations?.["istio.io/rev"] ?? "?";
        counts[revision] = (counts[revision] ?? 0) + 1;
        if (!installed.has(revision)) {
            found.push(
                problem(
                    `pod ${pod.namespace ?? "?"}/${pod.name} runs a proxy of revision ${revision}, which is no longer installed (installed: ${cluster.revisions.join(", ")}): restart its workload (kubectl -n ${pod.namespace ?? "<namespace>"} rollout restart deployment)`,
                ),
            );
        }
    }
    summary.proxies = counts;
    return found;
}

/** (c) A primary holds a remote secret for every other cluster: in the outputs and in istio-system. */
function checkRemoteSecrets(cluster: ClusterInfo, mesh: MeshModel, o: ClusterObservation, summary: ClusterSummary): Problem[] {
    const problem = (message: string): Problem => ({
        cluster: cluster.name,
        check: "remote secrets",
        message: `${cluster.name}: ${message}`,
    });
    const expected = mesh.clusters.map((c) => c.name).filter((n) => n !== cluster.name);
    const found: Problem[] = [];

    const listed = new Set(cluster.remoteSecrets);
    const notListed = expected.filter((n) => !listed.has(n));
    if (notListed.length > 0) {
        found.push(
            problem(
                `stack outputs list no remote secret for ${notListed.join(", ")} ` +
                    `(listed: ${cluster.remoteSecrets.join(", ") || "none"}; a primary needs one for every other cluster)`,
            ),
        );
    }

    if (!o.remoteSecrets) return found;
    if (!o.remoteSecrets.ok) {
        found.push(problem(`cannot list remote secrets in ${remoteSecretsAt.namespace}: ${o.remoteSecrets.error}`));
        return found;
    }
    // istiod takes each data KEY of a remote secret as the cluster ID it gives access to.
    const secrets = o.remoteSecrets.value;
    const covered = new Set(secrets.flatMap((s) => s.dataKeys));
    summary.remoteSecrets = expected.filter((n) => covered.has(n)).concat([...covered].filter((n) => !expected.includes(n)));
    const absent = expected.filter((n) => !covered.has(n));
    if (absent.length > 0) {
        const present = secrets.map((s) => `${s.name} (for ${s.dataKeys.join(", ") || "no cluster"})`).join(", ") || "none";
        found.push(
            problem(
                `${remoteSecretsAt.namespace} holds no remote secret for ${absent.join(", ")} ` +
                    `(Secrets labelled ${remoteSecretsAt.labelSelector}: ${present})`,
            ),
        );
    }
    return found;
}

/** (d) the curl run itself and (a) whether it reached another network. */
function judgeTraffic(
    cluster: ClusterInfo,
    run: TrafficRun,
    locate: (instance: string) => Location,
    networkOf: ReadonlyMap<string, string>,
    options: VerdictOptions,
    otherNetworksExist: boolean,
): { problems: Problem[]; notes: string[]; table?: TrafficTable } {
    const name = cluster.name;
    const curlProblem = (message: string): Problem => ({ cluster: name, check: "curl", message: `${name}: ${message}` });
    if (!run.result.ok) {
        return { problems: [curlProblem(`curl from ${run.pod} failed: ${run.result.error}`)], notes: [] };
    }
    const { stdout, stderr, exitCode } = run.result.value;
    if (exitCode !== 0) {
        const why = stderr.trim().split("\n")[0] || "no error output";
        return { problems: [curlProblem(`curl from ${run.pod} exited with code ${exitCode}: ${why}`)], notes: [] };
    }

    const output = parseCurlOutput(stdout);
    const problems: Problem[] = [];
    const notes: string[] = [];
    const answered = output.replies.length + output.failures.length + output.unexpected.length;
    const silent = Math.max(0, options.requests - answered);
    if (output.failures.length > 0) {
        problems.push(
            curlProblem(`${output.failures.length} of ${plural(options.requests, "request")} failed (${tally(output.failures)})`),
        );
    }
    if (output.unexpected.length > 0) {
        problems.push(
            curlProblem(
                `${output.unexpected.length} of ${plural(options.requests, "request")} got output that is not a helloworld reply (${tally(output.unexpected.map((l) => JSON.stringify(l)))})`,
            ),
        );
    }
    if (silent > 0) {
        problems.push(curlProblem(`only ${answered} of ${plural(options.requests, "request")} printed anything`));
    }

    const { rows, unknown } = replyRows(output.replies, cluster.network, locate, networkOf);
    if (unknown.length > 0) notes.push(unknownNote(name, unknown));
    const table: TrafficTable = {
        source: name,
        network: cluster.network,
        pod: run.pod,
        requests: options.requests,
        rows,
        failed: output.failures.length + output.unexpected.length + silent,
        otherNetworkReplies: rows.filter((r) => r.otherNetwork === true).reduce((n, r) => n + r.replies, 0),
    };

    // With no reply at all, the failures above already say what is wrong.
    if (otherNetworksExist && output.replies.length > 0) {
        const summary = replySummary(table);
        if (table.otherNetworkReplies === 0 && !options.localityFailover) {
            problems.push({
                cluster: name,
                check: "reachability",
                message: `${name}: no reply from another network in ${plural(options.requests, "request")} (replies: ${summary})`,
            });
        } else if (table.otherNetworkReplies === 0) {
            // Locality failover keeps traffic in the caller's region while it is healthy, so
            // local-only replies are what it should produce: they show the policy works, and
            // say nothing about whether other networks could be reached.
            notes.push(
                `${name}: all ${plural(output.replies.length, "reply")} stayed on ${cluster.network} (${summary}), as locality failover intends; ` +
                    `reachability of other networks was NOT observed: it is only used when helloworld in ${name}'s region fails`,
            );
        } else if (options.localityFailover) {
            notes.push(
                `${name}: ${table.otherNetworkReplies} of ${plural(output.replies.length, "reply")} came from another network although locality failover is on ` +
                    `(${summary}): the local helloworld was failing over, the clusters share a region, or the policy is not in effect`,
            );
        }
    }
    return { problems, notes, table };
}

/**
 * The ingress gateway: N requests from this machine through it must all get a helloworld reply.
 * Any version from any cluster will do: the route spans the whole mesh.
 */
function judgeIngress(
    cluster: ClusterInfo,
    run: IngressRun,
    locate: (instance: string) => Location,
    networkOf: ReadonlyMap<string, string>,
    options: VerdictOptions,
): { problems: Problem[]; notes: string[]; table: IngressTable } {
    const name = cluster.name;
    const replies: Reply[] = [];
    const failures: string[] = [];
    for (const result of run.results) {
        const outcome = ingressOutcome(result);
        if (typeof outcome === "string") failures.push(outcome);
        else replies.push(outcome);
    }
    const { rows, unknown } = replyRows(replies, cluster.network, locate, networkOf);
    const problems: Problem[] = [];
    // Every request got a reply or a failure: with N >= 1, no reply at all is a failure too.
    if (failures.length > 0) {
        // The cause is named once when every failure had the same one, counted otherwise.
        const causes = new Set(failures).size === 1 ? failures[0] : tally(failures);
        problems.push({
            cluster: name,
            check: "ingress",
            message: `${name}: ingress ${run.address} answered ${replies.length} of ${plural(options.requests, "request")} (${causes})`,
        });
    }
    return {
        problems,
        notes: unknown.length > 0 ? [unknownNote(`${name} ingress`, unknown)] : [],
        table: {
            cluster: name,
            network: cluster.network,
            address: run.address,
            target: run.target,
            requests: options.requests,
            rows,
            failed: failures.length,
        },
    };
}

/** A helloworld reply, or why the request did not get one (a line for people). */
function ingressOutcome(result: Result<HttpReply>): Reply | string {
    if (!result.ok) return result.error;
    const { status, body } = result.value;
    const firstLine = body.trim().split("\n")[0].trim();
    const excerpt = firstLine.length > 80 ? `${firstLine.slice(0, 80)}...` : firstLine;
    if (status < 200 || status > 299) return `HTTP ${status}${excerpt ? `: ${excerpt}` : ""}`;
    return (
        parseReplyLine(body) ??
        (excerpt ? `HTTP ${status} but not a helloworld reply: ${JSON.stringify(excerpt)}` : `HTTP ${status} with an empty body`)
    );
}

/**
 * Replies counted by version and answering cluster, seen from a cluster on `fromNetwork`, in
 * table order; `unknown` lists the instances no listed pod carries.
 */
function replyRows(
    replies: Reply[],
    fromNetwork: string,
    locate: (instance: string) => Location,
    networkOf: ReadonlyMap<string, string>,
): { rows: TrafficRow[]; unknown: string[] } {
    const rows = new Map<string, TrafficRow>();
    const unknown: string[] = [];
    for (const reply of replies) {
        const where = locate(reply.instance);
        let row: Omit<TrafficRow, "replies">;
        if (where.kind === "cluster") {
            const network = networkOf.get(where.cluster);
            row = { version: reply.version, cluster: where.cluster, network, otherNetwork: network !== fromNetwork };
        } else if (where.kind === "ambiguous") {
            const nets = new Set(where.clusters.map((c) => networkOf.get(c)));
            const other = nets.has(fromNetwork) ? (nets.size === 1 ? false : undefined) : true;
            row = { version: reply.version, cluster: where.clusters.join("|"), otherNetwork: other };
        } else {
            unknown.push(reply.instance);
            row = { version: reply.version, cluster: "?" };
        }
        const key = `${row.version}@${row.cluster}`;
        const existing = rows.get(key);
        if (existing) existing.replies++;
        else rows.set(key, { ...row, replies: 1 });
    }
    return { rows: sortRows([...rows.values()], [...networkOf.keys()]), unknown };
}

function unknownNote(source: string, unknown: string[]): string {
    return (
        `${source}: ${plural(unknown.length, "reply")} came from pods listed in no cluster (${[...new Set(unknown)].join(", ")}): ` +
        `replaced while verify ran, or running outside this stack; they count as neither local nor cross-network`
    );
}

/** Rows in the stack's cluster order, then by version; unknown and ambiguous clusters last. */
function sortRows(rows: TrafficRow[], clusterOrder: string[]): TrafficRow[] {
    const rank = (r: TrafficRow) => {
        const i = clusterOrder.indexOf(r.cluster);
        return i < 0 ? clusterOrder.length : i;
    };
    return rows.sort((a, b) => rank(a) - rank(b) || a.cluster.localeCompare(b.cluster) || a.version.localeCompare(b.version));
}

/** `v2@aks-east x20, v1@eks-west x3, failed x2`. */
export function replySummary(table: TrafficTable): string {
    const parts = table.rows.map((r) => `${r.version}@${r.cluster} x${r.replies}`);
    if (table.failed > 0) parts.push(`failed x${table.failed}`);
    return parts.join(", ") || "none";
}

/** Distinct lines with their counts, most frequent first: `curl: (28) ... x3; ...`. */
function tally(lines: string[]): string {
    const counts = new Map<string, number>();
    for (const l of lines) counts.set(l, (counts.get(l) ?? 0) + 1);
    return [...counts]
        .sort((a, b) => b[1] - a[1])
        .map(([l, n]) => (n > 1 ? `${l} x${n}` : l))
        .join("; ");
}
