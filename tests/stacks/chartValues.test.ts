import { gatewayValueErrors, keyPaths, unknownChartKeys } from "./chartValues";

// The checks that guard every Helm value the program sends must themselves catch mistakes.
describe.each(["1.30", "1.31"])("chart value checks of Istio %s", (minor) => {
    it("flags a misspelled istiod key, which Helm would silently ignore", () => {
        expect(unknownChartKeys("istiod", { global: { meshId: "m", network: "n" } }, minor)).toEqual(["global.meshId"]);
        expect(unknownChartKeys("istiod", { pilot: { env: { X: "1" } } }, minor)).toEqual(["pilot.env.X"]);
        expect(unknownChartKeys("base", { profile: "remote", globl: {} }, minor)).toEqual(["globl"]);
    });

    it("accepts declared keys, template-only keys and anything below a free-form map", () => {
        expect(
            unknownChartKeys("istiod", { profile: "remote", global: { remotePilotAddress: "1.2.3.4" }, env: { FOO: "1" } }, minor),
        ).toEqual([]);
    });

    it("escapes dots inside keys the way the key list writes them", () => {
        expect(keyPaths({ podAnnotations: { "prometheus.io/port": "1" } })).toEqual(["podAnnotations.prometheus\\.io/port"]);
    });

    it("rejects gateway values the chart's schema refuses", () => {
        expect(gatewayValueErrors({ name: "g", networkGatway: "n" }, minor)).not.toEqual([]);
        expect(gatewayValueErrors({ service: { ipFamilyPolicy: "Dual" } }, minor)).not.toEqual([]);
        expect(gatewayValueErrors({ name: "g", networkGateway: "n", service: { type: "None" } }, minor)).toEqual([]);
    });
});

describe("chart data of the minors", () => {
    it("knows the gateway keys 1.31 added (dnsPolicy) and refuses them on 1.30, whose schema lacks them", () => {
        expect(gatewayValueErrors({ name: "g", dnsPolicy: "ClusterFirst" }, "1.31.1")).toEqual([]);
        expect(gatewayValueErrors({ name: "g", dnsPolicy: "ClusterFirst" }, "1.30.4")).not.toEqual([]);
    });

    it("reads the minor from a full version", () => {
        expect(unknownChartKeys("istiod", { hub: "docker.io/istio", global: { hub: "docker.io/istio" } }, "1.30.4")).toEqual([]);
        expect(unknownChartKeys("istiod", { global: { hubb: "x" } }, "1.31.1")).toEqual(["global.hubb"]);
    });
});
