/** Azure: AKS clusters, each in its own resource group and VNet, one azure-native provider. */
import * as azure from "@pulumi/azure-native/provider";
import { z } from "zod";
import { AksCluster } from "../components/clusters/aks";
import type { NodeShape } from "../stacks/nodeSizes";
import { azureLocations, regionListSource } from "../stacks/regions";
import { isLoadBalancer, isType } from "../tools/plan/durationRules";
import { azureCalls, azureResources } from "../tools/synthetic/outputs/azure";
import { CloudModule, createdCluster, createdVersion, sharedDurations, sizing } from "./cloud";

// GiB of memory per vCPU by VM size family.
const azureRatio: Record<string, number> = { D: 4, E: 8, F: 2 };
const azureBurstable: Record<string, NodeShape> = {
    B2s: { vcpus: 2, memoryGiB: 4 },
    B2ms: { vcpus: 2, memoryGiB: 8 },
    B4ms: { vcpus: 4, memoryGiB: 16 },
    B8ms: { vcpus: 8, memoryGiB: 32 },
};

/** The shape of an Azure VM size, for the families whose names encode it. */
function nodeShape(size: string): NodeShape | undefined {
    // Only the first B series: Bsv2 sizes of the same name differ (B2s_v2 has 8 GiB).
    const b = /^Standard_(B\d+m?s)$/.exec(size);
    if (b) return azureBurstable[b[1]];
    const m = /^Standard_([DEF])(\d+)([a-z]*)_v(\d+)$/.exec(size);
    if (!m) return undefined;
    const [, family, count, features, generation] = m;
    // Dv2 sizes do not follow the ratio (D2_v2 has 7 GiB; D11_v2 to D15_v2 are memory-optimized).
    if (family === "D" && Number(generation) < 3) return undefined;
    const vcpus = Number(count);
    // The l of Dlsv5, Dplsv6 and the like marks low-memory sizes: 2 GiB per vCPU.
    const ratio = family === "D" && features.includes("l") ? 2 : azureRatio[family];
    return { vcpus, memoryGiB: vcpus * ratio };
}

const variant = z.strictObject(createdCluster("azure", "Standard_D2s_v5"));

export const azureCloud: CloudModule<typeof variant> = {
    name: "azure",
    title: "Azure AKS",
    variant,
    keyDocs: {},
    defaultNodeSize: "Standard_D2s_v5",
    resolve: createdVersion,
    // Read from components/clusters/aks.ts.
    derivedNames: [
        { what: "the AKS DNS prefix", name: (n) => `${n}-xxxxxx`, max: 54 },
        { what: "the virtual network", name: (n) => `${n}-vnet`, max: 64 },
    ],
    nameLimitNote: "cloud names add a 7-character suffix",
    regions: {
        pattern: /^[a-z][a-z0-9]+$/,
        example: "eastus",
        called: "an Azure location",
        known: azureLocations,
        source: regionListSource.azure,
        unknown: "warning",
    },
    inCloud: true,
    nodeShape,
    clusterFactory(config) {
        // One provider for the subscription: AKS clusters name their location themselves.
        let provider: azure.Provider | undefined;
        return (c, common) =>
            new AksCluster(c.name, {
                role: common.role,
                network: common.network,
                ...sizing(c),
                provider: (provider ??= new azure.Provider("azure", {})),
                location: c.region!,
                adminPrincipalIds: config.adminPrincipals.azure,
                loadBalancerAddresses: common.loadBalancerAddresses,
            });
    },
    // Role assignments are named after the object ID, in any case.
    adminPrincipals: {
        schema: z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
        called: "Entra object IDs",
        expected: "Entra object IDs (GUIDs)",
        resourceName: (id) => id.toLowerCase(),
        what: "AKS role assignment",
    },
    plan: { eastWestAddressKind: "static public IP", allocatesAddresses: true },
    durations: [
        {
            what: "AKS managed cluster (control plane and system node pool)",
            matches: isType("azure-native:containerservice:ManagedCluster"),
            seconds: 480,
            range: "6-10 min",
            source: "estimate (https://github.com/Azure/AKS/issues/585 reported 20-30 min in 2018, since much reduced)",
        },
        {
            what: "Azure role assignment, until it takes effect",
            matches: isType("azure-native:authorization:RoleAssignment"),
            seconds: 180,
            range: "seconds to 30 min",
            source: "https://learn.microsoft.com/en-us/answers/questions/524792/azure-rbac-replication-latency.html (Microsoft: up to 30 min); 3 min is an estimate",
        },
        { ...sharedDurations.cloudLoadBalancer, matches: isLoadBalancer(["azure"]) },
        { ...sharedDurations.otherCloudObjects, matches: (r) => r.type.startsWith("azure-native:") },
    ],
    synthetic: { resources: azureResources, calls: azureCalls },
};
