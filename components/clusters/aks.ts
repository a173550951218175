import * as authorization from "@pulumi/azure-native/authorization";
import * as containerservice from "@pulumi/azure-native/containerservice";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import * as network from "@pulumi/azure-native/network";
import type { Provider as AzureProvider } from "@pulumi/azure-native/provider";
import * as resources from "@pulumi/azure-native/resources";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { clusterProvider, kubeconfigEndpoint, MeshClusterResource, MeshRole } from "./cluster";
import { releaseWait } from "./releaseWait";

/** Built-in Azure role "Network Contributor". */
export const NETWORK_CONTRIBUTOR_ROLE = "4d97b98b-1d4f-4787-a291-c67834d212e7";
/** Built-in Azure role "Azure Kubernetes Service Cluster Admin Role" (may list the admin kubeconfig). */
export const AKS_CLUSTER_ADMIN_ROLE = "0ab0b1a8-8aac-4efd-b8c2-3ee1fb270be8";

/** VNet of the cluster. Outside AKS's default service CIDR (10.0.0.0/16), which it must not overlap. */
export const AKS_VNET_CIDR = "10.1.0.0/16";
/** Subnet of the nodes; with Azure CNI (not overlay) pods take their IPs from it too. */
export const AKS_NODE_SUBNET_CIDR = "10.1.0.0/20";

/** Everything one AKS cluster needs. */
export interface AksClusterArgs {
    /** The cluster's role in the mesh. */
    role: MeshRole;
    /** Istio network of the cluster (`topology.istio.io/network`). */
    network: string;
    /** azure-native provider (created by the caller) for the subscription the cluster lives in. */
    provider: AzureProvider;
    /** Azure region, e.g. `westeurope`. */
    location: string;
    /** Kubernetes version of the control plane and the system pool, e.g. `1.33`. */
    kubernetesVersion: string;
    /**
     * Nodes in the system pool. Applied when the cluster is created: Azure does not update an
     * inline agent pool afterwards (change it in Azure and `pulumi refresh`).
     */
    nodeCount: number;
    /** VM size of the nodes, e.g. `Standard_D4s_v5`. Applied at creation only, like `nodeCount`. */
    nodeSize: string;
    /**
     * Entra object IDs granted "Azure Kubernetes Service Cluster Admin Role" on the cluster, so
     * CI can fetch the admin kubeconfig for previews.
     */
    adminPrincipalIds: string[];
    /** Purposes of the static public IPs to allocate for LoadBalancer Services, e.g. `["eastwest"]`. */
    loadBalancerAddresses: string[];
}

const PURPOSE = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** Throws early, naming the property, when the args cannot make a valid AKS cluster. */
export function validateAksClusterArgs(name: string, args: AksClusterArgs): void {
    // The DNS prefix is `${name}-${suffix}`: at most 54 characters, letters, digits and hyphens.
    if (!/^[a-zA-Z0-9]([-a-zA-Z0-9]{0,45}[a-zA-Z0-9])?$/.test(name)) {
        throw new Error(
            `AKS cluster name "${name}" must be 1 to 47 letters, digits or hyphens, starting and ending with a letter or digit`,
        );
    }
    if (!Number.isInteger(args.nodeCount) || args.nodeCount < 1) {
        throw new Error(`AKS cluster ${name}: nodeCount must be a positive integer, got ${args.nodeCount}`);
    }
    const seen = new Set<string>();
    for (const purpose of args.loadBalancerAddresses) {
        if (!PURPOSE.test(purpose)) {
            throw new Error(
                `AKS cluster ${name}: loadBalancerAddresses entry "${purpose}" must be lowercase letters, digits and hyphens (e.g. "eastwest")`,
            );
        }
        if (seen.has(purpose)) {
            throw new Error(`AKS cluster ${name}: loadBalancerAddresses lists "${purpose}" twice`);
        }
        seen.add(purpose);
    }
}

/** The address of a static public IP, which Azure always assigns at creation. */
function staticIpAddress(ip: network.PublicIPAddress): pulumi.Output<string> {
    return pulumi.all([ip.name, ip.ipAddress]).apply(([ipName, address]) => {
        if (!address) {
            throw new pulumi.RunError(`static public IP ${ipName} has no ipAddress`);
        }
        return address;
    });
}

/** An AKS cluster in its own resource group and VNet, with static outbound and load-balancer IPs. */
export class AksCluster extends MeshClusterResource {
    public readonly cloud = "azure" as const;
    /** Resource group holding the cluster, its network and its static IPs. */
    public readonly resourceGroupName: pulumi.Output<string>;

    constructor(name: string, args: AksClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("istio-multicloud:clusters:AksCluster", name, args, opts);
        validateAksClusterArgs(name, args);
        const cloud = { provider: args.provider, parent: this };
        // Azure IPs cannot be deleted while a load balancer still holds them, and AKS lets go late.
        const ipOpts = { ...cloud, customTimeouts: { delete: "20m" } };

        // Stable suffix for names that must be unique beyond this stack (DNS prefix, resource group).
        const suffix = new random.RandomString(
            `${name}-suffix`,
            { length: 6, upper: false, special: false, lower: true, numeric: true },
            { parent: this },
        ).result;

        const group = new resources.ResourceGroup(
            `${name}-group`,
            { resourceGroupName: pulumi.interpolate`${name}-${suffix}`, location: args.location },
            cloud,
        );
        const inGroup = { resourceGroupName: group.name, location: args.location };

        // The control plane's identity. Our static IPs and the VNet live in this resource group, not
        // in the node resource group AKS manages, so the identity needs Network Contributor here to
        // put the IPs on its load balancer and to join nodes to the subnet.
        const identity = new managedidentity.UserAssignedIdentity(
            `${name}-cluster-identity`,
            { ...inGroup, resourceName: `${name}-cluster` },
            cloud,
        );
        const client = authorization.getClientConfigOutput(cloud);
        // Role assignment names are GUIDs, unique in the whole tenant. The keepers give a replaced
        // identity (or cluster, below) a new one, so the new assignment does not clash with the
        // old one, which Pulumi deletes only afterwards.
        const networkContributorName = new random.RandomUuid(
            `${name}-network-contributor`,
            { keepers: { principalId: identity.principalId } },
            { parent: this },
        ).result;
        const networkContributor = new authorization.RoleAssignment(
            `${name}-network-contributor`,
            {
                roleAssignmentName: networkContributorName,
                roleDefinitionId: pulumi.interpolate`/subscriptions/${client.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${NETWORK_CONTRIBUTOR_ROLE}`,
                principalId: identity.principalId,
                // A principal type spares Azure from looking up a just-created identity that has
                // not replicated yet.
                principalType: authorization.PrincipalType.ServicePrincipal,
                scope: group.id,
            },
            cloud,
        );

        const vnet = new network.VirtualNetwork(
            `${name}-vnet`,
            { ...inGroup, virtualNetworkName: `${name}-vnet`, addressSpace: { addressPrefixes: [AKS_VNET_CIDR] } },
            cloud,
        );
        // A separate Subnet resource: the VNet declares no inline subnets, so updates to it keep this one.
        const subnet = new network.Subnet(
            `${name}-nodes`,
            {
                resourceGroupName: group.name,
                virtualNetworkName: vnet.name,
                subnetName: "nodes",
                addressPrefix: AKS_NODE_SUBNET_CIDR,
            },
            cloud,
        );

        // Static outbound IP: nodes egress from it, so peers can allow-list the cluster.
        const outboundIp = new network.PublicIPAddress(
            `${name}-egress`,
            {
                ...inGroup,
                publicIpAddressName: `${name}-outbound`,
                sku: { name: network.PublicIPAddressSkuName.Standard },
                publicIPAllocationMethod: network.IPAllocationMethod.Static,
                publicIPAddressVersion: network.IPVersion.IPv4,
            },
            ipOpts,
        );

        const cluster = new containerservice.ManagedCluster(
            name,
            {
                ...inGroup,
                resourceName: name,
                dnsPrefix: pulumi.interpolate`${name}-${suffix}`,
                kubernetesVersion: args.kubernetesVersion,
                enableRBAC: true,
                identity: {
                    type: containerservice.ResourceIdentityType.UserAssigned,
                    userAssignedIdentities: [identity.id],
                },
                // Created with the cluster; Azure does not update an inline pool afterwards.
                agentPoolProfiles: [
                    {
                        name: "system",
                        mode: containerservice.AgentPoolMode.System,
                        count: args.nodeCount,
                        vmSize: args.nodeSize,
                        osType: containerservice.OSType.Linux,
                        vnetSubnetID: subnet.id,
                    },
                ],
                networkProfile: {
                    networkPlugin: containerservice.NetworkPlugin.Azure,
                    loadBalancerSku: containerservice.LoadBalancerSku.Standard,
                    outboundType: containerservice.OutboundType.LoadBalancer,
                    loadBalancerProfile: { outboundIPs: { publicIPs: [{ id: outboundIp.id }] } },
                },
            },
            // Without the role the cluster cannot use the subnet or the outbound IP. Azure may take
            // minutes to propagate a new assignment: a first `pulumi up` can fail here; rerun it.
            { ...cloud, dependsOn: [networkContributor] },
        );
        this.nodesReady = [cluster];

        for (const principalId of args.adminPrincipalIds) {
            const assignmentName = new random.RandomUuid(
                `${name}-admin-${principalId}`,
                { keepers: { scope: cluster.id } },
                { parent: this },
            ).result;
            new authorization.RoleAssignment(
                `${name}-admin-${principalId}`,
                {
                    roleAssignmentName: assignmentName,
                    roleDefinitionId: pulumi.interpolate`/subscriptions/${client.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${AKS_CLUSTER_ADMIN_ROLE}`,
                    // No principalType: these may be users, groups or service principals.
                    principalId,
                    scope: cluster.id,
                },
                cloud,
            );
        }

        const credentials = containerservice.listManagedClusterAdminCredentialsOutput(
            { resourceGroupName: group.name, resourceName: cluster.name },
            cloud,
        );
        const kubeconfig = credentials.kubeconfigs.apply((kubeconfigs) => {
            if (!kubeconfigs?.[0]?.value) {
                throw new pulumi.RunError(`AKS returned no admin kubeconfig for cluster ${name}`);
            }
            return Buffer.from(kubeconfigs[0].value, "base64").toString("utf8");
        });
        this.kubeconfig = pulumi.secret(kubeconfig);
        this.apiServerUrl = pulumi.interpolate`https://${cluster.fqdn}:443`;
        // The CA is public; it only comes out of the secret kubeconfig.
        this.certificateAuthorityData = pulumi.unsecret(kubeconfig.apply((k) => kubeconfigEndpoint(k).certificateAuthorityData));
        // `az aks rotate-certs` gives the cluster a new CA, hence a new admin kubeconfig; without an
        // identifier pulumi-kubernetes would take that for another cluster and replace every
        // object in it. resourceUID changes only when the cluster itself is recreated.
        this.provider = clusterProvider(name, this.kubeconfig, { parent: this }, { clusterIdentifier: cluster.resourceUID });
        this.egressIps = pulumi.all([staticIpAddress(outboundIp)]);
        this.resourceGroupName = group.name;

        this.addresses = {};
        for (const purpose of args.loadBalancerAddresses) {
            const ip = new network.PublicIPAddress(
                `${name}-address-${purpose}`,
                {
                    ...inGroup,
                    publicIpAddressName: pulumi.interpolate`${name}-${purpose}-${suffix}`,
                    sku: { name: network.PublicIPAddressSkuName.Standard },
                    publicIPAllocationMethod: network.IPAllocationMethod.Static,
                    publicIPAddressVersion: network.IPVersion.IPv4,
                },
                ipOpts,
            );
            // Azure refuses to delete a public IP that a load balancer frontend still references,
            // and the cloud controller lets go after the Service is gone: wait until it has.
            const released = releaseWait(
                `${name}-${purpose}-released`,
                {
                    what: pulumi.interpolate`public IP ${ip.name}`,
                    released: pulumi.interpolate`[ -z "$(az network public-ip list --resource-group ${group.name} --query "[?name=='${ip.name}'].ipConfiguration.id" --output tsv)" ]`,
                },
                { parent: this, dependsOn: [ip, networkContributor, cluster] },
            );
            this.addresses[purpose] = {
                ip: staticIpAddress(ip),
                // The IP lives in our resource group, not the node resource group: the cloud
                // controller must be told where, and needs Network Contributor there (hence the
                // dependency, which also keeps the role until the Service is gone on destroy).
                // No health-probe annotation: the gateway's ports carry no appProtocol, so Azure
                // probes them over TCP; an HTTP probe would hit the TLS ports and fail.
                annotations: pulumi.all([ip.name, group.name]).apply(([ipName, groupName]): Record<string, string> => ({
                    "service.beta.kubernetes.io/azure-pip-name": ipName,
                    "service.beta.kubernetes.io/azure-load-balancer-resource-group": groupName,
                })),
                dependencies: [ip, networkContributor, released],
            };
        }

        this.registerHandle({ resourceGroupName: this.resourceGroupName });
    }
}
