import { parse } from "yaml";
import { isSecret, Recorder, Registration, resolve, reveal } from "../harness";
import { gatewayValueErrors, unknownChartKeys } from "./chartValues";
import { meshes, runMesh } from "./fixtures";
import type { MeshOutputs } from "../../stacks/mesh";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const SECRET = "kubernetes:core/v1:Secret";
const SERVICE = "kubernetes:core/v1:Service";
const NAMESPACE = "kubernetes:core/v1:Namespace";
/** Istio objects register under their own group and kind (networking.istio.io, security.istio.io). */
const ISTIO = (type: string) => /^kubernetes:[a-z.]+\.istio\.io\/v1:/.test(type);
const ipv4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** Topology of each fixture: role and primary by cluster. */
function topologyOf(config: Record<string, unknown>) {
    const clusters = config.clusters as { name: string; role?: string; primary?: string; network?: string }[];
    return clusters.map((c) => ({ name: c.name, role: c.role ?? "primary", primary: c.primary }));
}

describe.each(Object.keys(meshes))("the %s mesh", (shape) => {
    const config = meshes[shape];
    const topology = topologyOf(config);
    const primaries = topology.filter((t) => t.role === "primary");
    const remotes = topology.filter((t) => t.role === "remote");
    let rec: Recorder;
    let outputs: MeshOutputs;

    beforeAll(async () => {
        ({ rec, outputs } = await runMesh(config));
    });

    it("gives every Kubernetes resource its own cluster's provider, never a default one", () => {
        const k8sResources = rec.all.filter((r) => r.custom && r.type.startsWith("kubernetes:"));
        expect(k8sResources.length).toBeGreaterThan(0);
        for (const r of k8sResources) {
            expect({ resource: r.name, cluster: rec.clusterOf(r) }).toEqual({
                resource: r.name,
                cluster: expect.stringMatching(new RegExp(`^(${topology.map((t) => t.name).join("|")})$`)),
            });
        }
        for (const p of rec.ofType("pulumi:providers:kubernetes")) {
            expect(isSecret(p.inputs.kubeconfig)).toBe(true);
        }
    });

    it("sends base and istiod only keys those charts read, and gateway values its schema accepts", () => {
        for (const release of rec.ofType(RELEASE)) {
            const values = reveal(release.inputs.values);
            if (release.inputs.chart === "gateway") {
                expect(gatewayValueErrors(values, release.inputs.version)).toEqual([]);
            } else {
                expect({ release: release.name, unknown: unknownChartKeys(release.inputs.chart, values, release.inputs.version) }).toEqual({
                    release: release.name,
                    unknown: [],
                });
            }
        }
    });

    it("installs base, istiod and the east-west gateway in every cluster, by name, from the configured chart", () => {
        for (const { name } of topology) {
            for (const [releaseName, chart] of [
                ["istio-base", "base"],
                ["istiod", "istiod"],
                ["istio-eastwestgateway", "gateway"],
            ]) {
                const release = rec.oneIn(RELEASE, name, releaseName);
                expect(release.inputs).toMatchObject({
                    chart,
                    version: (config.istioVersion as string) ?? "1.31.1",
                    namespace: "istio-system",
                    repositoryOpts: { repo: "https://blob.istio.io/istio-release/charts" },
                });
                expect(release.inputs.skipAwait).not.toBe(true);
                expect(release.inputs.timeout).toBeGreaterThanOrEqual(600);
            }
        }
    });

    it("labels istio-system with the network and, on a remote, names its primary", () => {
        const clusters = config.clusters as { name: string; cloud: string; network?: string; primary?: string }[];
        for (const c of clusters) {
            const ns = rec.oneIn(NAMESPACE, c.name, "istio-system");
            expect(ns.inputs.metadata.labels).toEqual({ "topology.istio.io/network": c.network ?? `network-${c.name}` });
            const annotations = ns.inputs.metadata.annotations;
            // An existing cluster may already have the namespace: it is adopted (fields taken over).
            const adopted = c.cloud === "existing" ? { "pulumi.com/patchForce": "true" } : {};
            if (c.primary) {
                expect(annotations).toEqual({ ...adopted, "topology.istio.io/controlPlaneClusters": c.primary });
            } else if (c.cloud === "existing") {
                expect(annotations).toEqual(adopted);
            } else {
                expect(annotations).toBeUndefined();
            }
        }
    });

    it("gives each primary's istiod its cluster, network and mesh, and remotes' primaries two external replicas", () => {
        for (const p of primaries) {
            const values = reveal(rec.oneIn(RELEASE, p.name, "istiod").inputs.values);
            const servesRemotes = remotes.some((r) => r.primary === p.name);
            expect(values).toEqual({
                hub: "docker.io/istio",
                global: {
                    hub: "docker.io/istio",
                    meshID: config.meshId ?? "mesh1",
                    multiCluster: { clusterName: p.name },
                    network: expect.any(String),
                    ...(servesRemotes ? { externalIstiod: true } : {}),
                },
                ...(servesRemotes ? { autoscaleMin: 2 } : {}),
            });
            expect(reveal(rec.oneIn(RELEASE, p.name, "istio-base").inputs.values)).toEqual({});
        }
    });

    it("configures each remote from its primary: profile, injection path and the primary's static IP", async () => {
        for (const r of remotes) {
            const values = reveal(rec.oneIn(RELEASE, r.name, "istiod").inputs.values);
            const network = (rec.oneIn(NAMESPACE, r.name, "istio-system").inputs.metadata.labels as any)["topology.istio.io/network"];
            const primaryAddress = (await resolve(outputs.clusters[r.primary!].eastWestAddress)).value;
            expect(primaryAddress).toMatch(ipv4);
            expect(values).toEqual({
                profile: "remote",
                global: {
                    meshID: config.meshId ?? "mesh1",
                    multiCluster: { clusterName: r.name },
                    network,
                    configCluster: true,
                    remotePilotAddress: primaryAddress,
                },
                istiodRemote: { injectionPath: `/inject/cluster/${r.name}/net/${network}` },
            });
            expect(reveal(rec.oneIn(RELEASE, r.name, "istio-base").inputs.values)).toEqual({ profile: "remote" });
        }
    });

    it("puts cacerts in every primary before istiod and no CA material in remotes", () => {
        for (const p of primaries) {
            const cacerts = rec.oneIn(SECRET, p.name, "cacerts");
            expect(isSecret(cacerts.inputs.stringData)).toBe(true);
            expect(Object.keys(reveal(cacerts.inputs.stringData)).sort()).toEqual([
                "ca-cert.pem",
                "ca-key.pem",
                "cert-chain.pem",
                "root-cert.pem",
            ]);
            expect(rec.dependsOn(rec.oneIn(RELEASE, p.name, "istiod"), cacerts)).toBe(true);
        }
        for (const r of remotes) {
            expect(rec.inCluster(SECRET, r.name, "cacerts")).toEqual([]);
        }
    });

    it("puts Istio configuration on primaries only, istiod's exposure only where remotes need it", () => {
        for (const p of primaries) {
            const names = rec
                .inCluster(ISTIO, p.name)
                .filter((o) => o.inputs.apiVersion === "networking.istio.io/v1" && o.inputs.metadata.namespace === "istio-system")
                .map((o) => `${o.inputs.kind}/${o.inputs.metadata.name}`)
                .sort();
            const servesRemotes = remotes.some((r) => r.primary === p.name);
            expect(names).toEqual(
                servesRemotes
                    ? ["Gateway/cross-network-gateway", "Gateway/istiod-gateway", "VirtualService/istiod-vs"]
                    : ["Gateway/cross-network-gateway"],
            );
            for (const o of rec.inCluster(ISTIO, p.name)) {
                expect(rec.dependsOn(o, rec.oneIn(RELEASE, p.name, "istio-base"))).toBe(true);
                expect(rec.dependsOn(o, rec.oneIn(RELEASE, p.name, "istiod"))).toBe(true);
            }
        }
        for (const r of remotes) {
            expect(rec.inCluster(ISTIO, r.name)).toEqual([]);
        }
    });

    it("makes mTLS STRICT mesh-wide on every primary and writes no PeerAuthentication in remotes", () => {
        for (const p of primaries) {
            const policies = rec.inCluster("kubernetes:security.istio.io/v1:PeerAuthentication", p.name);
            expect(policies.map((x) => [x.inputs.metadata, x.inputs.spec])).toEqual([
                [{ name: "default", namespace: "istio-system" }, { mtls: { mode: "STRICT" } }],
            ]);
        }
        for (const r of remotes) {
            expect(rec.inCluster("kubernetes:security.istio.io/v1:PeerAuthentication", r.name)).toEqual([]);
        }
    });

    it("holds in every primary exactly one remote secret per other cluster, in istioctl's format", async () => {
        const apiUrls: Record<string, string> = {};
        for (const t of topology) apiUrls[t.name] = (await resolve(outputs.clusters[t.name].apiServerUrl)).value;
        for (const p of primaries) {
            const held = rec.inCluster(SECRET, p.name).filter((s) => s.inputs.metadata.name.startsWith("istio-remote-secret-"));
            const others = topology.filter((t) => t.name !== p.name).map((t) => t.name);
            expect(held.map((s) => s.inputs.metadata.name).sort()).toEqual(others.map((o) => `istio-remote-secret-${o}`).sort());
            for (const other of others) {
                const s = rec.oneIn(SECRET, p.name, `istio-remote-secret-${other}`);
                expect(s.inputs.metadata).toMatchObject({
                    namespace: "istio-system",
                    labels: { "istio/multiCluster": "true" },
                    annotations: { "networking.istio.io/cluster": other },
                });
                expect(isSecret(s.inputs.stringData)).toBe(true);
                const data = reveal(s.inputs.stringData);
                expect(Object.keys(data)).toEqual([other]);
                const kubeconfig = parse(data[other]);
                expect(kubeconfig.clusters).toEqual([
                    {
                        name: other,
                        cluster: { server: apiUrls[other], "certificate-authority-data": expect.stringMatching(/^[A-Za-z0-9+/=]+$/) },
                    },
                ]);
                expect(kubeconfig.contexts).toEqual([{ name: other, context: { cluster: other, user: other } }]);
                expect(kubeconfig["current-context"]).toBe(other);
                expect(kubeconfig.users).toEqual([{ name: other, user: { token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/) } }]);
                // It follows both control planes and the token from the other cluster.
                expect(rec.dependsOn(s, rec.oneIn(RELEASE, p.name, "istiod"))).toBe(true);
                expect(rec.dependsOn(s, rec.oneIn(RELEASE, other, "istiod"))).toBe(true);
            }
        }
        for (const r of remotes) {
            const held = rec.inCluster(SECRET, r.name).filter((s) => s.inputs.metadata.name.startsWith("istio-remote-secret-"));
            expect(held).toEqual([]);
        }
    });

    it("asks each cluster's token controller for a reader token after base and istiod", () => {
        for (const t of topology) {
            const token = rec.oneIn(SECRET, t.name, "istio-reader-service-account-istio-remote-secret-token");
            expect(token.inputs.type).toBe("kubernetes.io/service-account-token");
            expect(token.inputs.metadata.annotations).toEqual({
                "kubernetes.io/service-account.name": "istio-reader-service-account",
            });
            expect(rec.dependsOn(token, rec.oneIn(RELEASE, t.name, "istio-base"))).toBe(true);
            expect(rec.dependsOn(token, rec.oneIn(RELEASE, t.name, "istiod"))).toBe(true);
        }
    });

    it("orders each cluster: namespace and nodes, then base, then istiod, then the east-west gateway", () => {
        for (const t of topology) {
            const ns = rec.oneIn(NAMESPACE, t.name, "istio-system");
            const base = rec.oneIn(RELEASE, t.name, "istio-base");
            const istiod = rec.oneIn(RELEASE, t.name, "istiod");
            const gateway = rec.oneIn(RELEASE, t.name, "istio-eastwestgateway");
            expect(rec.dependsOn(base, ns)).toBe(true);
            expect(rec.dependsOn(istiod, base)).toBe(true);
            expect(rec.dependsOn(istiod, ns)).toBe(true);
            expect(rec.dependsOn(gateway, istiod)).toBe(true);
            const cloud = (config.clusters as any[]).find((c) => c.name === t.name).cloud;
            const nodes = nodePoolOf(rec, t.name, cloud);
            for (const r of [ns, base, istiod, gateway]) {
                if (nodes) expect(rec.dependsOn(r, nodes)).toBe(true);
            }
        }
    });

    it("installs a remote's charts in parallel with its primary but its gateway only once attached", () => {
        for (const r of remotes) {
            const p = r.primary!;
            const remoteIstiod = rec.oneIn(RELEASE, r.name, "istiod");
            const remoteBase = rec.oneIn(RELEASE, r.name, "istio-base");
            for (const primaryResource of [
                rec.oneIn(RELEASE, p, "istiod"),
                rec.oneIn(RELEASE, p, "istio-eastwestgateway"),
                rec.oneIn(SERVICE, p, "istio-eastwestgateway"),
            ]) {
                expect(rec.dependsOn(remoteIstiod, primaryResource)).toBe(false);
                expect(rec.dependsOn(remoteBase, primaryResource)).toBe(false);
            }
            const gateway = rec.oneIn(RELEASE, r.name, "istio-eastwestgateway");
            for (const needed of [
                rec.oneIn(RELEASE, p, "istiod"),
                rec.oneIn(ISTIO, p, "istiod-gateway"),
                rec.oneIn(ISTIO, p, "istiod-vs"),
                rec.oneIn(SERVICE, p, "istio-eastwestgateway"),
                rec.oneIn(RELEASE, p, "istio-eastwestgateway"),
                rec.oneIn(SECRET, p, `istio-remote-secret-${r.name}`),
            ]) {
                expect({ needed: needed.name, waits: rec.dependsOn(gateway, needed) }).toEqual({ needed: needed.name, waits: true });
            }
        }
    });

    it("publishes addresses and secrets as stack outputs, secrets only in the secret outputs", async () => {
        expect(Object.keys(outputs.clusters).sort()).toEqual(topology.map((t) => t.name).sort());
        const kubeconfigs = await resolve(outputs.kubeconfigs);
        const remoteSecrets = await resolve(outputs.remoteSecrets);
        expect(kubeconfigs.secret).toBe(true);
        expect(remoteSecrets.secret).toBe(true);
        expect(Object.keys(remoteSecrets.value).sort()).toEqual(topology.map((t) => t.name).sort());
        for (const t of topology) {
            const address = await resolve(outputs.clusters[t.name].eastWestAddress);
            expect(address.secret).toBe(false);
            expect((await resolve(outputs.clusters[t.name].apiServerUrl)).value).toMatch(/^https:\/\//);
        }
    });
});

/** The registration whose existence means the cluster's nodes are up (undefined for existing clusters). */
function nodePoolOf(rec: Recorder, cluster: string, cloud: string): Registration | undefined {
    const type = {
        aws: "eks:index:ManagedNodeGroup",
        azure: "azure-native:containerservice:ManagedCluster",
        gcp: "gcp:container/nodePool:NodePool",
    }[cloud];
    if (!type) return undefined;
    const pools = rec
        .ofType(type)
        .filter((r) => rec.ancestors(r).some((a) => a.name === cluster && a.type.startsWith("istio-multicloud:clusters:")));
    expect(pools).toHaveLength(1);
    return pools[0];
}
