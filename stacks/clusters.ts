import type { Cloud, MeshCluster } from "../components/clusters/cluster";
import { allClouds } from "../clouds";
import type { ClusterFactory } from "../clouds/cloud";
import type { MeshConfig } from "./config";

/** Purposes of the static addresses a cluster's gateways take. */
export const eastWestPurpose = "eastwest";
export const ingressPurpose = "ingress";

/** Creates every cluster of the stack, each with its cloud's component (clouds/<cloud>.ts). */
export async function createClusters(config: MeshConfig): Promise<MeshCluster[]> {
    // Each cloud first reads what it needs (in registry order), then clusters follow config order.
    const factories = new Map<Cloud, ClusterFactory>();
    for (const cloud of allClouds()) {
        factories.set(
            cloud.name,
            await cloud.clusterFactory(
                config,
                config.clusters.filter((c) => c.cloud === cloud.name),
            ),
        );
    }
    return config.clusters.map((c) =>
        factories.get(c.cloud)!(c, {
            role: c.role,
            network: c.network,
            loadBalancerAddresses: c.ingress ? [eastWestPurpose, ingressPurpose] : [eastWestPurpose],
            // Clusters whose load balancers take addresses the operator chose.
            configuredAddresses: {
                ...(c.eastWestAddress ? { [eastWestPurpose]: c.eastWestAddress } : {}),
                ...(c.ingressAddress ? { [ingressPurpose]: c.ingressAddress } : {}),
            },
        }),
    );
}
