import * as pulumi from "@pulumi/pulumi";
import { buildMesh, MeshOutputs } from "../../stacks/mesh";
import { ConfigError, parseMeshConfig } from "../../stacks/config";
import type { PublishedStack } from "../../tools/synthetic/outputs";
import { Recorder, Registration, reveal, settle, startMockEngine } from "../harness";
import { gatewayValueErrors, unknownChartKeys } from "../stacks/chartValues";
import { stackFileConfig } from "../stacks/fixtures";
import { kubernetesExplicitProvider, noCredentialsInPlainConfig } from "../../policy/policies";
import { violations } from "../policy/harness";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const MWC = "kubernetes:admissionregistration.k8s.io/v1:MutatingWebhookConfiguration";
const VS = "kubernetes:networking.istio.io/v1:VirtualService";
const SERVICE = "kubernetes:core/v1:Service";
const SECRET = "kubernetes:core/v1:Secret";

/** The dev stack (eks-west primary, its remote aks-east, gke-central primary) on Istio 1.30. */
const dev130: Record<string, unknown> = { ...stackFileConfig("dev"), istioVersion: "1.30.4" };
const { istioVersion: _, ...devWithoutVersion } = dev130;
/** Each step of the canary upgrade, as docs/upgrades.md's "Upgrading Istio" describes it. */
const steps = {
    addRevision: {
        ...devWithoutVersion,
        revisions: [
            { name: "default", version: "1.30.4" },
            { name: "1-31", version: "1.31.1" },
        ],
        defaultRevision: "default",
    },
    moveTag: {
        ...devWithoutVersion,
        revisions: [
            { name: "default", version: "1.30.4" },
            { name: "1-31", version: "1.31.1" },
        ],
        defaultRevision: "1-31",
    },
    removeOld: { ...devWithoutVersion, revisions: [{ name: "1-31", version: "1.31.1" }], defaultRevision: "1-31" },
};
const clusters = ["eks-west", "aks-east", "gke-central"];

/** One run of the program; `previous` is what this stack published in its last run. */
async function run(config: Record<string, unknown>, previous?: MeshOutputs): Promise<{ rec: Recorder; outputs: MeshOutputs }> {
    const published: Record<string, PublishedStack> = previous
        ? {
              "organization/istio-multicloud/dev": {
                  outputs: await plain(previous),
                  secretOutputNames: ["kubeconfigs", "remoteSecrets", "caBundles"],
              },
          }
        : {};
    const rec = startMockEngine(config, { secretKeys: ["kubeconfigs"], publishedStacks: published });
    const outputs = await buildMesh();
    await settle();
    return { rec, outputs };
}

async function plain(outputs: MeshOutputs): Promise<Record<string, unknown>> {
    const value = await new Promise<any>((ok) => pulumi.output(outputs as any).apply(ok));
    return JSON.parse(JSON.stringify(value));
}

async function refused(config: Record<string, unknown>, previous?: MeshOutputs): Promise<string[]> {
    try {
        await run(config, previous);
    } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        return (err as ConfigError).problems;
    }
    throw new Error("the run was accepted");
}

const release = (rec: Recorder, cluster: string, name: string) => rec.oneIn(RELEASE, cluster, name);
const valuesOf = (r: Registration) => reveal(r.inputs.values);

describe("revisions in config", () => {
    const raw = (extra: Record<string, unknown>) => ({ clusters: [{ name: "alpha", cloud: "aws", region: "us-west-2" }], ...extra });
    const problems = (extra: Record<string, unknown>) => {
        try {
            parseMeshConfig(raw(extra));
        } catch (err) {
            return (err as ConfigError).problems;
        }
        throw new Error("accepted");
    };

    it("refuses istioVersion together with revisions, naming both", () => {
        expect(problems({ istioVersion: "1.30.4", revisions: [{ name: "1-31", version: "1.31.1" }] })).toEqual([
            expect.stringMatching(/^istioVersion: "1\.30\.4" is set together with revisions; .*\{name: "default", version: "1\.30\.4"\}/),
        ]);
    });

    it("accepts Pulumi.yaml's istioVersion default beside revisions: Pulumi hands it to every stack", () => {
        expect(
            parseMeshConfig(raw({ istioVersion: "1.31.1", revisions: [{ name: "1-31", version: "1.31.1" }] })).config.revisions,
        ).toBeDefined();
    });

    it("refuses a bad revision name, a duplicate, an unsupported version and a defaultRevision that is not a revision", () => {
        expect(problems({ revisions: [{ name: "1.31", version: "1.31.1" }] })).toEqual([
            expect.stringMatching(/^revisions\[0\]\.name: "1\.31" is not a DNS-1123 label/),
        ]);
        expect(
            problems({
                revisions: [
                    { name: "a", version: "1.31.1" },
                    { name: "a", version: "1.31.1" },
                ],
                defaultRevision: "a",
            }),
        ).toEqual([`revisions[1].name: "a" is already the name of revisions[0]; names must be unique`]);
        expect(problems({ revisions: [{ name: "old", version: "1.29.9" }] })).toEqual([
            expect.stringMatching(/^revisions\[0\]\.version: "1\.29\.9" is not a supported Istio minor/),
        ]);
        expect(problems({ revisions: [{ name: "old", version: "1.30.3" }] })).toEqual([
            expect.stringMatching(/^revisions\[0\]\.version: "1\.30\.3" is older than 1\.30\.4/),
        ]);
        expect(
            problems({
                revisions: [
                    { name: "a", version: "1.31.1" },
                    { name: "b", version: "1.31.1" },
                ],
                defaultRevision: "c",
            }),
        ).toEqual([expect.stringMatching(/^defaultRevision: "c" is not a revision of revisions \(revisions: a, b\)/)]);
        expect(
            problems({
                revisions: [
                    { name: "a", version: "1.31.1" },
                    { name: "b", version: "1.31.1" },
                ],
            }),
        ).toEqual([expect.stringMatching(/^defaultRevision: is required with more than one revision/)]);
        expect(problems({ defaultRevision: "a" })).toEqual([expect.stringMatching(/^defaultRevision: "a" is set but revisions is not/)]);
        expect(problems({ revisions: [{ name: "a", version: "latest" }] })).toEqual([
            expect.stringMatching(/^revisions\[0\]\.version: "latest" is not valid \(expected a full Istio version/),
        ]);
    });

    it("checks Kubernetes against the range every revision supports (the intersection)", () => {
        const revisions = [
            { name: "default", version: "1.30.4" },
            { name: "1-31", version: "1.31.1" },
        ];
        // 1.32 suits Istio 1.30 alone; 1.37 suits 1.31 alone.
        expect(
            parseMeshConfig(
                raw({
                    istioVersion: "1.30.4",
                    clusters: [{ name: "alpha", cloud: "aws", region: "us-west-2", kubernetesVersion: "1.32" }],
                }),
            ).config,
        ).toBeDefined();
        for (const version of ["1.32", "1.37"]) {
            expect(
                problems({
                    revisions,
                    defaultRevision: "default",
                    clusters: [{ name: "alpha", cloud: "aws", region: "us-west-2", kubernetesVersion: version }],
                }),
            ).toEqual([`clusters[0].kubernetesVersion: "${version}" is outside what Istio 1.30 and 1.31 supports (1.33 to 1.36)`]);
        }
    });

    it("runs base and the published version at the newest revision's version", () => {
        const { config } = parseMeshConfig(
            raw({
                revisions: [
                    { name: "default", version: "1.30.4" },
                    { name: "1-31", version: "1.31.1" },
                ],
                defaultRevision: "default",
            }),
        );
        expect(config.istioVersion).toBe("1.31.1");
        expect(config.revisions).toEqual({
            revisions: [
                { name: "default", version: "1.30.4" },
                { name: "1-31", version: "1.31.1" },
            ],
            defaultRevision: "default",
        });
    });

    it("warns where the nodes cannot hold the revisions, and not for two revisions on the default sizes", () => {
        const { "gcp:project": gcpProject, ...addRevision } = steps.addRevision as Record<string, any>;
        const two = parseMeshConfig(addRevision, { gcpProject }).warnings;
        expect(two.filter((w) => w.includes("may not hold"))).toEqual([]);
        const three = parseMeshConfig(
            { ...addRevision, revisions: [...steps.addRevision.revisions, { name: "1-31-2", version: "1.31.2" }] },
            { gcpProject },
        ).warnings;
        // eks-west serves aks-east: two istiod pods per revision.
        expect(three.filter((w) => w.includes("may not hold"))).toEqual([
            expect.stringMatching(/^clusters\[0\]\.nodeSize: 2 x "m5\.large" may not hold 3 revisions: 6 istiod pods/),
        ]);
    });
});

describe("a 1.30 to 1.31 canary upgrade of the dev stack", () => {
    let before: { rec: Recorder; outputs: MeshOutputs };
    let added: { rec: Recorder; outputs: MeshOutputs };
    let moved: { rec: Recorder; outputs: MeshOutputs };
    let removed: { rec: Recorder; outputs: MeshOutputs };

    beforeAll(async () => {
        before = await run(dev130);
        added = await run(steps.addRevision, before.outputs);
        moved = await run(steps.moveTag, added.outputs);
        removed = await run(steps.removeOld, moved.outputs);
    });

    it("registers exactly what istioVersion registers for the unrevisioned install kept as the only revision", async () => {
        const only = await run({ ...devWithoutVersion, revisions: [{ name: "default", version: "1.30.4" }] }, before.outputs);
        const shape = (rec: Recorder) =>
            rec.all
                .map((r) => ({
                    urn: r.engineUrn,
                    inputs: reveal(r.inputs),
                    deps: r.dependencies.map((d) => rec.byUrn(d)?.engineUrn ?? d).sort(),
                }))
                .sort((x, y) => (x.urn < y.urn ? -1 : 1));
        // As JSON: the inputs hold class instances (assets) that compare by reference otherwise.
        expect(JSON.stringify(shape(only.rec), null, 1)).toEqual(JSON.stringify(shape(before.rec), null, 1));
    });

    it("keeps every resource of the unrevisioned stack, with its inputs, when the canary is added (base alone moves up to 1.31)", () => {
        const after = new Map(added.rec.all.map((r) => [r.engineUrn, r]));
        const changed: string[] = [];
        for (const old of before.rec.all) {
            const now = after.get(old.engineUrn);
            expect({ urn: old.engineUrn, kept: now !== undefined }).toEqual({ urn: old.engineUrn, kept: true });
            if (JSON.stringify(reveal(now!.inputs)) !== JSON.stringify(reveal(old.inputs))) changed.push(old.name);
        }
        // base carries the newest revision's CRDs; the istiod exposure gains the canary's routes.
        expect(changed.sort()).toEqual(["aks-east-istio-base", "eks-west-istio-base", "eks-west-istiod-vs", "gke-central-istio-base"]);
        for (const c of clusters) {
            const [was, now] = [before.rec.one(RELEASE, `${c}-istio-base`), added.rec.one(RELEASE, `${c}-istio-base`)];
            expect(reveal(now.inputs)).toEqual({ ...reveal(was.inputs), version: "1.31.1" });
        }
        const [vsWas, vsNow] = [before.rec.one(VS, "eks-west-istiod-vs"), added.rec.one(VS, "eks-west-istiod-vs")];
        // The unrevisioned istiod keeps its catch-all routes, after the canary's own.
        expect(vsNow.inputs.spec.tls.slice(-2)).toEqual(vsWas.inputs.spec.tls);
    });

    it("registers nothing new but the canary's releases while the tag stays", () => {
        const old = new Set(before.rec.all.map((r) => r.engineUrn));
        const fresh = added.rec.all
            .filter((r) => !old.has(r.engineUrn))
            .map((r) => r.name)
            .sort();
        expect(fresh).toEqual(["aks-east-istiod-1-31", "eks-west-istiod-1-31", "gke-central-istiod-1-31"]);
        expect(added.rec.ofType(MWC)).toEqual([]);
    });

    it("installs istiod per revision and cluster: its own Release, revision value, version; remotes with profile remote", () => {
        for (const c of clusters) {
            const canary = release(added.rec, c, "istiod-1-31");
            expect(canary.name).toBe(`${c}-istiod-1-31`);
            expect(canary.inputs).toMatchObject({ chart: "istiod", version: "1.31.1", namespace: "istio-system" });
            expect(valuesOf(canary).revision).toBe("1-31");
            const old = release(added.rec, c, "istiod");
            expect(old.inputs.version).toBe("1.30.4");
            expect(valuesOf(old).revision).toBeUndefined();
            expect(release(added.rec, c, "istio-base").inputs.version).toBe("1.31.1");
        }
        expect(valuesOf(release(added.rec, "aks-east", "istiod-1-31"))).toMatchObject({
            profile: "remote",
            revision: "1-31",
            istiodRemote: { injectionPath: "/inject/cluster/aks-east/net/network2" },
        });
        // The canary of a primary that serves remotes runs replicated, as an external istiod.
        expect(valuesOf(release(added.rec, "eks-west", "istiod-1-31"))).toMatchObject({
            autoscaleMin: 2,
            global: { externalIstiod: true },
        });
    });

    it("routes each revision through the east-west gateway of the primary that serves remotes, by SNI", () => {
        const tls = moved.rec.one(VS, "eks-west-istiod-vs").inputs.spec.tls;
        const sniHosts = ["istiod-1-31.istio-system.svc", "istiod-1-31.istio-system.svc.cluster.local"];
        const host = "istiod-1-31.istio-system.svc.cluster.local";
        expect(tls.slice(0, 2)).toEqual([
            { match: [{ port: 15012, sniHosts }], route: [{ destination: { host, port: { number: 15012 } } }] },
            { match: [{ port: 15017, sniHosts }], route: [{ destination: { host, port: { number: 443 } } }] },
        ]);
        // Without the unrevisioned istiod, no catch-all route is left to a Service that is gone.
        expect(removed.rec.one(VS, "eks-west-istiod-vs").inputs.spec.tls).toEqual(tls.slice(0, 2));
        expect(moved.rec.ofType(VS, "gke-central-istiod-vs")).toEqual([]);
    });

    it("points base's default validator at the revision the tag points at, in every cluster", () => {
        for (const c of clusters) {
            expect(valuesOf(release(added.rec, c, "istio-base")).defaultRevision).toBeUndefined(); // the chart's "default": Service istiod
            expect(valuesOf(release(moved.rec, c, "istio-base")).defaultRevision).toBe("1-31");
            expect(valuesOf(release(removed.rec, c, "istio-base")).defaultRevision).toBe("1-31");
        }
        expect(valuesOf(release(moved.rec, "aks-east", "istio-base")).profile).toBe("remote");
    });

    it("moves the default tag with a webhook in every cluster, remotes included, rendered as the chart's revision-tags-mwc.yaml", () => {
        for (const c of clusters) {
            const tag = moved.rec.oneIn(MWC, c, "istio-revision-tag-default");
            expect(tag.inputs.metadata.labels).toMatchObject({ "istio.io/tag": "default", "istio.io/rev": "1-31" });
            expect(tag.inputs.webhooks.map((w: any) => w.name)).toEqual([
                "rev.namespace.sidecar-injector.istio.io",
                "rev.object.sidecar-injector.istio.io",
                "namespace.sidecar-injector.istio.io",
                "object.sidecar-injector.istio.io",
            ]);
            const path = c === "aks-east" ? "/inject/cluster/aks-east/net/network2" : "/inject";
            for (const w of tag.inputs.webhooks) {
                expect(w.clientConfig).toEqual({ service: { name: "istiod-1-31", namespace: "istio-system", path, port: 443 } });
                expect(w.failurePolicy).toBe("Fail");
            }
            expect(tag.inputs.webhooks[2].namespaceSelector).toEqual({
                matchExpressions: [{ key: "istio-injection", operator: "In", values: ["enabled"] }],
            });
            expect(tag.ignoreChanges).toEqual(["webhooks[*].clientConfig.caBundle"]);
        }
    });

    it("stops the unrevisioned istiod's own injection webhook once the tag moves, after the tag's webhook exists", () => {
        for (const c of clusters) {
            const old = release(moved.rec, c, "istiod");
            expect(valuesOf(old).global.operatorManageWebhooks).toBe(true);
            expect(valuesOf(release(added.rec, c, "istiod")).global.operatorManageWebhooks).toBeUndefined();
            expect(moved.rec.dependsOn(old, moved.rec.oneIn(MWC, c, "istio-revision-tag-default"))).toBe(true);
        }
    });

    it("moves the tag only once the target revision runs in every cluster; a remote's after its primary's istiod and exposure", () => {
        const canaries = clusters.map((c) => release(moved.rec, c, "istiod-1-31"));
        for (const c of clusters) {
            const tag = moved.rec.oneIn(MWC, c, "istio-revision-tag-default");
            for (const canary of canaries)
                expect({ tag: c, waitsFor: canary.name, ok: moved.rec.dependsOn(tag, canary) }).toEqual({
                    tag: c,
                    waitsFor: canary.name,
                    ok: true,
                });
        }
        const remoteTag = moved.rec.oneIn(MWC, "aks-east", "istio-revision-tag-default");
        expect(moved.rec.dependsOn(remoteTag, moved.rec.one(VS, "eks-west-istiod-vs"))).toBe(true);
        expect(moved.rec.dependsOn(remoteTag, moved.rec.oneIn(SECRET, "eks-west", "istio-remote-secret-aks-east"))).toBe(true);
        expect(added.rec.dependsOn(release(added.rec, "aks-east", "istiod-1-31"), release(added.rec, "eks-west", "istiod-1-31"))).toBe(
            true,
        );
        // The unrevisioned install keeps its old order: a remote's charts install beside its primary's.
        expect(added.rec.dependsOn(release(added.rec, "aks-east", "istiod"), release(added.rec, "eks-west", "istiod"))).toBe(false);
    });

    it("restarts the gateways onto the new revision with the tag, without touching their Services", () => {
        for (const [c, name] of [
            ["eks-west", "istio-eastwestgateway"],
            ["aks-east", "istio-eastwestgateway"],
            ["eks-west", "istio-ingressgateway"],
            ["gke-central", "istio-ingressgateway"],
        ]) {
            const [was, now] = [release(added.rec, c, name), release(moved.rec, c, name)];
            expect(valuesOf(was).podAnnotations).toBeUndefined();
            expect(valuesOf(now).podAnnotations).toEqual({ "istio-multicloud.io/revision": "1-31" });
            expect(now.inputs.version).toBe("1.31.1");
            expect(gatewayValueErrors(valuesOf(now), now.inputs.version)).toEqual([]);
            expect(moved.rec.dependsOn(now, moved.rec.oneIn(MWC, c, "istio-revision-tag-default"))).toBe(true);
            const [svcWas, svcNow] = [added.rec.oneIn(SERVICE, c, name), moved.rec.oneIn(SERVICE, c, name)];
            expect(svcNow.engineUrn).toBe(svcWas.engineUrn);
            expect(reveal(svcNow.inputs)).toEqual(reveal(svcWas.inputs));
        }
    });

    it("removes the old revision: its releases go, the reader token keeps depending on the revision that stays", () => {
        for (const c of clusters) {
            expect(removed.rec.inCluster(RELEASE, c, "istiod")).toEqual([]);
            const token = removed.rec.oneIn(SECRET, c, "istio-reader-service-account-istio-remote-secret-token");
            expect(removed.rec.dependsOn(token, release(removed.rec, c, "istiod-1-31"))).toBe(true);
            // Already while both ran: the reader role of the revision the tag points at.
            const tokenMoved = moved.rec.oneIn(SECRET, c, "istio-reader-service-account-istio-remote-secret-token");
            expect(moved.rec.dependsOn(tokenMoved, release(moved.rec, c, "istiod"))).toBe(false);
            expect(moved.rec.dependsOn(tokenMoved, release(moved.rec, c, "istiod-1-31"))).toBe(true);
        }
    });

    it("gives every new object its own cluster's provider and passes the policy pack, at every step", async () => {
        for (const { rec } of [added, moved, removed]) {
            for (const r of rec.all.filter((x) => x.custom && x.type.startsWith("kubernetes:") && !x.type.startsWith("pulumi:"))) {
                expect({ resource: r.name, cluster: clusters.includes(rec.clusterOf(r) ?? "") }).toEqual({
                    resource: r.name,
                    cluster: true,
                });
            }
            for (const policy of [kubernetesExplicitProvider, noCredentialsInPlainConfig]) {
                const found: string[] = [];
                for (const r of rec.all) {
                    const provider = rec.providerOf(r);
                    found.push(
                        ...(await violations(policy, {
                            type: r.type,
                            name: r.name,
                            props: reveal(r.inputs),
                            provider: provider ? { type: provider.type, name: provider.name, urn: provider.urn, props: {} } : undefined,
                        })),
                    );
                }
                expect(found).toEqual([]);
            }
        }
    });

    it("sends every chart only keys it reads, at every step", () => {
        for (const { rec } of [added, moved, removed]) {
            for (const r of rec.ofType(RELEASE)) {
                const values = valuesOf(r);
                const unknown =
                    r.inputs.chart === "gateway"
                        ? gatewayValueErrors(values, r.inputs.version)
                        : unknownChartKeys(r.inputs.chart, values, r.inputs.version);
                expect({ release: r.name, unknown }).toEqual({ release: r.name, unknown: [] });
            }
        }
    });

    it("publishes each cluster's revisions and tag target", async () => {
        const published = (await plain(moved.outputs)) as any;
        for (const c of clusters) {
            expect(published.clusters[c]).toMatchObject({
                contract: 1,
                revisions: [
                    { name: "default", version: "1.30.4" },
                    { name: "1-31", version: "1.31.1" },
                ],
                defaultRevision: "1-31",
                istioVersion: "1.31.1",
            });
        }
        expect(((await plain(before.outputs)) as any).clusters["eks-west"].revisions).toBeUndefined();
    });

    it("refuses to remove the revision the tag points at, naming both", async () => {
        expect(await refused(steps.removeOld, added.outputs)).toEqual([
            expect.stringMatching(
                /^revisions: removes revision "default", which the default tag points at in the last run \(defaultRevision "default"\); move the tag first/,
            ),
        ]);
    });

    it("refuses to remove the newest revision: base would downgrade the CRDs", async () => {
        expect(await refused({ ...devWithoutVersion, revisions: [{ name: "default", version: "1.30.4" }] }, added.outputs)).toEqual([
            expect.stringMatching(
                /^revisions: removes revision "1-31" \(Istio 1\.31\.1\), the newest: base \(Istio's CRDs\) runs the newest revision's version and would go down to 1\.30\.4/,
            ),
        ]);
    });
});

describe("a canary upgrade of a mesh split over two stacks", () => {
    const EAST = "acme/istio-multicloud/east-team";
    const WEST = "acme/istio-multicloud/west-team";
    const east = (extra: Record<string, unknown>) => ({
        clusters: [{ name: "east", cloud: "aws", region: "us-east-1", network: "net-east" }],
        peers: [{ name: "west", stack: WEST, role: "remote", network: "net-west", primary: "east" }],
        ...extra,
    });
    const west = (extra: Record<string, unknown>) => ({
        clusters: [
            { name: "west", cloud: "gcp", region: "us-west1", project: "acme-mesh", network: "net-west", role: "remote", primary: "east" },
        ],
        peers: [{ name: "east", stack: EAST, role: "primary", network: "net-east" }],
        rootCaFrom: EAST,
        ...extra,
    });
    const v130 = { istioVersion: "1.30.4" };
    const canary = {
        revisions: [
            { name: "default", version: "1.30.4" },
            { name: "1-31", version: "1.31.1" },
        ],
        defaultRevision: "1-31",
    };
    const done = { revisions: [{ name: "1-31", version: "1.31.1" }], defaultRevision: "1-31" };

    type Run = { rec: Recorder; published: PublishedStack };
    /** One stack's run: it reads its peer's last outputs and, as its previous run, its own. */
    async function pass(stack: "east-team" | "west-team", config: Record<string, unknown>, own?: Run, peer?: Run): Promise<Run> {
        const stacks: Record<string, PublishedStack> = {};
        if (own) stacks[`organization/istio-multicloud/${stack}`] = own.published;
        if (peer) stacks[stack === "east-team" ? WEST : EAST] = peer.published;
        const rec = startMockEngine(config, { stack, secretKeys: ["kubeconfigs"], publishedStacks: stacks });
        const outputs = await buildMesh();
        await settle();
        return { rec, published: { outputs: await plain(outputs), secretOutputNames: ["kubeconfigs", "remoteSecrets", "caBundles"] } };
    }
    const tagOf = (r: Run, cluster: string) =>
        r.rec.inCluster(MWC, cluster, "istio-revision-tag-default").map((t) => t.inputs.metadata.labels["istio.io/rev"]);
    const waiting = (r: Run) => (r.published.outputs as any).waitingFor ?? [];

    let eastA: Run, westB: Run, eastC: Run, westD: Run;
    let earlyProblem: unknown;
    beforeAll(async () => {
        // The mesh as it runs on 1.30, unrevisioned, after its four passes.
        let e = await pass("east-team", east(v130));
        let w = await pass("west-team", west(v130), undefined, e);
        e = await pass("east-team", east(v130), e, w);
        w = await pass("west-team", west(v130), w, e);
        // The remote's stack upgraded to a newer minor before its primary's: refused (as without revisions).
        earlyProblem = await pass("west-team", west(canary), w, e).catch((err) => err);
        // npm run mesh: A, B, C, D.
        eastA = await pass("east-team", east(canary), e, w);
        westB = await pass("west-team", west(canary), w, eastA);
        eastC = await pass("east-team", east(canary), eastA, westB);
        westD = await pass("west-team", west(canary), westB, eastC);
    });

    it("makes a remote's stack wait for its primary's revision (and refuses a newer minor on the remote first)", async () => {
        expect(String(earlyProblem)).toMatch(
            /a remote may not run a newer Istio minor than its primary: upgrade the primary's stack first/,
        );
        expect(valuesOf(release(westB.rec, "west", "istiod-1-31"))).toMatchObject({ profile: "remote", revision: "1-31" });
        // A patch canary on the remote's stack first: it waits for the primary's.
        const patch = { revisions: [...canary.revisions, { name: "1-31-2", version: "1.31.2" }], defaultRevision: "1-31" };
        const westFirst = await pass("west-team", west(patch), westD, eastC);
        expect(westFirst.rec.inCluster(RELEASE, "west", "istiod-1-31-2")).toEqual([]);
        expect(waiting(westFirst)).toContain("west: revision 1-31-2 waits until its primary east runs it");
        const eastThen = await pass("east-team", east(patch), eastC, westFirst);
        const westThen = await pass("west-team", west(patch), westFirst, eastThen);
        expect(westThen.rec.dependsOn(release(westThen.rec, "west", "istiod-1-31-2"), release(westThen.rec, "west", "istio-base"))).toBe(
            true,
        );
        expect(valuesOf(release(westThen.rec, "west", "istiod-1-31-2")).revision).toBe("1-31-2");
    });

    it("moves each stack's tag once every cluster of the mesh runs the revision, pass by pass", () => {
        expect(tagOf(eastA, "east")).toEqual([]);
        expect(waiting(eastA)).toContain(
            "default tag: stays at revision default until west runs revision 1-31 (pulumi up on their stacks)",
        );
        expect(valuesOf(release(eastA.rec, "east", "istiod")).global.operatorManageWebhooks).toBeUndefined();
        expect(tagOf(westB, "west")).toEqual(["1-31"]);
        expect(westB.rec.oneIn(MWC, "west", "istio-revision-tag-default").inputs.webhooks[0].clientConfig.service.path).toBe(
            "/inject/cluster/west/net/net-west",
        );
        expect(tagOf(eastC, "east")).toEqual(["1-31"]);
        expect(tagOf(westD, "west")).toEqual(["1-31"]);
        expect((eastC.published.outputs as any).clusters.east).toMatchObject({ defaultRevision: "1-31", revisions: canary.revisions });
    });

    it("keeps a revision on the primary while a remote of another stack still runs it", async () => {
        const eastRemoves = await pass("east-team", east(done), eastC, westD);
        expect(release(eastRemoves.rec, "east", "istiod").inputs.version).toBe("1.30.4");
        expect(waiting(eastRemoves)).toContain(
            "east: keeps revision default while its remote west runs it (remove it from that stack first)",
        );
        const westRemoves = await pass("west-team", west(done), westD, eastRemoves);
        expect(westRemoves.rec.inCluster(RELEASE, "west", "istiod")).toEqual([]);
        const eastAfter = await pass("east-team", east(done), eastRemoves, westRemoves);
        expect(eastAfter.rec.inCluster(RELEASE, "east", "istiod")).toEqual([]);
        expect(eastAfter.rec.one(VS, "east-istiod-vs").inputs.spec.tls.map((t: any) => t.route[0].destination.host)).toEqual([
            "istiod-1-31.istio-system.svc.cluster.local",
            "istiod-1-31.istio-system.svc.cluster.local",
        ]);
    });
});
