import { checkPeers, ClusterContract, PeerError } from "../../stacks/peers";
import { parseMeshConfig } from "../../stacks/config";
import { retiredLocations } from "../../stacks/istioReleases";
import { Recorder, reveal } from "../harness";
import { gatewayValueErrors, minorsWithData, unknownChartKeys } from "./chartValues";
import { meshes, runMesh } from "./fixtures";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const dev = meshes.dev;
const devClusters = dev.clusters as { name: string; role?: string }[];
const devPrimaries = devClusters.filter((c) => (c.role ?? "primary") === "primary").map((c) => c.name);
const devRemotes = devClusters.filter((c) => c.role === "remote").map((c) => c.name);

/** Every value a registration sends, secrets revealed, as one string to search. */
const sent = (rec: Recorder) => rec.all.map((r) => JSON.stringify(reveal(r.inputs))).join("\n");

describe.each([
    ["1.30.4", "docker.io/istio"],
    ["1.31.1", "docker.io/istio"],
    ["1.31.1", "123456789012.dkr.ecr.us-west-2.amazonaws.com/docker-hub/istio"],
])("the dev stack on Istio %s with images from %s", (istioVersion, imageHub) => {
    let rec: Recorder;
    beforeAll(async () => {
        const hub = imageHub === "docker.io/istio" ? {} : { imageHub };
        ({ rec } = await runMesh({ ...dev, istioVersion, ...hub }));
    });

    it("names no retired chart or image location in any input it registers", () => {
        const everything = sent(rec);
        expect(everything.length).toBeGreaterThan(10_000);
        for (const { host } of retiredLocations) expect(everything).not.toContain(host);
    });

    it("installs every chart of that version from Istio's live repository", () => {
        const releases = rec.ofType(RELEASE);
        expect(releases.length).toBeGreaterThanOrEqual(3 * devClusters.length);
        for (const r of releases) {
            expect(r.inputs).toMatchObject({ version: istioVersion, repositoryOpts: { repo: "https://blob.istio.io/istio-release/charts" } });
        }
    });

    it("sets istiod's own image hub and its injected proxies' hub on every primary", () => {
        for (const primary of devPrimaries) {
            const values = reveal(rec.oneIn(RELEASE, primary, "istiod").inputs.values);
            expect({ hub: values.hub, globalHub: values.global.hub }).toEqual({ hub: imageHub, globalHub: imageHub });
        }
    });

    it("sets no hub where a chart renders no image of its own: remotes' istiod, base, every gateway", () => {
        for (const remote of devRemotes) {
            const values = reveal(rec.oneIn(RELEASE, remote, "istiod").inputs.values);
            expect(values.hub).toBeUndefined();
            expect(values.global.hub).toBeUndefined();
        }
        const gateways = rec.ofType(RELEASE).filter((r) => r.inputs.chart === "gateway");
        expect(gateways.length).toBeGreaterThanOrEqual(devClusters.length);
        for (const g of gateways) {
            const values = reveal(g.inputs.values);
            expect({ release: g.inputs.name, hub: values.hub, global: values.global }).toEqual({ release: g.inputs.name, hub: undefined, global: undefined });
        }
    });

    it("sends values that this minor's chart data accepts", () => {
        const minor = istioVersion.split(".").slice(0, 2).join(".");
        expect(minorsWithData).toContain(minor);
        for (const r of rec.ofType(RELEASE)) {
            const values = reveal(r.inputs.values);
            const problems = r.inputs.chart === "gateway" ? gatewayValueErrors(values, istioVersion) : unknownChartKeys(r.inputs.chart, values, istioVersion);
            expect({ release: r.name, problems }).toEqual({ release: r.name, problems: [] });
        }
    });

    it("pulls the demo's helloworld images from the same hub", () => {
        const images = rec
            .ofType(DEPLOYMENT)
            .filter((d) => d.inputs.metadata.name.startsWith("helloworld-"))
            .map((d) => d.inputs.spec.template.spec.containers[0].image);
        expect(images).toHaveLength(devClusters.length);
        for (const image of images) expect(image).toMatch(new RegExp(`^${imageHub.replace(/\./g, "\\.")}/examples-helloworld-v[12]:1\\.0$`));
    });
});

describe("charts from an OCI registry", () => {
    it("names each chart by its path in ghcr.io", async () => {
        const { rec } = await runMesh({ ...meshes["multi-primary"], chartRepository: "oci://ghcr.io/istio/release/charts" });
        const istiod = rec.oneIn(RELEASE, "alpha", "istiod");
        expect(istiod.inputs.chart).toBe("oci://ghcr.io/istio/release/charts/istiod");
        expect(istiod.inputs.repositoryOpts).toBeUndefined();
    });
});

describe("split stacks agree on the image hub and on Istio minors", () => {
    const EAST = "acme/istio-multicloud/east-team";
    const WEST = "acme/istio-multicloud/west-team";
    const east = { name: "east", cloud: "aws", region: "us-east-1", network: "net-east" };
    const west = { name: "west", cloud: "gcp", region: "us-west1", project: "acme-mesh", network: "net-west", role: "remote", primary: "east" };
    const contract = (patch: Partial<ClusterContract>): ClusterContract => ({
        contract: 1,
        meshId: "mesh1",
        name: "west",
        role: "remote",
        primary: "east",
        network: "net-west",
        apiServerUrl: "https://34.1.2.3",
        remoteSecrets: [],
        ...patch,
    });
    const problems = (fn: () => unknown): string[] => {
        try {
            fn();
            return [];
        } catch (e) {
            expect(e).toBeInstanceOf(PeerError);
            return (e as PeerError).problems;
        }
    };
    // The primary's stack, with its remote in another stack.
    const primaryStack = (raw: Record<string, unknown> = {}) =>
        parseMeshConfig({ clusters: [east], peers: [{ name: "west", stack: WEST, role: "remote", network: "net-west", primary: "east" }], ...raw }).config;
    // The remote's stack, with its primary in another stack.
    const remoteStack = (raw: Record<string, unknown> = {}) =>
        parseMeshConfig({ clusters: [west], peers: [{ name: "east", stack: EAST, role: "primary", network: "net-east" }], ...raw }).config;
    const fromWest = (patch: Partial<ClusterContract>) => new Map([[WEST, { clusters: { west: contract(patch) }, remoteSecrets: { west: "k" } }]]);
    const fromEast = (patch: Partial<ClusterContract>) =>
        new Map([[EAST, { clusters: { east: contract({ name: "east", role: "primary", primary: undefined, network: "net-east", ...patch }) }, remoteSecrets: {} }]]);

    it("refuses a peer that pulls Istio's images from another hub, naming both stacks", () => {
        expect(problems(() => checkPeers(primaryStack(), fromWest({ imageHub: "mirror.corp.example/istio", istioVersion: "1.31.1" })))).toEqual([
            `imageHub: "docker.io/istio" in this stack (dev), but ${WEST} publishes west with "mirror.corp.example/istio"; the stacks of one mesh use one image hub (a primary injects its remotes' proxies from its own), set the same imageHub on both`,
        ]);
        expect(problems(() => checkPeers(primaryStack({ imageHub: "mirror.corp.example/istio" }), fromWest({ imageHub: "mirror.corp.example/istio" })))).toEqual([]);
    });

    it("refuses a remote on a newer minor than its primary, from either side", () => {
        expect(problems(() => checkPeers(primaryStack({ istioVersion: "1.30.4" }), fromWest({ istioVersion: "1.31.1" })))).toEqual([
            `peers[0]: ${WEST} runs "1.31.1" on remote west, newer than "1.30.4" of its primary east in this stack (dev); a remote may not run a newer Istio minor than its primary: upgrade the primary's stack first`,
        ]);
        expect(problems(() => checkPeers(remoteStack({ istioVersion: "1.31.1" }), fromEast({ istioVersion: "1.30.5" })))).toEqual([
            `istioVersion: "1.31.1" in this stack (dev) for remotes of east, whose stack ${EAST} runs "1.30.5"; a remote may not run a newer Istio minor than its primary: upgrade the primary's stack first`,
        ]);
    });

    it("accepts a primary ahead of its remote, other patches of one minor, and stacks that publish no version yet", () => {
        expect(problems(() => checkPeers(primaryStack({ istioVersion: "1.31.1" }), fromWest({ istioVersion: "1.30.4" })))).toEqual([]);
        expect(problems(() => checkPeers(remoteStack({ istioVersion: "1.31.0" }), fromEast({ istioVersion: "1.31.1" })))).toEqual([]);
        expect(problems(() => checkPeers(remoteStack(), fromEast({})))).toEqual([]);
    });
});
