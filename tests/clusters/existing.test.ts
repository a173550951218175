import { isSecret, Recorder, reveal } from "../harness";
import { existingKubeconfig, meshes, runMesh } from "../stacks/fixtures";

const NAMESPACE = "kubernetes:core/v1:Namespace";
const SECRET = "kubernetes:core/v1:Secret";
const PROVIDER = "pulumi:providers:kubernetes";
const PATCH_FORCE = "pulumi.com/patchForce";

/** Every Kubernetes object (not provider) the program puts in a cluster. */
const objectsIn = (rec: Recorder, cluster: string) =>
    rec.all.filter((r) => r.custom && r.type.startsWith("kubernetes:") && rec.clusterOf(r) === cluster);

describe("an existing cluster that may already have Istio's namespace and cacerts", () => {
    let rec: Recorder;
    beforeAll(async () => {
        ({ rec } = await runMesh({
            demo: true,
            clusters: [
                { name: "onprem", cloud: "existing", ingress: true, eastWestAddress: "198.51.100.10", ingressAddress: "198.51.100.11" },
                { name: "edge", cloud: "existing", role: "remote", primary: "onprem" },
                { name: "cloud", cloud: "gcp", region: "us-east1", project: "acme-mesh", ingress: true },
            ],
            kubeconfigs: { onprem: existingKubeconfig, edge: existingKubeconfig },
        }));
    });

    it("gives its provider upsertExistingObjects (a create of an object already there updates it), and no other cluster's", () => {
        for (const name of ["onprem", "edge"]) {
            const provider = rec.one(PROVIDER, name);
            // Only a key added next to the unchanged kubeconfig: pulumi-kubernetes updates the
            // provider for it, it replaces a provider only when its active cluster changes.
            expect(Object.keys(provider.inputs).sort()).toEqual(["kubeconfig", "upsertExistingObjects"]);
            // Provider inputs reach the engine as strings.
            expect(provider.inputs.upsertExistingObjects).toBe("true");
            expect(isSecret(provider.inputs.kubeconfig)).toBe(true);
        }
        expect(rec.one(PROVIDER, "cloud").inputs.upsertExistingObjects).toBeUndefined();
    });

    it("adopts istio-system, cacerts and istio-ingress, taking over their fields, and keeps them on destroy", () => {
        const adopted = [
            rec.oneIn(NAMESPACE, "onprem", "istio-system"),
            rec.oneIn(SECRET, "onprem", "cacerts"),
            rec.oneIn(NAMESPACE, "onprem", "istio-ingress"),
            rec.oneIn(NAMESPACE, "edge", "istio-system"),
        ];
        for (const r of adopted) {
            expect({ object: r.name, retainOnDelete: r.retainOnDelete, forced: r.inputs.metadata.annotations?.[PATCH_FORCE] }).toEqual({
                object: r.name,
                retainOnDelete: true,
                forced: "true",
            });
        }
        // The remote's namespace keeps telling the primary's istiod that it controls this remote.
        expect(adopted[3].inputs.metadata.annotations["topology.istio.io/controlPlaneClusters"]).toBe("onprem");
        expect(reveal(adopted[1].inputs.stringData)["ca-key.pem"]).toContain("PRIVATE KEY");
        expect(isSecret(adopted[1].inputs.stringData)).toBe(true);
    });

    it("deletes on destroy everything else it creates there (releases, token, remote secrets, Services, demo)", () => {
        for (const cluster of ["onprem", "edge"]) {
            const kept = objectsIn(rec, cluster)
                .filter((r) => r.retainOnDelete)
                .map((r) => r.inputs.metadata?.name ?? r.inputs.name);
            expect(kept.sort()).toEqual(cluster === "onprem" ? ["cacerts", "istio-ingress", "istio-system"] : ["istio-system"]);
            expect(objectsIn(rec, cluster).length).toBeGreaterThan(kept.length);
        }
    });

    it("keeps clusters the program creates as they were: nothing adopted, nothing kept", () => {
        const objects = objectsIn(rec, "cloud");
        expect(objects.filter((r) => r.retainOnDelete)).toEqual([]);
        expect(objects.filter((r) => r.inputs.metadata?.annotations?.[PATCH_FORCE] !== undefined)).toEqual([]);
        const ns = rec.oneIn(NAMESPACE, "cloud", "istio-system");
        expect(ns.inputs.metadata.annotations).toBeUndefined();
        expect(rec.oneIn(SECRET, "cloud", "cacerts").inputs.metadata.annotations).toBeUndefined();
    });

    it("decides it from the configured cloud alone, the same on every run", async () => {
        const again = (await runMesh(meshes["five-cluster"])).rec;
        const onprem = again.oneIn(NAMESPACE, "onprem", "istio-system");
        expect(onprem.retainOnDelete).toBe(true);
        expect(again.inCluster(NAMESPACE, "eks-west", "istio-system")[0].retainOnDelete).toBe(false);
    });
});
