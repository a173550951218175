import { parseMeshConfig } from "../../stacks/config";
import { benchClusters, benchGcpProject, benchStackConfig } from "../../tools/bench/configs";
import { parseBenchArgs } from "../../tools/bench/main";
import { clusterOfProviderRef, simulatedSeconds } from "../../tools/bench/simulate";
import { alignColumns, BenchRow, formatMs, ratio, renderBenchTable } from "../../tools/bench/table";

const row = (clusters: number, scale: number): BenchRow => ({
    clusters,
    registrations: 100 * scale,
    operations: 80 * scale,
    planMs: 500 * scale,
    simulatedMs: 10000 + 500 * scale,
    simulatedSeconds: 1500 + 75 * scale,
    simulatedLessEvalSeconds: 1500,
    criticalPathSeconds: 1380,
    limitedSeconds: 1380 * scale,
    sequentialSeconds: 4200 * scale,
});

describe("the bench table", () => {
    const table = renderBenchTable([row(3, 1), row(10, 4), row(25, 12)], 8);
    const lines = table.split("\n");
    const cells = (line: string) => line.split(/\s{2,}/);

    it("has a header, a row per size and a ratio row per larger size", () => {
        expect(lines.map((l) => cells(l)[0])).toEqual(["clusters", "3", "10", "25", "10/3", "25/3"]);
        expect(cells(lines[0])).toContain("with --parallel 8");
    });

    it("compares each size with the smallest", () => {
        expect(cells(lines[4]).slice(1)).toEqual(["4.0x", "4.0x", "4.0x", "1.1x", "1.1x", "1.0x", "1.0x", "4.0x", "4.0x"]);
        expect(cells(lines[5]).slice(1, 4)).toEqual(["12.0x", "12.0x", "12.0x"]);
    });

    it("formats times for people and gives critical path over sequential sum", () => {
        expect(cells(lines[1])).toEqual([
            "3",
            "100",
            "80",
            "500 ms",
            "10.5 s",
            "26 min",
            "25 min",
            "23 min",
            "23 min",
            "1 h 10 min",
            "0.33",
        ]);
        expect(cells(lines[3]).at(-1)).toBe((1380 / (4200 * 12)).toFixed(2));
    });

    it("aligns every column", () => {
        const widths = lines.map((l) => l.length);
        expect(new Set(widths.slice(0, 4)).size).toBe(1);
        expect(
            alignColumns([
                ["a", "1"],
                ["bbb", "22"],
            ]),
        ).toBe("a     1\nbbb  22");
    });

    it("writes ratios and milliseconds plainly", () => {
        expect([ratio(33, 10), ratio(5, 0), formatMs(850.4), formatMs(2449)]).toEqual(["3.3x", "-", "850 ms", "2.4 s"]);
    });
});

describe.each([3, 10, 25])("the generated %i-cluster mesh", (size) => {
    const clusters = benchClusters(size);

    it("is a valid config that draws no warning", () => {
        const { "gcp:project": _p, ...ours } = benchStackConfig(size);
        const { config, warnings } = parseMeshConfig(ours, { gcpProject: benchGcpProject });
        expect(warnings).toEqual([]);
        expect(config.clusters).toHaveLength(size);
    });

    it("mixes the three clouds and both roles", () => {
        expect(new Set(clusters.map((c) => c.cloud))).toEqual(new Set(["aws", "azure", "gcp"]));
        expect(clusters.some((c) => c.role === "remote")).toBe(true);
        expect(clusters.some((c) => c.role === undefined)).toBe(true);
        if (size >= 10) expect(clusters.filter((c) => c.cloud === "gcp").map((c) => c.role ?? "primary")).toContain("remote");
    });

    it("keeps each EKS cluster a primary in a region of its own", () => {
        const eks = clusters.filter((c) => c.cloud === "aws");
        expect(eks.every((c) => c.role === undefined)).toBe(true);
        expect(new Set(eks.map((c) => c.region)).size).toBe(eks.length);
    });
});

describe("the bench's delayed mocks", () => {
    const config = parseMeshConfig({ clusters: benchClusters(3) }, { gcpProject: benchGcpProject }).config;
    const k8sProvider =
        "urn:pulumi:bench::istio-multicloud::istio-multicloud:clusters:AksCluster$pulumi:providers:kubernetes::aks-01::aks-01-provider-id";

    it("finds the cluster of a Kubernetes provider reference, and no other", () => {
        expect(clusterOfProviderRef(k8sProvider)).toBe("aks-01");
        expect(
            clusterOfProviderRef("urn:pulumi:bench::istio-multicloud::pulumi:providers:aws::aws-us-east-1::aws-us-east-1-provider-id"),
        ).toBeUndefined();
        expect(clusterOfProviderRef(undefined)).toBeUndefined();
    });

    it("delays a gateway in a remote by its remote figure, and this program's components not at all", () => {
        const gateway = {
            type: "kubernetes:helm.sh/v3:Release",
            name: "aks-01-release",
            inputs: { chart: "gateway" },
            provider: k8sProvider,
            custom: true,
        };
        expect(simulatedSeconds(gateway, config)).toBe(240);
        expect(simulatedSeconds({ type: "istio-multicloud:mesh:ControlPlane", name: "aks-01", inputs: {}, custom: false }, config)).toBe(0);
        expect(simulatedSeconds({ type: "eks:index:Cluster", name: "eks-00", inputs: {}, custom: false }, config)).toBe(600);
    });
});

describe("the bench's command line", () => {
    const defaults = { sizes: [3, 10, 25], msPerMinute: 400, parallel: 8 };

    it("takes sizes, scale and parallel limit", () => {
        expect(parseBenchArgs(["--sizes", "2,4", "--ms-per-minute", "5", "--parallel", "16"], defaults)).toEqual({
            sizes: [2, 4],
            msPerMinute: 5,
            parallel: 16,
        });
        expect(parseBenchArgs([], defaults)).toEqual(defaults);
    });

    it("refuses what it does not know", () => {
        expect(() => parseBenchArgs(["--size", "3"], defaults)).toThrow(/unknown option --size/);
        expect(() => parseBenchArgs(["--parallel", "0"], defaults)).toThrow(/--parallel needs a positive number/);
    });
});
