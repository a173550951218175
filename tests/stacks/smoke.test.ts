import * as k8s from "@pulumi/kubernetes";
import { startMockEngine, settle, isSecret } from "../harness";

it("records registrations", async () => {
    const rec = startMockEngine({});
    const p = new k8s.Provider("alpha", { kubeconfig: "x" });
    new k8s.core.v1.Namespace("ns", { metadata: { name: "istio-system" } }, { provider: p, dependsOn: [p] });
    await settle();
    expect(rec.ofType("kubernetes:core/v1:Namespace")).toHaveLength(1);
    const ns = rec.ofType("kubernetes:core/v1:Namespace")[0];
    expect(rec.providerOf(ns)?.name).toBe("alpha");
    expect(isSecret(rec.one("pulumi:providers:kubernetes", "alpha").inputs.kubeconfig)).toBe(false);
});
