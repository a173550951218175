import { Recorder } from "../harness";
import { meshes, runMesh } from "../stacks/fixtures";

const MESH = "istio-multicloud:mesh:IstioMesh";
const CLUSTER_COMPONENT = /^istio-multicloud:clusters:/;

describe("the mesh as one component (dev stack)", () => {
    let rec: Recorder;
    beforeAll(async () => {
        ({ rec } = await runMesh(meshes.dev));
    });

    it("registers one IstioMesh, named after the mesh ID, at the stack's root", () => {
        const mesh = rec.one(MESH, "mesh1");
        expect(mesh.parent).toBe("");
    });

    it("parents every Istio and demo resource to it, and nothing of the clusters", () => {
        const mesh = rec.one(MESH, "mesh1");
        const underMesh = rec.all.filter((r) => rec.ancestors(r).some((a) => a.urn === mesh.urn));
        const types = new Set(underMesh.map((r) => r.type));
        for (const t of [
            "kubernetes:helm.sh/v3:Release",
            "istio-multicloud:mesh:ControlPlane",
            "istio-multicloud:apps:Helloworld",
            "tls:index/privateKey:PrivateKey",
        ]) {
            expect(types).toContain(t);
        }
        for (const r of underMesh) {
            expect({ resource: r.name, cluster: rec.ancestors(r).some((a) => CLUSTER_COMPONENT.test(a.type)) }).toEqual({
                resource: r.name,
                cluster: false,
            });
            expect(r.type).not.toBe("pulumi:providers:kubernetes");
        }
        // Every Kubernetes object belongs to the mesh, except the clusters' own (e.g. kind's MetalLB).
        const outside = rec.all.filter((r) => r.custom && r.type.startsWith("kubernetes:") && !underMesh.includes(r));
        expect(outside.filter((r) => !rec.ancestors(r).some((a) => CLUSTER_COMPONENT.test(a.type)))).toEqual([]);
    });

    it("carries, on each component it moved from the stack's root, the alias to where it was", () => {
        const mesh = rec.one(MESH, "mesh1");
        const moved = rec.all.filter((r) => rec.byUrn(r.parent)?.urn === mesh.urn && r.type !== "istio-multicloud:apps:MeshDemo");
        expect(moved.length).toBeGreaterThan(10);
        for (const r of moved) expect(r.aliases).toContain(`urn:pulumi:dev::istio-multicloud::${r.type}::${r.name}`);
        const controlPlaneChild = rec.one("kubernetes:core/v1:Namespace", "eks-west-istio-system");
        expect(controlPlaneChild.engineUrn).toBe(
            "urn:pulumi:dev::istio-multicloud::istio-multicloud:mesh:IstioMesh$istio-multicloud:mesh:ControlPlane$kubernetes:core/v1:Namespace::eks-west-istio-system",
        );
        expect(controlPlaneChild.aliases).toContain(
            "urn:pulumi:dev::istio-multicloud::istio-multicloud:mesh:ControlPlane$kubernetes:core/v1:Namespace::eks-west-istio-system",
        );
    });
});
