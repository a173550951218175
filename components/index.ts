/**
 * istio-multicloud as a library: the components that build one Istio mesh across clusters, for
 * Pulumi programs of your own. This stack program (index.ts) uses the same components.
 *
 *   import { ExistingCluster, IstioMesh } from "istio-multicloud";
 */

// Clusters: one component per cloud, each returning the same MeshCluster handle.
export { AksCluster, validateAksClusterArgs } from "./clusters/aks";
export type { AksClusterArgs } from "./clusters/aks";
export { configuredAddresses, kubeconfigEndpoint, MeshClusterResource } from "./clusters/cluster";
export type { Cloud, MeshCluster, MeshMembership, MeshRole, StaticAddress } from "./clusters/cluster";
export { EksCluster, validateEksClusterArgs } from "./clusters/eks";
export type { EksClusterArgs } from "./clusters/eks";
export { ExistingCluster } from "./clusters/existing";
export type { ExistingClusterArgs } from "./clusters/existing";
export { GkeCluster, validateGkeClusterArgs } from "./clusters/gke";
export type { GkeClusterArgs } from "./clusters/gke";
export { KindCluster } from "./clusters/kind";
export type { KindClusterArgs } from "./clusters/kind";

// The mesh and its parts.
export { IstioMesh } from "./mesh/istioMesh";
export type { IstioMeshArgs, IstioMeshMember, IstioMeshMemberOutputs, IstioMeshPeer, RootOfTrust } from "./mesh/istioMesh";
export type { IstioCharts } from "./mesh/chart";
export { ControlPlane } from "./mesh/controlPlane";
export type { ControlPlaneArgs, ControlPlaneRevision, ControlPlaneRevisions, ControlPlaneRole } from "./mesh/controlPlane";
export { RevisionTag, revisionTagWebhooks } from "./mesh/revisionTag";
export type { RevisionTagArgs } from "./mesh/revisionTag";
export type { IstioRevision, MeshRevisions } from "./mesh/revisions";
export { EastWestGateway } from "./mesh/eastWestGateway";
export type { EastWestGatewayArgs } from "./mesh/eastWestGateway";
export { IngressGateway } from "./mesh/ingressGateway";
export type { IngressGatewayArgs } from "./mesh/ingressGateway";
export { IntermediateCa } from "./mesh/intermediateCa";
export type { CaBundle, CaBundlePems, IntermediateCaArgs } from "./mesh/intermediateCa";
export { MeshRootCa, certificateFingerprint } from "./mesh/rootCa";
export type { MeshRootCaArgs } from "./mesh/rootCa";
export { RemoteSecret } from "./mesh/remoteSecret";
export { ReaderToken } from "./mesh/readerToken";

// Istio releases the components know: supported minors, defaults, retired artefact locations.
export {
    defaultChartRepository,
    defaultImageHub,
    defaultIstioVersion,
    istioMinors,
    istioVersionProblem,
    ociChartRepository,
    retiredLocationOf,
} from "./mesh/istioReleases";
export type { IstioMinor } from "./mesh/istioReleases";

// The demo.
export { MeshDemo } from "./apps/meshDemo";
export type { MeshDemoArgs, MeshDemoOptions } from "./apps/meshDemo";
export type { HelloworldVersion } from "./apps/helloworld";
