// Istio's releases are the mesh components' knowledge (components/mesh/istioReleases.ts); the
// stack config reads them from there.
export * from "../components/mesh/istioReleases";
