import { parse } from "yaml";
import { isSecret, Recorder, reveal } from "../harness";
import { runMesh, stackFileConfig } from "../stacks/fixtures";

// The local stack, exactly as Pulumi.local.yaml holds it.
const localStack = stackFileConfig("local");

describe("the local stack on kind", () => {
    let rec: Recorder;
    beforeAll(async () => {
        ({ rec } = await runMesh(localStack));
    });

    const commands = () => rec.ofType("command:local:Command");

    it("creates and deletes one kind cluster per cluster, with the configured node image", () => {
        const create = commands().filter((c) => /^kind create cluster/.test(c.inputs.create));
        expect(create.map((c) => [c.inputs.create, c.inputs.delete])).toEqual([
            ["kind create cluster --name kind-primary --wait 180s --config -", "kind delete cluster --name kind-primary"],
            ["kind create cluster --name kind-remote --wait 180s --config -", "kind delete cluster --name kind-remote"],
        ]);
        expect(parse(create[0].inputs.stdin)).toEqual({
            kind: "Cluster",
            apiVersion: "kind.x-k8s.io/v1alpha4",
            nodes: [{ role: "control-plane", image: "kindest/node:v1.34.0" }],
        });
    });

    it("reads each cluster's kubeconfig after creating it, keeps it out of logs and in a secret", () => {
        const read = commands().filter((c) => /^kind get kubeconfig/.test(c.inputs.create));
        expect(read).toHaveLength(2);
        const primaryCreate = commands().find((c) => c.inputs.create.startsWith("kind create cluster --name kind-primary"))!;
        expect(rec.dependsOn(read[0], primaryCreate)).toBe(true);
        expect(read[0].inputs.logging).toBe("stderr");
        const provider = rec.one("pulumi:providers:kubernetes", "kind-primary");
        expect(isSecret(provider.inputs.kubeconfig)).toBe(true);
        expect(reveal<string>(provider.inputs.kubeconfig)).toContain("server: https://127.0.0.1:");
    });

    it("gives the gateways their configured addresses through MetalLB, and only those", () => {
        const pool = rec.oneIn("kubernetes:metallb.io/v1beta1:IPAddressPool", "kind-primary", "istio-gateways");
        expect(pool.inputs.spec).toEqual({ addresses: ["172.18.255.200/32", "172.18.255.201/32"], autoAssign: false });
        const metallb = rec.oneIn("kubernetes:helm.sh/v3:Release", "kind-primary", "metallb");
        expect(metallb.inputs).toMatchObject({ chart: "metallb", version: "0.15.3", namespace: "metallb-system" });
        expect(rec.dependsOn(pool, metallb)).toBe(true);
        const eastWest = rec.oneIn("kubernetes:core/v1:Service", "kind-primary", "istio-eastwestgateway");
        const ingress = rec.oneIn("kubernetes:core/v1:Service", "kind-primary", "istio-ingressgateway");
        expect(eastWest.inputs.spec.loadBalancerIP).toBe("172.18.255.200");
        expect(ingress.inputs.spec.loadBalancerIP).toBe("172.18.255.201");
        // The load balancers go before MetalLB and the cluster on destroy.
        const cluster = commands().find((c) => c.inputs.create.startsWith("kind create cluster --name kind-primary"))!;
        for (const service of [eastWest, ingress]) {
            expect(rec.dependsOn(service, metallb)).toBe(true);
            expect(rec.dependsOn(service, cluster)).toBe(true);
        }
    });

    it("wires the remote to the primary over the Docker network", () => {
        const istiod = rec.oneIn("kubernetes:helm.sh/v3:Release", "kind-remote", "istiod");
        expect(reveal(istiod.inputs.values).global.remotePilotAddress).toBe("172.18.255.200");
        const secret = rec.oneIn("kubernetes:core/v1:Secret", "kind-primary", "istio-remote-secret-kind-remote");
        const kubeconfig = parse(reveal(secret.inputs.stringData)["kind-remote"]);
        // Other kind clusters reach the API server by the node's container name, not the host port.
        expect(kubeconfig.clusters[0].cluster.server).toBe("https://kind-remote-control-plane:6443");
    });
});
