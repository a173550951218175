import { gatewayValueErrors, keyPaths, unknownChartKeys } from "./chartValues";

// The checks that guard every Helm value the program sends must themselves catch mistakes.
describe("chart value checks", () => {
    it("flags a misspelled istiod key, which Helm would silently ignore", () => {
        expect(unknownChartKeys("istiod", { global: { meshId: "m", network: "n" } })).toEqual(["global.meshId"]);
        expect(unknownChartKeys("istiod", { pilot: { env: { X: "1" } } })).toEqual(["pilot.env.X"]);
        expect(unknownChartKeys("base", { profile: "remote", globl: {} })).toEqual(["globl"]);
    });

    it("accepts declared keys, template-only keys and anything below a free-form map", () => {
        expect(unknownChartKeys("istiod", { profile: "remote", global: { remotePilotAddress: "1.2.3.4" }, env: { FOO: "1" } })).toEqual([]);
    });

    it("escapes dots inside keys the way the key list writes them", () => {
        expect(keyPaths({ podAnnotations: { "prometheus.io/port": "1" } })).toEqual(["podAnnotations.prometheus\\.io/port"]);
    });

    it("rejects gateway values the chart's schema refuses", () => {
        expect(gatewayValueErrors({ name: "g", networkGatway: "n" })).not.toEqual([]);
        expect(gatewayValueErrors({ service: { ipFamilyPolicy: "Dual" } })).not.toEqual([]);
        expect(gatewayValueErrors({ name: "g", networkGateway: "n", service: { type: "None" } })).toEqual([]);
    });
});
