import { retiredLocations } from "../../components/mesh/istioReleases";
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
            expect(r.inputs).toMatchObject({
                version: istioVersion,
                repositoryOpts: { repo: "https://blob.istio.io/istio-release/charts" },
            });
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
            expect({ release: g.inputs.name, hub: values.hub, global: values.global }).toEqual({
                release: g.inputs.name,
                hub: undefined,
                global: undefined,
            });
        }
    });

    it("sends values that this minor's chart data accepts", () => {
        const minor = istioVersion.split(".").slice(0, 2).join(".");
        expect(minorsWithData).toContain(minor);
        for (const r of rec.ofType(RELEASE)) {
            const values = reveal(r.inputs.values);
            const problems =
                r.inputs.chart === "gateway"
                    ? gatewayValueErrors(values, istioVersion)
                    : unknownChartKeys(r.inputs.chart, values, istioVersion);
            expect({ release: r.name, problems }).toEqual({ release: r.name, problems: [] });
        }
    });

    it("pulls the demo's helloworld images from the same hub", () => {
        const images = rec
            .ofType(DEPLOYMENT)
            .filter((d) => d.inputs.metadata.name.startsWith("helloworld-"))
            .map((d) => d.inputs.spec.template.spec.containers[0].image);
        expect(images).toHaveLength(devClusters.length);
        for (const image of images)
            expect(image).toMatch(new RegExp(`^${imageHub.replace(/\./g, "\\.")}/examples-helloworld-v[12]:1\\.0$`));
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
