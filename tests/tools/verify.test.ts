import { parseArgs, UsageError } from "../../tools/verify/args";
import { curlCommand, observeMesh } from "../../tools/verify/collect";
import { FakeHttpClient, FakeServer } from "./fakes/fakeHttp";
import { ExecCall, FakeCluster, FakeKubeClient } from "./fakes/fakeKube";
import type { PodInfo, SecretInfo } from "../../tools/verify/kube";
import { locateInstances, parseCurlOutput, parseReplyLine } from "../../tools/verify/replies";
import { renderReport } from "../../tools/verify/report";
import { explainPulumiError } from "../../tools/verify/stack";
import { MeshModel, parseStackOutputs, readSettings, VerifyError } from "../../tools/verify/stackData";
import { judge, Verdict } from "../../tools/verify/verdict";

// ---- Fixtures: the dev stack (Pulumi.dev.yaml) with the demo deployed --------------------
// eks-west (primary, network1, helloworld v1), aks-east (remote of eks-west, network2, v2),
// gke-central (primary, network3, v1). The primaries run ingress gateways (as in Pulumi.dev.yaml),
// served over plain HTTP (no ingressTls). Pod names follow <deployment>-<replicaset hash>-<5 chars>;
// identical Deployments share the hash across clusters, as they do for real.

/** The `clusters` output of the dev stack, as `pulumi stack output --json` prints it. */
function devClustersOutput(): Record<string, any> {
    return {
        "eks-west": {
            name: "eks-west",
            cloud: "aws",
            role: "primary",
            network: "network1",
            apiServerUrl: "https://4F1C2B9E8D7A6B5C4D3E2F1A0B9C8D7E.gr7.us-west-2.eks.amazonaws.com",
            egressIps: ["44.231.17.102"],
            eastWestAddress: "35.161.92.14",
            ingressAddress: "52.20.181.72",
            remoteSecrets: ["aks-east", "gke-central"],
        },
        "aks-east": {
            name: "aks-east",
            cloud: "azure",
            role: "remote",
            primary: "eks-west",
            network: "network2",
            apiServerUrl: "https://aks-east-k8s-3f9a2c1d.hcp.eastus.azmk8s.io:443",
            egressIps: ["20.121.44.9"],
            eastWestAddress: "20.185.73.211",
            remoteSecrets: [],
        },
        "gke-central": {
            name: "gke-central",
            cloud: "gcp",
            role: "primary",
            network: "network3",
            apiServerUrl: "https://34.122.87.15",
            egressIps: ["34.68.201.33"],
            eastWestAddress: "34.135.9.240",
            ingressAddress: "34.118.42.190",
            remoteSecrets: ["eks-west", "aks-east"],
        },
    };
}

/** `stack.outputs()` of the dev stack; `ingressHost` as with config ingressTls. */
function devOutputs(clusters = devClustersOutput(), ingressHost?: string) {
    const kubeconfig = (name: string) => `apiVersion: v1\nkind: Config\ncurrent-context: ${name}\n`;
    return {
        meshId: { value: "mesh1", secret: false },
        demo: {
            value: { enabled: true, localityFailover: false, versionHeader: false, ...(ingressHost ? { ingressHost } : {}) },
            secret: false,
        },
        clusters: { value: clusters, secret: false },
        kubeconfigs: {
            value: { "eks-west": kubeconfig("eks-west"), "aks-east": kubeconfig("aks-east"), "gke-central": kubeconfig("gke-central") },
            secret: true,
        },
        remoteSecrets: { value: {}, secret: true },
    };
}

const devMesh = (clusters = devClustersOutput(), ingressHost?: string): MeshModel =>
    parseStackOutputs("dev", devOutputs(clusters, ingressHost)).mesh;

/** The dev stack with no ingress gateway anywhere. */
function withoutIngress(): Record<string, any> {
    const clusters = devClustersOutput();
    for (const c of Object.values(clusters)) delete c.ingressAddress;
    return clusters;
}

const pods = {
    "eks-west": { curl: "curl-5b7c9d8f6c-q4m2x", helloworld: "helloworld-v1-6d8f7b9c5d-abcde", version: "v1" },
    "aks-east": { curl: "curl-5b7c9d8f6c-r8t4w", helloworld: "helloworld-v2-7d5b8f9c6b-x2kqz", version: "v2" },
    "gke-central": { curl: "curl-5b7c9d8f6c-h6j9p", helloworld: "helloworld-v1-6d8f7b9c5d-k7p2m", version: "v1" },
} as const;
type ClusterName = keyof typeof pods;

/** An injected, ready pod of the demo (classic sidecar: istio-proxy next to the app). */
function pod(name: string, labels: Record<string, string>, patch: Partial<PodInfo> = {}): PodInfo {
    const app = labels.app;
    return {
        name,
        labels: { ...labels, "pod-template-hash": name.split("-").slice(-2)[0] },
        phase: "Running",
        ready: true,
        terminating: false,
        containers: [app, "istio-proxy"],
        initContainers: ["istio-init"],
        ...patch,
    };
}

function demoPods(cluster: ClusterName): PodInfo[] {
    const p = pods[cluster];
    return [pod(p.curl, { app: "curl" }), pod(p.helloworld, { app: "helloworld", version: p.version })];
}

/** A remote secret as the program creates it: one data key, the cluster's ID. */
function remoteSecret(cluster: string): SecretInfo {
    return {
        name: `istio-remote-secret-${cluster}`,
        labels: { "istio/multiCluster": "true" },
        annotations: { "networking.istio.io/cluster": cluster },
        dataKeys: [cluster],
    };
}

/** istio-system of a primary: cacerts (no multicluster label) and the remote secrets. */
function istioSystem(held: string[]): SecretInfo[] {
    const cacerts: SecretInfo = {
        name: "cacerts",
        labels: {},
        annotations: {},
        dataKeys: ["ca-cert.pem", "ca-key.pem", "cert-chain.pem", "root-cert.pem"],
    };
    return [cacerts, ...held.map(remoteSecret)];
}

const reply = (cluster: ClusterName) => `Hello version: ${pods[cluster].version}, instance: ${pods[cluster].helloworld}`;

/** The number of requests verify asked for, read from the shell loop it sent. */
function requestsIn(call: ExecCall): number {
    const match = /-lt (\d+)/.exec(call.command.join(" "));
    if (!match) throw new Error(`no request count in ${call.command.join(" ")}`);
    return Number(match[1]);
}

/** An exec answer that cycles through the given reply lines, one per request. */
function answers(...lines: string[]): FakeCluster["exec"] {
    return (call) => {
        const out = Array.from({ length: requestsIn(call) }, (_, i) => lines[i % lines.length]);
        return { stdout: out.join("\n") + "\n", stderr: "", exitCode: 0 };
    };
}

/** The dev stack, healthy: every cluster's requests are spread over all three helloworlds. */
function healthyDev(): Record<ClusterName, FakeCluster> {
    const all = answers(reply("eks-west"), reply("aks-east"), reply("gke-central"));
    return {
        "eks-west": {
            pods: { sample: demoPods("eks-west") },
            secrets: { "istio-system": istioSystem(["aks-east", "gke-central"]) },
            exec: all,
        },
        "aks-east": { pods: { sample: demoPods("aks-east") }, exec: all },
        "gke-central": {
            pods: { sample: demoPods("gke-central") },
            secrets: { "istio-system": istioSystem(["eks-west", "aks-east"]) },
            exec: all,
        },
    };
}

/** A server that answers each request with the next of the given lines, status 200. */
function serves(...lines: string[]): FakeServer {
    return (_request, i) => ({ status: 200, body: `${lines[i % lines.length]}\n` });
}

/** The dev stack's ingress gateways, by address: eks-west's reaches v1 and v2, gke-central's all three. */
function healthyIngress(): Record<string, FakeServer> {
    return {
        "52.20.181.72": serves(reply("eks-west"), reply("aks-east")),
        "34.118.42.190": serves(reply("eks-west"), reply("aks-east"), reply("gke-central")),
    };
}

interface Run {
    verdict: Verdict;
    report: string;
    clients: Map<string, FakeKubeClient>;
    http: FakeHttpClient;
    progress: string[];
}

/** verify's pipeline on fake clusters and fake ingress gateways: observe, judge, render. */
async function verify(
    clusters: Record<string, FakeCluster>,
    options: {
        requests?: number;
        localityFailover?: boolean;
        mesh?: MeshModel;
        ingress?: Record<string, FakeServer>;
        insecureIngress?: boolean;
    } = {},
): Promise<Run> {
    const mesh = options.mesh ?? devMesh();
    const requests = options.requests ?? 20;
    const insecureIngress = options.insecureIngress ?? false;
    const clients = new Map(Object.entries(clusters).map(([name, c]) => [name, new FakeKubeClient(c)]));
    const http = new FakeHttpClient(options.ingress ?? healthyIngress());
    const progress: string[] = [];
    const observations = await observeMesh(mesh, clients, http, {
        requests,
        requestTimeoutSeconds: 5,
        insecureIngress,
        progress: (l) => progress.push(l),
    });
    const verdict = judge(mesh, observations, { requests, localityFailover: options.localityFailover ?? false });
    const report = renderReport(verdict, { stack: "dev", ingress: { host: mesh.ingressHost, insecure: insecureIngress } });
    return { verdict, report, clients, http, progress };
}

const messages = (v: Verdict) => v.problems.map((p) => p.message);

// ---- The reply parser ---------------------------------------------------------------------

describe("reading curl output", () => {
    it("reads version and instance from a helloworld reply", () => {
        expect(parseReplyLine("Hello version: v2, instance: helloworld-v2-7d5b8f9c6b-x2kqz")).toEqual({
            version: "v2",
            instance: "helloworld-v2-7d5b8f9c6b-x2kqz",
        });
        expect(parseReplyLine("  Hello version: v1, instance: helloworld-v1-6d8f7b9c5d-abcde\r")).toEqual({
            version: "v1",
            instance: "helloworld-v1-6d8f7b9c5d-abcde",
        });
    });

    it("rejects lines that are not exactly a reply", () => {
        for (const line of [
            "",
            "Hello version: v1",
            "Hello version: v1, instance:",
            "hello version: v1, instance: helloworld-v1-6d8f7b9c5d-abcde",
            "no healthy upstream",
            "upstream connect error or disconnect/reset before headers. reset reason: connection failure",
            "<html><body><h1>503 Service Unavailable</h1></body></html>",
            "Hello version: v1, instance: helloworld-v1-6d8f7b9c5d-abcde trailing",
        ]) {
            expect(parseReplyLine(line)).toBeUndefined();
        }
    });

    it("sorts a run into replies, curl errors and unexpected lines, skipping blank lines", () => {
        const out = parseCurlOutput(
            [
                "Hello version: v1, instance: helloworld-v1-6d8f7b9c5d-abcde",
                "",
                "curl: (28) Connection timed out after 5001 milliseconds",
                "Hello version: v2, instance: helloworld-v2-7d5b8f9c6b-x2kqz\r",
                "curl: (22) The requested URL returned error: 503",
                "upstream connect error or disconnect/reset before headers. reset reason: connection failure",
                "",
            ].join("\n"),
        );
        expect(out.replies.map((r) => `${r.version}@${r.instance}`)).toEqual([
            "v1@helloworld-v1-6d8f7b9c5d-abcde",
            "v2@helloworld-v2-7d5b8f9c6b-x2kqz",
        ]);
        expect(out.failures).toEqual([
            "curl: (28) Connection timed out after 5001 milliseconds",
            "curl: (22) The requested URL returned error: 503",
        ]);
        expect(out.unexpected).toEqual(["upstream connect error or disconnect/reset before headers. reset reason: connection failure"]);
    });

    it("finds the cluster of an answering pod, and says when it cannot", () => {
        const locate = locateInstances(
            new Map([
                ["eks-west", ["helloworld-v1-6d8f7b9c5d-abcde"]],
                ["gke-central", ["helloworld-v1-6d8f7b9c5d-k7p2m", "helloworld-v1-6d8f7b9c5d-abcde"]],
            ]),
        );
        expect(locate("helloworld-v1-6d8f7b9c5d-k7p2m")).toEqual({ kind: "cluster", cluster: "gke-central" });
        expect(locate("helloworld-v1-6d8f7b9c5d-abcde")).toEqual({ kind: "ambiguous", clusters: ["eks-west", "gke-central"] });
        expect(locate("helloworld-v2-7d5b8f9c6b-zzzzz")).toEqual({ kind: "unknown" });
    });
});

// ---- Verdicts -----------------------------------------------------------------------------

describe("verify on the dev stack", () => {
    it("passes when every cluster gets replies from another network", async () => {
        const { verdict } = await verify(healthyDev());
        expect(messages(verdict)).toEqual([]);
        expect(verdict.exitCode).toBe(0);
        expect(verdict.tables.map((t) => [t.source, t.otherNetworkReplies, t.failed])).toEqual([
            ["eks-west", 13, 0],
            ["aks-east", 13, 0],
            ["gke-central", 14, 0],
        ]);
    });

    it("prints a table per source cluster and the verdict (the sample in docs/verify.md)", async () => {
        const { report } = await verify(healthyDev());
        expect(report).toBe(
            [
                "Stack dev: 3 clusters, 20 requests from each curl pod to http://helloworld.sample:5000/hello",
                "Locality failover: off: every cluster must get replies from another network",
                "Ingress: 20 requests from this machine to /hello on each ingress gateway (eks-west, gke-central), plain HTTP on port 80",
                "",
                "CLUSTER      ROLE     NETWORK   CURL  HELLOWORLD  REMOTE SECRETS",
                "eks-west     primary  network1  1/1   v1 1/1      aks-east, gke-central",
                "aks-east     remote   network2  1/1   v2 1/1      -",
                "gke-central  primary  network3  1/1   v1 1/1      eks-west, aks-east",
                "",
                "From eks-west (network1), pod curl-5b7c9d8f6c-q4m2x: 20 requests, 20 replies, 13 from another network",
                "  VERSION  CLUSTER      NETWORK   REPLIES",
                "  v1       eks-west     network1  7",
                "  v2       aks-east     network2  7        other network",
                "  v1       gke-central  network3  6        other network",
                "",
                "From aks-east (network2), pod curl-5b7c9d8f6c-r8t4w: 20 requests, 20 replies, 13 from another network",
                "  VERSION  CLUSTER      NETWORK   REPLIES",
                "  v1       eks-west     network1  7        other network",
                "  v2       aks-east     network2  7",
                "  v1       gke-central  network3  6        other network",
                "",
                "From gke-central (network3), pod curl-5b7c9d8f6c-h6j9p: 20 requests, 20 replies, 14 from another network",
                "  VERSION  CLUSTER      NETWORK   REPLIES",
                "  v1       eks-west     network1  7        other network",
                "  v2       aks-east     network2  7        other network",
                "  v1       gke-central  network3  6",
                "",
                "Through the ingress gateway of eks-west (network1), http://52.20.181.72/hello: 20 requests, 20 replies",
                "  VERSION  CLUSTER   NETWORK   REPLIES",
                "  v1       eks-west  network1  10",
                "  v2       aks-east  network2  10       other network",
                "",
                "Through the ingress gateway of gke-central (network3), http://34.118.42.190/hello: 20 requests, 20 replies",
                "  VERSION  CLUSTER      NETWORK   REPLIES",
                "  v1       eks-west     network1  7        other network",
                "  v2       aks-east     network2  7        other network",
                "  v1       gke-central  network3  6",
                "",
                "OK: every cluster got replies from another network; every ingress gateway answered every request; pods ready and injected; " +
                    "every primary holds a remote secret for every other cluster",
                "",
            ].join("\n"),
        );
    });

    it("fails naming a cluster whose replies all come from its own network", async () => {
        const clusters = healthyDev();
        clusters["aks-east"].exec = answers(reply("aks-east"));
        const { verdict, report } = await verify(clusters);
        expect(messages(verdict)).toEqual(["aks-east: no reply from another network in 20 requests (replies: v2@aks-east x20)"]);
        expect(verdict.exitCode).toBe(1);
        expect(report).toContain(
            "FAILED: 1 problem\n  - aks-east: no reply from another network in 20 requests (replies: v2@aks-east x20)\n",
        );
    });

    it("counts replies by network, not by cluster: another cluster on the same network does not count", async () => {
        const clusters = devClustersOutput();
        clusters["gke-central"].network = "network1";
        const fakes = healthyDev();
        fakes["eks-west"].exec = answers(reply("eks-west"), reply("gke-central"));
        const { verdict } = await verify(fakes, { mesh: devMesh(clusters) });
        expect(messages(verdict)).toEqual([
            "eks-west: no reply from another network in 20 requests (replies: v1@eks-west x10, v1@gke-central x10)",
        ]);
    });

    it("fails naming the cluster without a curl pod, and sends nothing from it", async () => {
        const clusters = healthyDev();
        clusters["gke-central"].pods = { sample: demoPods("gke-central").filter((p) => p.labels.app !== "curl") };
        const { verdict, clients } = await verify(clusters);
        expect(messages(verdict)).toEqual(["gke-central: no curl pod in namespace sample (label app=curl)"]);
        expect(clients.get("gke-central")!.execCalls).toEqual([]);
        expect(verdict.tables.map((t) => t.source)).toEqual(["eks-west", "aks-east"]);
    });

    it("fails naming the cluster whose helloworld is not ready", async () => {
        const clusters = healthyDev();
        // Not ready: its endpoint is out of every load-balancing pool, so nobody gets v2.
        clusters["aks-east"].pods = {
            sample: [
                pod(pods["aks-east"].curl, { app: "curl" }),
                pod(pods["aks-east"].helloworld, { app: "helloworld", version: "v2" }, { ready: false }),
            ],
        };
        const elsewhere = answers(reply("eks-west"), reply("gke-central"));
        for (const c of Object.values(clusters)) c.exec = elsewhere;
        const { verdict, report } = await verify(clusters);
        expect(messages(verdict)).toEqual(["aks-east: helloworld pod helloworld-v2-7d5b8f9c6b-x2kqz is not ready (phase Running)"]);
        expect(verdict.exitCode).toBe(1);
        expect(report).toContain("aks-east     remote   network2  1/1   v2 0/1      -");
    });

    it("fails naming the cluster whose curl pod has no sidecar", async () => {
        const clusters = healthyDev();
        clusters["eks-west"].pods = {
            sample: [pod(pods["eks-west"].curl, { app: "curl" }, { containers: ["curl"], initContainers: [] }), demoPods("eks-west")[1]],
        };
        const { verdict } = await verify(clusters);
        expect(messages(verdict)).toEqual([
            "eks-west: curl pod curl-5b7c9d8f6c-q4m2x has no istio-proxy sidecar (is namespace sample labelled for injection?)",
        ]);
    });

    it("accepts a native sidecar (istio-proxy as an init container) and ignores a terminating old pod", async () => {
        const clusters = healthyDev();
        const native = pod(
            pods["eks-west"].helloworld,
            { app: "helloworld", version: "v1" },
            { containers: ["helloworld"], initContainers: ["istio-proxy"] },
        );
        const old = pod("helloworld-v1-58c4d9f7b6-wq2zt", { app: "helloworld", version: "v1" }, { ready: false, terminating: true });
        clusters["eks-west"].pods = { sample: [demoPods("eks-west")[0], native, old] };
        const { verdict } = await verify(clusters);
        expect(messages(verdict)).toEqual([]);
    });

    it("fails naming the primary and the cluster whose remote secret is missing from istio-system", async () => {
        const clusters = healthyDev();
        clusters["gke-central"].secrets = { "istio-system": istioSystem(["eks-west"]) };
        // Without aks-east's secret, gke-central's istiod never learns aks-east's endpoints.
        clusters["gke-central"].exec = answers(reply("eks-west"), reply("gke-central"));
        const { verdict } = await verify(clusters);
        expect(messages(verdict)).toEqual([
            "gke-central: istio-system holds no remote secret for aks-east (Secrets labelled istio/multiCluster=true: istio-remote-secret-eks-west (for eks-west))",
        ]);
        expect(verdict.problems[0]).toMatchObject({ cluster: "gke-central", check: "remote secrets" });
    });

    it("fails naming the primary whose outputs list no remote secret for a cluster", async () => {
        const outputs = devClustersOutput();
        outputs["eks-west"].remoteSecrets = ["aks-east"];
        const { verdict } = await verify(healthyDev(), { mesh: devMesh(outputs) });
        expect(messages(verdict)).toEqual([
            "eks-west: stack outputs list no remote secret for gke-central (listed: aks-east; a primary needs one for every other cluster)",
        ]);
    });

    it("takes the secret's data key as the cluster it is for, as istiod does", async () => {
        const clusters = healthyDev();
        const misKeyed = { ...remoteSecret("gke-central"), dataKeys: ["gke-central-cluster"] };
        clusters["eks-west"].secrets = { "istio-system": [remoteSecret("aks-east"), misKeyed] };
        const { verdict } = await verify(clusters);
        expect(messages(verdict)).toEqual([
            "eks-west: istio-system holds no remote secret for gke-central (Secrets labelled istio/multiCluster=true: " +
                "istio-remote-secret-aks-east (for aks-east), istio-remote-secret-gke-central (for gke-central-cluster))",
        ]);
    });

    it("fails naming the cluster whose curl run timed out", async () => {
        const clusters = healthyDev();
        clusters["eks-west"].exec = () => "timeout";
        const { verdict } = await verify(clusters);
        expect(messages(verdict)).toEqual(["eks-west: curl from curl-5b7c9d8f6c-q4m2x failed: timed out after 150 s"]);
    });

    it("fails naming the cluster where some requests failed, with curl's errors", async () => {
        const clusters = healthyDev();
        clusters["aks-east"].exec = answers(
            reply("eks-west"),
            "curl: (28) Connection timed out after 5001 milliseconds",
            reply("aks-east"),
            reply("gke-central"),
        );
        const { verdict, report } = await verify(clusters);
        expect(messages(verdict)).toEqual([
            "aks-east: 5 of 20 requests failed (curl: (28) Connection timed out after 5001 milliseconds x5)",
        ]);
        expect(report).toContain(
            "From aks-east (network2), pod curl-5b7c9d8f6c-r8t4w: 20 requests, 15 replies, 10 from another network, 5 failed",
        );
    });

    it("fails on output that is not a reply, and on requests that printed nothing", async () => {
        const clusters = healthyDev();
        clusters["eks-west"].exec = () => ({
            stdout: [reply("aks-east"), "no healthy upstream", reply("gke-central"), "no healthy upstream"].join("\n") + "\n",
            stderr: "",
            exitCode: 0,
        });
        const { verdict } = await verify(clusters);
        expect(messages(verdict)).toEqual([
            'eks-west: 2 of 20 requests got output that is not a helloworld reply ("no healthy upstream" x2)',
            "eks-west: only 4 of 20 requests printed anything",
        ]);
        expect(verdict.tables[0]).toMatchObject({ source: "eks-west", failed: 18, otherNetworkReplies: 2 });
    });

    it("does not look for cross-network replies when every cluster shares one network, and says so", async () => {
        const clusters = devClustersOutput();
        for (const c of Object.values(clusters)) c.network = "network1";
        const fakes = healthyDev();
        for (const name of Object.keys(fakes) as ClusterName[]) fakes[name].exec = answers(reply(name));
        const { verdict } = await verify(fakes, { mesh: devMesh(clusters) });
        expect(messages(verdict)).toEqual([]);
        expect(verdict.notes).toEqual([
            "every cluster is on network network1: there is no other network to reach, so cross-network replies were not looked for",
        ]);
    });

    it("fails when curl cannot run in the container at all", async () => {
        const clusters = healthyDev();
        clusters["gke-central"].exec = () => ({ stdout: "", stderr: "sh: curl: not found\n", exitCode: 127 });
        const { verdict } = await verify(clusters);
        expect(messages(verdict)).toEqual(["gke-central: curl from curl-5b7c9d8f6c-h6j9p exited with code 127: sh: curl: not found"]);
    });

    it("fails naming an unreachable cluster, once", async () => {
        const clusters = healthyDev();
        clusters["eks-west"] = { unreachable: "connect ETIMEDOUT 35.161.92.14:443" };
        const { verdict, report } = await verify(clusters);
        expect(messages(verdict)).toEqual([
            "eks-west: cannot list pods in namespace sample or remote secrets in istio-system: connect ETIMEDOUT 35.161.92.14:443",
        ]);
        expect(report).toContain("eks-west     primary  network1  ?     ?           ?");
    });

    it("lists one cluster's problems together, in the stack's cluster order", async () => {
        const clusters = healthyDev();
        clusters["gke-central"].secrets = { "istio-system": istioSystem(["eks-west"]) };
        clusters["gke-central"].exec = answers(
            reply("eks-west"),
            reply("gke-central"),
            "curl: (28) Connection timed out after 5001 milliseconds",
        );
        clusters["aks-east"].exec = answers(reply("aks-east"));
        const { verdict, report } = await verify(clusters);
        expect(report).toContain(
            [
                "FAILED: 3 problems",
                "  - aks-east: no reply from another network in 20 requests (replies: v2@aks-east x20)",
                "  - gke-central: istio-system holds no remote secret for aks-east (Secrets labelled istio/multiCluster=true: istio-remote-secret-eks-west (for eks-west))",
                "  - gke-central: 6 of 20 requests failed (curl: (28) Connection timed out after 5001 milliseconds x6)",
                "",
            ].join("\n"),
        );
        expect(verdict.exitCode).toBe(1);
    });
});

describe("verify with locality failover on", () => {
    /** Healthy dev stack with failover: each caller is answered by its own region only. */
    function localOnly(): Record<ClusterName, FakeCluster> {
        const clusters = healthyDev();
        for (const name of Object.keys(clusters) as ClusterName[]) clusters[name].exec = answers(reply(name));
        return clusters;
    }

    it("accepts all-local replies and says that other networks were not observed", async () => {
        const { verdict, report } = await verify(localOnly(), { localityFailover: true });
        expect(verdict.exitCode).toBe(0);
        expect(verdict.notes).toEqual(
            (["eks-west", "aks-east", "gke-central"] as ClusterName[]).map(
                (c) =>
                    `${c}: all 20 replies stayed on ${devMesh().clusters.find((x) => x.name === c)!.network} (${pods[c].version}@${c} x20), as locality failover intends; ` +
                    `reachability of other networks was NOT observed: it is only used when helloworld in ${c}'s region fails`,
            ),
        );
        expect(report).toContain("Locality failover: on (trafficPolicy.localityFailover)");
        expect(report).toContain(
            "OK: every curl pod got its replies; every ingress gateway answered every request; pods ready and injected; " +
                "every primary holds a remote secret for every other cluster (cross-network reachability: see notes)",
        );
    });

    it("fails the same replies when failover is off, naming every cluster", async () => {
        const { verdict } = await verify(localOnly(), { localityFailover: false });
        expect(verdict.problems.map((p) => [p.cluster, p.check])).toEqual([
            ["eks-west", "reachability"],
            ["aks-east", "reachability"],
            ["gke-central", "reachability"],
        ]);
    });

    it("notes cross-network replies under failover without failing on them", async () => {
        const { verdict } = await verify(healthyDev(), { localityFailover: true });
        expect(verdict.exitCode).toBe(0);
        expect(verdict.notes[0]).toBe(
            "eks-west: 13 of 20 replies came from another network although locality failover is on (v1@eks-west x7, v2@aks-east x7, v1@gke-central x6): " +
                "the local helloworld was failing over, the clusters share a region, or the policy is not in effect",
        );
    });

    it("still fails a cluster whose local helloworld is not ready", async () => {
        const clusters = localOnly();
        clusters["gke-central"].pods = {
            sample: [
                pod(pods["gke-central"].curl, { app: "curl" }),
                pod(pods["gke-central"].helloworld, { app: "helloworld", version: "v1" }, { ready: false, phase: "Pending" }),
            ],
        };
        const { verdict } = await verify(clusters, { localityFailover: true });
        expect(messages(verdict)).toContain("gke-central: helloworld pod helloworld-v1-6d8f7b9c5d-k7p2m is not ready (phase Pending)");
        expect(verdict.exitCode).toBe(1);
    });
});

// ---- What verify sends --------------------------------------------------------------------

describe("verify with revisions", () => {
    /** The dev stack mid-upgrade: both revisions published everywhere, or only 1-31 after the old one's removal. */
    const revisionsMesh = (installed: string[]) => {
        const clusters = devClustersOutput();
        for (const c of Object.values(clusters))
            c.revisions = installed.map((name) => ({ name, version: name === "default" ? "1.30.4" : "1.31.1" }));
        return devMesh(clusters);
    };
    /** Every demo pod injected by `revision`, and the east-west gateway by 1-31. */
    const injected = (revision: (cluster: ClusterName) => string): Record<ClusterName, FakeCluster> => {
        const clusters = healthyDev();
        for (const name of Object.keys(clusters) as ClusterName[]) {
            const sample = demoPods(name).map((p) => ({ ...p, annotations: { "istio.io/rev": revision(name) } }));
            const gateway = pod(
                "istio-eastwestgateway-7f8d9c6b5a-z9x8w",
                { app: "istio-eastwestgateway" },
                { containers: ["istio-proxy"], initContainers: [], annotations: { "istio.io/rev": "1-31" } },
            );
            const uninjected = pod("coredns-5d78c9869d-abcde", { "k8s-app": "kube-dns" }, { containers: ["coredns"], initContainers: [] });
            clusters[name].pods = { sample, "istio-system": [gateway], "kube-system": [uninjected] };
        }
        return clusters;
    };

    it("reports per cluster which revision each proxy runs", async () => {
        const { verdict, report } = await verify(
            injected((c) => (c === "aks-east" ? "default" : "1-31")),
            { mesh: revisionsMesh(["default", "1-31"]) },
        );
        expect(messages(verdict)).toEqual([]);
        expect(verdict.clusters.map((c) => [c.name, c.proxies])).toEqual([
            ["eks-west", { "1-31": 3 }],
            ["aks-east", { "1-31": 1, default: 2 }],
            ["gke-central", { "1-31": 3 }],
        ]);
        expect(report).toContain(
            "Proxies by the revision that injected them:\n  eks-west: 1-31 3\n  aks-east: 1-31 1, default 2\n  gke-central: 1-31 3\n",
        );
    });

    it("flags every proxy on a revision no longer installed, saying what to restart", async () => {
        const { verdict } = await verify(
            injected((c) => (c === "aks-east" ? "default" : "1-31")),
            { mesh: revisionsMesh(["1-31"]) },
        );
        expect(verdict.exitCode).toBe(1);
        expect(verdict.problems.map((p) => [p.check, p.message])).toEqual(
            [pods["aks-east"].curl, pods["aks-east"].helloworld].map((name) => [
                "revisions",
                `aks-east: pod sample/${name} runs a proxy of revision default, which is no longer installed (installed: 1-31): restart its workload (kubectl -n sample rollout restart deployment)`,
            ]),
        );
    });

    it("lists no pods beyond the demo's for a stack without revisions", async () => {
        const { verdict, report, progress } = await verify(injected(() => "default"));
        expect(verdict.clusters.every((c) => c.proxies === undefined)).toBe(true);
        expect(report).not.toContain("Proxies by the revision");
        expect(progress.some((l) => l.includes("every namespace"))).toBe(false);
    });
});

describe("the curl run", () => {
    it("sends N requests from the curl container of a ready curl pod, in one exec", async () => {
        const { clients, progress } = await verify(healthyDev(), { requests: 7 });
        const calls = clients.get("aks-east")!.execCalls;
        expect(calls).toHaveLength(1);
        expect(calls[0]).toMatchObject({
            namespace: "sample",
            pod: "curl-5b7c9d8f6c-r8t4w",
            container: "curl",
            command: curlCommand(7, 5),
        });
        expect(calls[0].command.join(" ")).toContain("http://helloworld.sample:5000/hello");
        expect(calls[0].options.timeoutMs).toBe((7 * 6 + 30) * 1000);
        expect(progress).toContain("aks-east: sending 7 requests from curl-5b7c9d8f6c-r8t4w to http://helloworld.sample:5000/hello");
        expect(progress).toContain("aks-east: 7 replies, 0 failed");
    });
});

// ---- The ingress gateways, called from this machine ---------------------------------------

describe("the ingress check", () => {
    it("reports the versions that answered through each ingress gateway: v1 and v2 through eks-west's", async () => {
        const { verdict, http, progress } = await verify(healthyDev());
        expect(verdict.exitCode).toBe(0);
        expect(
            verdict.ingress.map((t) => [t.cluster, t.address, t.failed, t.rows.map((r) => `${r.version}@${r.cluster} x${r.replies}`)]),
        ).toEqual([
            ["eks-west", "52.20.181.72", 0, ["v1@eks-west x10", "v2@aks-east x10"]],
            ["gke-central", "34.118.42.190", 0, ["v1@eks-west x7", "v2@aks-east x7", "v1@gke-central x6"]],
        ]);
        // N plain-HTTP requests to each address, with no Host override and no TLS.
        const toEksWest = http.calls.filter((c) => c.address === "52.20.181.72");
        expect(toEksWest).toHaveLength(20);
        expect(toEksWest[0]).toEqual({ address: "52.20.181.72", port: 80, path: "/hello", timeoutMs: 5000 });
        expect(http.calls.filter((c) => c.address === "34.118.42.190")).toHaveLength(20);
        expect(progress).toContain("eks-west: sending 20 requests from this machine to ingress http://52.20.181.72/hello");
        expect(progress).toContain("eks-west: ingress: 20 replies, 0 failed");
    });

    it("fails naming the cluster and address of an ingress gateway that refuses connections", async () => {
        const ingress = { ...healthyIngress(), "52.20.181.72": () => ({ error: "connect ECONNREFUSED" }) };
        const { verdict, report } = await verify(healthyDev(), { ingress });
        expect(messages(verdict)).toEqual(["eks-west: ingress 52.20.181.72 answered 0 of 20 requests (connect ECONNREFUSED)"]);
        expect(verdict.problems[0]).toMatchObject({ cluster: "eks-west", check: "ingress" });
        expect(verdict.exitCode).toBe(1);
        expect(report).toContain(
            "Through the ingress gateway of eks-west (network1), http://52.20.181.72/hello: 20 requests, 0 replies, 20 failed\n  (no replies)\n",
        );
        expect(report).toContain(
            "FAILED: 1 problem\n  - eks-west: ingress 52.20.181.72 answered 0 of 20 requests (connect ECONNREFUSED)\n",
        );
    });

    it("counts error statuses, other bodies and timeouts as failed requests, each cause with its count", async () => {
        const answers = [
            { status: 200, body: reply("gke-central") },
            { status: 503, body: "no healthy upstream" },
            { status: 200, body: "<html><body>Welcome to nginx!</body></html>" },
            { error: "timed out after 5 s" },
            { status: 404, body: "" },
        ];
        const ingress = { ...healthyIngress(), "34.118.42.190": (_: unknown, i: number) => answers[i % answers.length] };
        const { verdict } = await verify(healthyDev(), { ingress });
        expect(messages(verdict)).toEqual([
            "gke-central: ingress 34.118.42.190 answered 4 of 20 requests " +
                '(HTTP 503: no healthy upstream x4; HTTP 200 but not a helloworld reply: "<html><body>Welcome to nginx!</body></html>" x4; timed out after 5 s x4; HTTP 404 x4)',
        ]);
        expect(verdict.ingress[1]).toMatchObject({
            cluster: "gke-central",
            failed: 16,
            rows: [{ version: "v1", cluster: "gke-central", replies: 4 }],
        });
    });

    it("sends the TLS host as Host header and TLS server name, over HTTPS on 443, verifying the certificate", async () => {
        const { verdict, http, report } = await verify(healthyDev(), { mesh: devMesh(devClustersOutput(), "hello.example.com") });
        expect(verdict.exitCode).toBe(0);
        expect(http.calls).toHaveLength(40);
        for (const call of http.calls) {
            expect(call).toEqual({
                address: call.address,
                port: 443,
                path: "/hello",
                host: "hello.example.com",
                tls: { serverName: "hello.example.com", verifyCertificate: true },
                timeoutMs: 5000,
            });
        }
        expect(new Set(http.calls.map((c) => c.address))).toEqual(new Set(["52.20.181.72", "34.118.42.190"]));
        expect(report).toContain(
            "Ingress: 20 requests from this machine to /hello on each ingress gateway (eks-west, gke-central), " +
                "HTTPS on port 443 for hello.example.com (Host header and TLS server name), certificate verified",
        );
        expect(report).toContain(
            "Through the ingress gateway of eks-west (network1), https://hello.example.com/hello at 52.20.181.72: 20 requests, 20 replies",
        );
    });

    it("skips certificate verification only with --insecure-ingress, and says so", async () => {
        const { http, report } = await verify(healthyDev(), {
            mesh: devMesh(devClustersOutput(), "hello.example.com"),
            insecureIngress: true,
        });
        expect(http.calls.map((c) => c.tls)).toEqual(Array(40).fill({ serverName: "hello.example.com", verifyCertificate: false }));
        expect(report).toContain("certificate NOT verified (--insecure-ingress)");
    });

    it("is skipped, with a notice, when no cluster runs an ingress gateway; the rest still passes", async () => {
        const { verdict, report, http, progress } = await verify(healthyDev(), { mesh: devMesh(withoutIngress()), ingress: {} });
        expect(http.calls).toEqual([]);
        expect(verdict.exitCode).toBe(0);
        expect(verdict.ingress).toEqual([]);
        expect(report).toContain(
            "\nIngress: skipped: no cluster runs an ingress gateway (no stack output clusters.<name>.ingressAddress)\n",
        );
        expect(report).not.toContain("Through the ingress gateway");
        expect(report).toContain(
            "\nOK: every cluster got replies from another network; pods ready and injected; every primary holds a remote secret for every other cluster\n",
        );
        expect(progress).toContain("ingress: no cluster runs an ingress gateway, ingress check skipped");
    });

    it("calls only the gateways that exist, and fails them on their own when the cluster's API server is down", async () => {
        const clusters = devClustersOutput();
        delete clusters["gke-central"].ingressAddress;
        const fakes = healthyDev();
        fakes["eks-west"] = { unreachable: "connect ETIMEDOUT 35.161.92.14:443" };
        const { verdict, http } = await verify(fakes, { mesh: devMesh(clusters) });
        expect(new Set(http.calls.map((c) => c.address))).toEqual(new Set(["52.20.181.72"]));
        // Its pods cannot be listed, so replies from its helloworld come from no known pod: noted, not failed.
        expect(messages(verdict)).toEqual([
            "eks-west: cannot list pods in namespace sample or remote secrets in istio-system: connect ETIMEDOUT 35.161.92.14:443",
        ]);
        expect(verdict.notes).toContain(
            "eks-west ingress: 10 replies came from pods listed in no cluster (helloworld-v1-6d8f7b9c5d-abcde): " +
                "replaced while verify ran, or running outside this stack; they count as neither local nor cross-network",
        );
    });
});

// ---- Stack outputs, config, command line, Pulumi CLI errors -------------------------------

describe("reading the stack", () => {
    it("reads clusters, networks and remote secrets from the outputs", () => {
        const { mesh, kubeconfigs } = parseStackOutputs("dev", devOutputs());
        expect(mesh.clusters.map((c) => [c.name, c.role, c.network, c.remoteSecrets.join(",")])).toEqual([
            ["eks-west", "primary", "network1", "aks-east,gke-central"],
            ["aks-east", "remote", "network2", ""],
            ["gke-central", "primary", "network3", "eks-west,aks-east"],
        ]);
        expect([...kubeconfigs.keys()]).toEqual(["eks-west", "aks-east", "gke-central"]);
    });

    it("reads the ingress addresses and the TLS host from the outputs", () => {
        const mesh = devMesh(devClustersOutput(), "hello.example.com");
        expect(mesh.clusters.map((c) => [c.name, c.ingressAddress])).toEqual([
            ["eks-west", "52.20.181.72"],
            ["aks-east", undefined],
            ["gke-central", "34.118.42.190"],
        ]);
        expect(mesh.ingressHost).toBe("hello.example.com");
        expect(devMesh().ingressHost).toBeUndefined();
        // A stack deployed before the demo output existed: plain HTTP.
        const older: Record<string, any> = devOutputs();
        delete older.demo;
        expect(parseStackOutputs("dev", older).mesh.ingressHost).toBeUndefined();
    });

    it("explains outputs that are missing or malformed", () => {
        expect(() => parseStackOutputs("dev", {})).toThrow("stack dev has no outputs: deploy it first (pulumi up --stack dev)");
        const noKubeconfigs: Record<string, any> = devOutputs();
        delete noKubeconfigs.kubeconfigs;
        expect(() => parseStackOutputs("dev", noKubeconfigs)).toThrow(
            'stack dev has no output "kubeconfigs" (outputs: meshId, demo, clusters, remoteSecrets)',
        );
        const clusters = devClustersOutput();
        delete clusters["aks-east"].network;
        expect(() => parseStackOutputs("dev", devOutputs(clusters))).toThrow(/output clusters\.aks-east\.network:/);
    });

    it("reads demo and locality failover from the config", () => {
        const config = {
            "istio-multicloud:demo": { value: "true" },
            "istio-multicloud:trafficPolicy": { value: '{"localityFailover":true}' },
            "istio-multicloud:clusters": { value: JSON.stringify([{ name: "eks-west", ingress: true }, { name: "aks-east" }]) },
            "gcp:project": { value: "istio-multicloud-dev" },
        };
        expect(readSettings(config)).toEqual({ demo: true, localityFailover: true });
        expect(readSettings({})).toEqual({ demo: false, localityFailover: false });
    });

    it("says that the Pulumi CLI is missing instead of showing a spawn error", () => {
        // What the Automation API throws when `pulumi` is not on PATH.
        const err = Object.assign(new Error("code: -2\n stderr: Command failed with ENOENT: pulumi version\nspawn pulumi ENOENT"), {
            commandResult: {
                stdout: "",
                stderr: "Command failed with ENOENT: pulumi version\nspawn pulumi ENOENT",
                code: -2,
                err: { code: "ENOENT" },
            },
        });
        const explained = explainPulumiError(err, "dev", "/work/main");
        expect(explained).toBeInstanceOf(VerifyError);
        expect(explained.message).toMatch(/^verify needs the Pulumi CLI on PATH/);
    });

    it("says which stack does not exist", () => {
        const err = Object.assign(new Error("no stack"), {
            commandResult: { stderr: "error: no stack named 'prod' found\n", err: undefined },
        });
        expect(explainPulumiError(err, "prod", "/work/main").message).toBe(
            "stack prod does not exist in the backend the Pulumi CLI is logged in to (project in /work/main): see pulumi stack ls, or pulumi login to the backend that holds it",
        );
    });
});

describe("command line", () => {
    it("takes --stack, --requests, --cwd and --insecure-ingress, with 20 requests, the current directory and verified certificates by default", () => {
        expect(parseArgs(["--stack", "dev"], "/work/main")).toEqual({
            help: false,
            stack: "dev",
            requests: 20,
            cwd: "/work/main",
            insecureIngress: false,
        });
        expect(
            parseArgs(["--stack=org/istio-multicloud/dev", "--requests", "50", "--insecure-ingress", "--cwd", "/src/mesh"], "/x"),
        ).toEqual({
            help: false,
            stack: "org/istio-multicloud/dev",
            requests: 50,
            cwd: "/src/mesh",
            insecureIngress: true,
        });
        expect(parseArgs(["--stack", "dev", "--help"], "/x")).toEqual({ help: true });
    });

    it.each([
        [[], "--stack is required: the stack to verify, e.g. --stack dev"],
        [["--stack"], "--stack needs a value"],
        [["--stack", "--requests", "5"], "--stack needs a value"],
        [["--stack", "dev", "--requests", "0"], '--requests: "0" is not a whole number from 1 to 1000'],
        [["--stack", "dev", "--requests", "2.5"], '--requests: "2.5" is not a whole number from 1 to 1000'],
        [["--stack", "dev", "--requests", "twenty"], '--requests: "twenty" is not a whole number from 1 to 1000'],
        [["--stack", "dev", "--stack", "prod"], "--stack is given twice"],
        [["--stack", "dev", "--verbose"], "unknown option --verbose (options: --stack, --requests, --cwd, --insecure-ingress, --help)"],
        [["--stack", "dev", "--insecure-ingress=true"], "--insecure-ingress takes no value"],
        [["--insecure-ingress", "--stack", "dev", "--insecure-ingress"], "--insecure-ingress is given twice"],
        [["dev"], 'unexpected argument "dev": options take the form --stack <name>'],
    ])("rejects %j: %s", (argv, message) => {
        expect(() => parseArgs(argv as string[], "/x")).toThrow(new UsageError(message));
    });
});
