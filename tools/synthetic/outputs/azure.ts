import { createHash } from "crypto";
import type { CallResult, ResourceOutputs } from "./types";

/** Subscription, tenant and deploying principal the mocked azure-native provider runs as. */
export const AZURE_SUBSCRIPTION_ID = "00000000-1111-2222-3333-444444444444";
export const AZURE_TENANT_ID = "55555555-6666-7777-8888-999999999999";
export const AZURE_CLIENT_ID = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
export const AZURE_OBJECT_ID = "ffffffff-0000-1111-2222-333333333333";
/** CA (base64 PEM) in the admin kubeconfig the mocked AKS returns. */
export const AKS_CA_DATA = Buffer.from("-----BEGIN CERTIFICATE-----\nMIIaks\n-----END CERTIFICATE-----\n").toString("base64");

function hash(text: string): string {
    return createHash("sha256").update(text).digest("hex");
}

/** A GUID stable per seed, as Azure gives principals and resources. */
export function azureGuid(seed: string): string {
    const h = hash(seed);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** A public IPv4 stable per resource name (Azure's public ranges start with 20., 40., 52. ...). */
export function azurePublicIp(name: string): string {
    const b = Buffer.from(hash(`ip:${name}`), "hex");
    return `20.${b[0]}.${b[1]}.${1 + (b[2] % 254)}`;
}

/** The Azure resource name: the explicit name input, or the Pulumi name (autonaming is skipped). */
function azureName(args: { name: string; inputs: Record<string, any> }, nameInput: string): string {
    return args.inputs[nameInput] ?? args.name;
}

/** The FQDN AKS gives an API server: DNS prefix, a hash, the region. */
export function aksFqdn(dnsPrefix: string, location: string): string {
    return `${dnsPrefix}-${hash(`fqdn:${dnsPrefix}`).slice(0, 8)}.hcp.${location}.azmk8s.io`;
}

/** Outputs the azure provider computes, by resource type. */
export const azureResources: Record<string, ResourceOutputs> = {
    "azure-native:resources:ResourceGroup": (args) => ({
        name: azureName(args, "resourceGroupName"),
        type: "Microsoft.Resources/resourceGroups",
        properties: { provisioningState: "Succeeded" },
        azureApiVersion: "2024-03-01",
    }),
    "azure-native:managedidentity:UserAssignedIdentity": (args) => ({
        name: azureName(args, "resourceName"),
        type: "Microsoft.ManagedIdentity/userAssignedIdentities",
        principalId: azureGuid(`principal:${args.name}`),
        clientId: azureGuid(`client:${args.name}`),
        tenantId: AZURE_TENANT_ID,
        azureApiVersion: "2023-01-31",
    }),
    "azure-native:authorization:RoleAssignment": (args) => ({
        name: azureName(args, "roleAssignmentName"),
        type: "Microsoft.Authorization/roleAssignments",
        createdBy: AZURE_OBJECT_ID,
        createdOn: "2025-01-01T00:00:00.0000000Z",
        updatedBy: AZURE_OBJECT_ID,
        updatedOn: "2025-01-01T00:00:00.0000000Z",
        azureApiVersion: "2022-04-01",
    }),
    "azure-native:network:VirtualNetwork": (args) => ({
        name: azureName(args, "virtualNetworkName"),
        type: "Microsoft.Network/virtualNetworks",
        etag: `W/"${azureGuid(`etag:${args.name}`)}"`,
        provisioningState: "Succeeded",
        resourceGuid: azureGuid(`guid:${args.name}`),
        flowLogs: [],
        azureApiVersion: "2024-05-01",
    }),
    "azure-native:network:Subnet": (args) => ({
        name: azureName(args, "subnetName"),
        type: "Microsoft.Network/virtualNetworks/subnets",
        etag: `W/"${azureGuid(`etag:${args.name}`)}"`,
        provisioningState: "Succeeded",
        azureApiVersion: "2024-05-01",
    }),
    "azure-native:network:PublicIPAddress": (args) => {
        const name = azureName(args, "publicIpAddressName");
        return {
            name,
            type: "Microsoft.Network/publicIPAddresses",
            ipAddress: azurePublicIp(name),
            idleTimeoutInMinutes: 4,
            etag: `W/"${azureGuid(`etag:${args.name}`)}"`,
            provisioningState: "Succeeded",
            resourceGuid: azureGuid(`guid:${args.name}`),
            azureApiVersion: "2024-05-01",
        };
    },
    "azure-native:containerservice:ManagedCluster": (args) => {
        const name = azureName(args, "resourceName");
        const location: string = args.inputs.location ?? "westeurope";
        const fqdn = aksFqdn(args.inputs.dnsPrefix ?? name, location);
        const nodeResourceGroup = args.inputs.nodeResourceGroup ?? `MC_${args.inputs.resourceGroupName}_${name}_${location}`;
        return {
            name,
            type: "Microsoft.ContainerService/ManagedClusters",
            fqdn,
            azurePortalFQDN: fqdn.replace(".hcp.", ".portal.hcp."),
            nodeResourceGroup,
            currentKubernetesVersion: `${args.inputs.kubernetesVersion ?? "1.33"}.2`,
            provisioningState: "Succeeded",
            powerState: { code: "Running" },
            maxAgentPools: 100,
            // Unique per creation, also when a cluster is recreated under the same ARM ID.
            resourceUID: aksResourceUid(args.name),
            identityProfile: {
                kubeletidentity: {
                    resourceId: `/subscriptions/${AZURE_SUBSCRIPTION_ID}/resourceGroups/${nodeResourceGroup}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}-agentpool`,
                    clientId: azureGuid(`kubelet-client:${args.name}`),
                    objectId: azureGuid(`kubelet-object:${args.name}`),
                },
            },
            azureApiVersion: "2025-09-01",
        };
    },
};

/** The `resourceUID` AKS gives a ManagedCluster resource of this name when it creates it. */
export function aksResourceUid(resourceName: string): string {
    return hash(`uid:${resourceName}`).slice(0, 24);
}

/** A YAML kubeconfig as AKS returns for `listClusterAdminCredential`. */
export function aksAdminKubeconfig(clusterName: string, server: string): string {
    return [
        "apiVersion: v1",
        "clusters:",
        "- cluster:",
        `    certificate-authority-data: ${AKS_CA_DATA}`,
        `    server: ${server}`,
        `  name: ${clusterName}`,
        "contexts:",
        "- context:",
        `    cluster: ${clusterName}`,
        `    user: clusterAdmin_${clusterName}`,
        `  name: ${clusterName}-admin`,
        `current-context: ${clusterName}-admin`,
        "kind: Config",
        "preferences: {}",
        "users:",
        `- name: clusterAdmin_${clusterName}`,
        "  user:",
        "    client-certificate-data: Y2VydA==",
        "    client-key-data: a2V5",
        `    token: ${hash(`token:${clusterName}`)}`,
        "",
    ].join("\n");
}

/** Results of azure provider functions. */
export const azureCalls: Record<string, CallResult> = {
    "azure-native:authorization:getClientConfig": () => ({
        subscriptionId: AZURE_SUBSCRIPTION_ID,
        tenantId: AZURE_TENANT_ID,
        clientId: AZURE_CLIENT_ID,
        objectId: AZURE_OBJECT_ID,
    }),
    // Returned unmarked, the weakest case: the component must secret the kubeconfig itself,
    // whether or not a given API version flags the value as sensitive.
    "azure-native:containerservice:listManagedClusterAdminCredentials": (args) => {
        const clusterName: string = args.inputs.resourceName;
        // The mock has no state to look the cluster's DNS prefix up in: any stable FQDN will do.
        const server = `https://${clusterName}-${hash(`fqdn:${clusterName}`).slice(0, 8)}.hcp.westeurope.azmk8s.io:443`;
        return {
            kubeconfigs: [{ name: "clusterAdmin", value: Buffer.from(aksAdminKubeconfig(clusterName, server)).toString("base64") }],
        };
    },
};
