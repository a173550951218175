import * as pulumi from "@pulumi/pulumi";
import type { MeshCluster } from "../components/clusters/cluster";
import { ControlPlane } from "../components/mesh/controlPlane";
import { CrossNetworkConfig } from "../components/mesh/crossNetworkConfig";
import { EastWestGateway } from "../components/mesh/eastWestGateway";
import { IntermediateCa } from "../components/mesh/intermediateCa";
import { ReaderToken } from "../components/mesh/readerToken";
import { RemoteSecret } from "../components/mesh/remoteSecret";
import { MeshRootCa } from "../components/mesh/rootCa";
import { createClusters, eastWestPurpose } from "./clusters";
import { loadMeshConfig, MeshConfig } from "./config";
import { primariesFirst, remoteSecretPlacement, remotesOf } from "./topology";

/** What one cluster publishes (nothing secret). */
export interface ClusterOutput {
    name: string;
    cloud: string;
    role: string;
    primary?: string;
    network: string;
    apiServerUrl: pulumi.Output<string>;
    egressIps: pulumi.Output<string[]>;
    /** Address of the east-west gateway: the IP a remote uses as remotePilotAddress. */
    eastWestAddress: pulumi.Output<string>;
    /** Clusters whose remote secrets this cluster holds (primaries only). */
    remoteSecrets: string[];
}

/** The stack's outputs. Secrets are kept in their own outputs so `clusters` stays readable. */
export interface MeshOutputs {
    meshId: string;
    clusters: Record<string, ClusterOutput>;
    /** Kubeconfigs the program deploys with, by cluster (secret). */
    kubeconfigs: pulumi.Output<Record<string, string>>;
    /** Each cluster's remote secret kubeconfig (bearer token), by cluster (secret). */
    remoteSecrets: pulumi.Output<Record<string, string>>;
}

/** Builds this stack's mesh from its config; the program's only entry point. */
export async function buildMesh(): Promise<MeshOutputs> {
    // Config is validated completely before any resource is registered.
    const { config, warnings } = loadMeshConfig();
    warnings.forEach((w) => pulumi.log.warn(w));
    const clusters = await createClusters(config);
    return wireMesh(config, clusters);
}

/**
 * Installs Istio on every cluster and wires the clusters together. Every edge between two
 * clusters is made here.
 */
export function wireMesh(config: MeshConfig, clusters: MeshCluster[]): MeshOutputs {
    const charts = { repository: config.chartRepository, version: config.istioVersion };
    const byName = new Map(clusters.map((c) => [c.name, c]));
    const topology = config.clusters.map((c) => ({ name: c.name, role: c.role, primary: c.primary }));
    const primaryOf = (name: string) => topology.find((t) => t.name === name)?.primary;

    // One root of trust: cross-cluster mTLS needs every istiod's CA to chain to it.
    const root = new MeshRootCa("mesh-root-ca", { meshId: config.meshId, protect: config.protectRootCa });

    const controlPlanes = new Map<string, ControlPlane>();
    for (const cluster of primariesFirst(clusters)) {
        let role: ConstructorParameters<typeof ControlPlane>[1]["role"];
        if (cluster.role === "primary") {
            const ca = new IntermediateCa(`${cluster.name}-ca`, {
                clusterName: cluster.name,
                rootCertPem: root.certPem,
                rootKeyPem: root.privateKeyPem,
            });
            role = { kind: "primary", cacerts: ca.bundle, servesRemotes: remotesOf(cluster.name, topology).length > 0 };
        } else {
            const primary = byName.get(primaryOf(cluster.name)!)!;
            // Only the primary's static address: the remote's charts install in parallel with the primary.
            role = { kind: "remote", primaryCluster: primary.name, primaryAddress: primary.addresses[eastWestPurpose].ip };
        }
        controlPlanes.set(
            cluster.name,
            new ControlPlane(cluster.name, {
                clusterName: cluster.name,
                network: cluster.network,
                meshId: config.meshId,
                role,
                charts,
                provider: cluster.provider,
                nodesReady: cluster.nodesReady,
            }),
        );
    }
    const controlPlaneOf = (name: string) => {
        const cp = controlPlanes.get(name)!;
        return [cp.base, cp.istiod];
    };

    const crossNetwork = new Map<string, CrossNetworkConfig>();
    for (const primary of clusters.filter((c) => c.role === "primary")) {
        crossNetwork.set(
            primary.name,
            new CrossNetworkConfig(primary.name, {
                exposeIstiod: remotesOf(primary.name, topology).length > 0,
                provider: primary.provider,
                controlPlane: controlPlaneOf(primary.name),
            }),
        );
    }

    // Remote secrets: a reader token in every cluster (published, so that a primary of another
    // stack can hold it too), placed in each primary that must see the cluster.
    const placement = remoteSecretPlacement(topology);
    const readers = new Map<string, ReaderToken>();
    for (const cluster of clusters) {
        readers.set(
            cluster.name,
            new ReaderToken(cluster.name, {
                clusterName: cluster.name,
                apiServerUrl: cluster.apiServerUrl,
                certificateAuthorityData: cluster.certificateAuthorityData,
                provider: cluster.provider,
                controlPlane: controlPlaneOf(cluster.name),
            }),
        );
    }
    const remoteSecrets = new Map<string, RemoteSecret>();
    for (const [primaryName, held] of placement) {
        const primary = byName.get(primaryName)!;
        for (const clusterName of held) {
            remoteSecrets.set(
                `${primaryName}/${clusterName}`,
                new RemoteSecret(`${primaryName}-${clusterName}`, {
                    clusterName,
                    kubeconfig: readers.get(clusterName)!.kubeconfig,
                    provider: primary.provider,
                    // Multi-primary: the secret follows both control planes.
                    controlPlane: controlPlaneOf(primaryName),
                }),
            );
        }
    }

    const gateways = new Map<string, EastWestGateway>();
    for (const cluster of primariesFirst(clusters)) {
        const own = controlPlanes.get(cluster.name)!;
        let injectionReady: pulumi.Resource[] = [own.istiod];
        if (cluster.role === "remote") {
            // The remote's pods are injected by the primary's istiod, which the remote's API server
            // reaches through the primary's gateway, once the primary holds the remote's secret.
            const primaryName = primaryOf(cluster.name)!;
            injectionReady = [
                ...injectionReady,
                controlPlanes.get(primaryName)!.istiod,
                crossNetwork.get(primaryName)!,
                gateways.get(primaryName)!,
                remoteSecrets.get(`${primaryName}/${cluster.name}`)!,
            ];
        }
        gateways.set(
            cluster.name,
            new EastWestGateway(cluster.name, {
                network: cluster.network,
                address: cluster.addresses[eastWestPurpose],
                charts,
                provider: cluster.provider,
                nodesReady: cluster.nodesReady,
                injectionReady,
            }),
        );
    }

    const outputs: Record<string, ClusterOutput> = {};
    for (const cluster of clusters) {
        outputs[cluster.name] = {
            name: cluster.name,
            cloud: cluster.cloud,
            role: cluster.role,
            primary: primaryOf(cluster.name),
            network: cluster.network,
            apiServerUrl: cluster.apiServerUrl,
            egressIps: cluster.egressIps,
            eastWestAddress: gateways.get(cluster.name)!.address,
            remoteSecrets: placement.get(cluster.name) ?? [],
        };
    }
    const secretMap = (entries: [string, pulumi.Output<string>][]) =>
        pulumi.secret(pulumi.all(Object.fromEntries(entries)) as pulumi.Output<Record<string, string>>);
    return {
        meshId: config.meshId,
        clusters: outputs,
        kubeconfigs: secretMap(clusters.map((c) => [c.name, c.kubeconfig])),
        remoteSecrets: secretMap([...readers].map(([name, r]) => [name, r.kubeconfig])),
    };
}
