/**
 * A Pulumi program of your own that builds a primary-remote mesh over two clusters you already
 * run, with istio-multicloud's components. Each cluster's load balancer must give the east-west
 * gateway the address named here (MetalLB, a cloud LB with a reserved IP, ...).
 *
 *   pulumi config set --secret eastKubeconfig "$(cat east.kubeconfig)"
 *   pulumi config set --secret westKubeconfig "$(cat west.kubeconfig)"
 *   pulumi up
 */
import * as pulumi from "@pulumi/pulumi";
import { defaultChartRepository, defaultImageHub, defaultIstioVersion, ExistingCluster, IstioMesh } from "istio-multicloud";

const config = new pulumi.Config();

const east = new ExistingCluster("east", {
    role: "primary",
    network: "net-east",
    kubeconfig: config.requireSecret("eastKubeconfig"),
    loadBalancerAddresses: { eastwest: config.get("eastAddress") ?? "203.0.113.10" },
});
const west = new ExistingCluster("west", {
    role: "remote",
    network: "net-west",
    kubeconfig: config.requireSecret("westKubeconfig"),
    loadBalancerAddresses: { eastwest: config.get("westAddress") ?? "198.51.100.10" },
});

const mesh = new IstioMesh("mesh1", {
    meshId: "mesh1",
    charts: { repository: defaultChartRepository, version: defaultIstioVersion },
    imageHub: defaultImageHub,
    mtlsMode: "STRICT",
    rootOfTrust: { kind: "generated", protect: true },
    members: [
        { cluster: east, eastWest: { address: east.addresses.eastwest, sourceRanges: [] } },
        // The remote is injected and configured by east's istiod, through east's east-west address.
        { cluster: west, primary: "east", eastWest: { address: west.addresses.eastwest, sourceRanges: [] } },
    ],
});

export const eastWestAddresses = { east: mesh.members.east.eastWestAddress, west: mesh.members.west.eastWestAddress };
export const remoteSecretsHeldByEast = mesh.members.east.attached;
