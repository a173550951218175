import { buildMesh } from "./stacks/mesh";

// Everything is decided in stacks/: this stack's config becomes clusters and one Istio mesh.
export = async () => buildMesh();
