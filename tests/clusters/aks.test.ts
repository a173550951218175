import { Provider as AzureProvider } from "@pulumi/azure-native/provider";
import {
    AKS_CLUSTER_ADMIN_ROLE,
    AksCluster,
    AksClusterArgs,
    NETWORK_CONTRIBUTOR_ROLE,
    validateAksClusterArgs,
} from "../../components/clusters/aks";
import { isSecret, Recorder, Registration, resolve, reveal, settle, startMockEngine } from "../harness";
import { aksFqdn, AKS_CA_DATA, aksResourceUid, AZURE_SUBSCRIPTION_ID, azureGuid, azurePublicIp } from "../../tools/synthetic/outputs/azure";
import { meshes, runMesh } from "../stacks/fixtures";

const GROUP = "azure-native:resources:ResourceGroup";
const IDENTITY = "azure-native:managedidentity:UserAssignedIdentity";
const ROLE = "azure-native:authorization:RoleAssignment";
const VNET = "azure-native:network:VirtualNetwork";
const SUBNET = "azure-native:network:Subnet";
const PIP = "azure-native:network:PublicIPAddress";
const AKS = "azure-native:containerservice:ManagedCluster";
const UUID = "random:index/randomUuid:RandomUuid";
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const admins = ["11111111-2222-3333-4444-555555555555", "66666666-7777-8888-9999-000000000000"];

/** Args of a typical cluster; `provider` is filled in by `build`. */
function argsFor(overrides: Partial<AksClusterArgs> = {}): Omit<AksClusterArgs, "provider"> {
    return {
        role: "primary",
        network: "network-gamma",
        location: "westeurope",
        kubernetesVersion: "1.33",
        nodeCount: 3,
        nodeSize: "Standard_D4s_v5",
        adminPrincipalIds: admins,
        loadBalancerAddresses: ["eastwest"],
        ...overrides,
    };
}

interface Built {
    rec: Recorder;
    cluster: AksCluster;
    /** The random suffix of globally unique names. */
    suffix: string;
    group: Registration;
    aks: Registration;
}

async function build(overrides: Partial<AksClusterArgs> = {}): Promise<Built> {
    const rec = startMockEngine({});
    const provider = new AzureProvider("azure-westeurope", { location: "westeurope" });
    const cluster = new AksCluster("gamma", { ...argsFor(overrides), provider });
    await settle();
    const group = rec.one(GROUP, "gamma-group");
    const match = /^gamma-([a-z0-9]{6})$/.exec(group.inputs.resourceGroupName);
    expect(match).not.toBeNull();
    return { rec, cluster, suffix: match![1], group, aks: rec.one(AKS, "gamma") };
}

const idOf = (r: Registration) => `${r.name}-id`;
const roleDefinition = (guid: string) =>
    `/subscriptions/${AZURE_SUBSCRIPTION_ID}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;

describe("AksCluster placement and network", () => {
    it("puts the cluster, its network and its IPs in one uniquely named resource group in the given location", async () => {
        const { rec, group, aks } = await build();
        expect(group.inputs.location).toBe("westeurope");
        for (const type of [IDENTITY, VNET, SUBNET, PIP, AKS]) {
            for (const r of rec.ofType(type)) {
                expect({ name: r.name, group: r.inputs.resourceGroupName }).toEqual({
                    name: r.name,
                    group: group.inputs.resourceGroupName,
                });
                if (type !== SUBNET) {
                    expect({ name: r.name, location: r.inputs.location }).toEqual({ name: r.name, location: "westeurope" });
                }
            }
        }
        expect(aks.inputs.dnsPrefix).toBe(group.inputs.resourceGroupName);
    });

    it("joins the nodes to a 10.1.0.0/20 subnet of a 10.1.0.0/16 VNet, clear of AKS's service CIDR", async () => {
        const { rec, aks } = await build();
        const vnet = rec.one(VNET, "gamma-vnet");
        expect(vnet.inputs.addressSpace).toEqual({ addressPrefixes: ["10.1.0.0/16"] });
        const subnet = rec.one(SUBNET, "gamma-nodes");
        expect(subnet.inputs.addressPrefix).toBe("10.1.0.0/20");
        expect(subnet.inputs.virtualNetworkName).toBe("gamma-vnet");
        expect(aks.inputs.agentPoolProfiles[0].vnetSubnetID).toBe(idOf(subnet));
        expect(aks.inputs.networkProfile).toMatchObject({
            networkPlugin: "azure",
            loadBalancerSku: "standard",
            outboundType: "loadBalancer",
        });
        // The SDK fills in AKS's default service CIDR, which the VNet must not overlap.
        expect(aks.inputs.networkProfile.serviceCidr).toBe("10.0.0.0/16");
    });

    it("sends the nodes' egress through one static Standard IPv4 and reports it in egressIps", async () => {
        const { rec, cluster, aks } = await build();
        const outbound = rec.one(PIP, "gamma-egress");
        expect(outbound.inputs).toMatchObject({
            sku: { name: "Standard" },
            publicIPAllocationMethod: "Static",
            publicIPAddressVersion: "IPv4",
        });
        expect(aks.inputs.networkProfile.loadBalancerProfile).toMatchObject({
            outboundIPs: { publicIPs: [{ id: idOf(outbound) }] },
        });
        expect(aks.inputs.networkProfile.loadBalancerProfile.managedOutboundIPs).toBeUndefined();
        expect((await resolve(cluster.egressIps)).value).toEqual([azurePublicIp(outbound.inputs.publicIpAddressName)]);
    });
});

describe("AksCluster nodes and version", () => {
    it("creates one Linux system pool of nodeCount nodeSize VMs, on the requested version, with RBAC", async () => {
        const { aks, cluster } = await build({ nodeCount: 4, nodeSize: "Standard_D8s_v5", kubernetesVersion: "1.34" });
        expect(aks.inputs.kubernetesVersion).toBe("1.34");
        expect(aks.inputs.enableRBAC).toBe(true);
        expect(aks.inputs.agentPoolProfiles).toHaveLength(1);
        expect(aks.inputs.agentPoolProfiles[0]).toMatchObject({
            name: "system",
            mode: "System",
            count: 4,
            vmSize: "Standard_D8s_v5",
            osType: "Linux",
        });
        // The inline pool is created with the cluster: the cluster is what nodes wait on.
        expect(cluster.nodesReady.map((r) => (r as any).__name)).toEqual(["gamma"]);
    });

    it("refuses bad args before creating anything, naming the property", () => {
        const ok = { ...argsFor(), provider: undefined as any };
        expect(() => validateAksClusterArgs("gamma", { ...ok, nodeCount: 0 })).toThrow(/nodeCount/);
        expect(() => validateAksClusterArgs("gamma", { ...ok, loadBalancerAddresses: ["eastwest", "eastwest"] })).toThrow(
            /"eastwest" twice/,
        );
        expect(() => validateAksClusterArgs("gamma", { ...ok, loadBalancerAddresses: ["East West"] })).toThrow(
            /loadBalancerAddresses entry "East West"/,
        );
        expect(() => validateAksClusterArgs("gamma_1", ok)).toThrow(/AKS cluster name "gamma_1"/);
        expect(() => validateAksClusterArgs("gamma", ok)).not.toThrow();
    });
});

describe("AksCluster identity and access", () => {
    it("runs the control plane as a user-assigned identity holding Network Contributor on the resource group, granted before the cluster", async () => {
        const { rec, group, aks } = await build();
        const identity = rec.one(IDENTITY, "gamma-cluster-identity");
        expect(aks.inputs.identity).toEqual({ type: "UserAssigned", userAssignedIdentities: [idOf(identity)] });
        const grant = rec.one(ROLE, "gamma-network-contributor");
        expect(grant.inputs).toMatchObject({
            roleDefinitionId: roleDefinition(NETWORK_CONTRIBUTOR_ROLE),
            principalId: azureGuid("principal:gamma-cluster-identity"),
            principalType: "ServicePrincipal",
            scope: idOf(group),
        });
        expect(grant.inputs.roleAssignmentName).toMatch(GUID);
        expect(rec.one(UUID, "gamma-network-contributor").inputs.keepers).toEqual({
            principalId: azureGuid("principal:gamma-cluster-identity"),
        });
        expect(rec.dependsOn(aks, grant)).toBe(true);
    });

    it("grants each admin principal the AKS Cluster Admin role on the cluster itself", async () => {
        const { rec, aks } = await build();
        const grants = rec.ofType(ROLE).filter((r) => r.inputs.roleDefinitionId === roleDefinition(AKS_CLUSTER_ADMIN_ROLE));
        expect(grants.map((r) => r.inputs.principalId).sort()).toEqual([...admins].sort());
        for (const grant of grants) {
            expect(grant.inputs.scope).toBe(idOf(aks));
            expect(grant.inputs.roleAssignmentName).toMatch(GUID);
        }
        expect(new Set(grants.map((r) => r.inputs.roleAssignmentName)).size).toBe(admins.length);
        // Assignment names are unique tenant-wide: a replaced cluster's grants need new ones.
        for (const principalId of admins) {
            expect(rec.one(UUID, `gamma-admin-${principalId}`).inputs.keepers).toEqual({ scope: idOf(aks) });
        }
    });

    it("grants nothing more when no admins are given", async () => {
        const { rec } = await build({ adminPrincipalIds: [] });
        expect(rec.ofType(ROLE).map((r) => r.name)).toEqual(["gamma-network-contributor"]);
    });
});

describe("AksCluster static load-balancer addresses", () => {
    it("binds each address by IP name and resource group, with no HTTP health probe", async () => {
        const { rec, cluster, suffix, group } = await build({ loadBalancerAddresses: ["eastwest", "ingress"] });
        expect(Object.keys(cluster.addresses).sort()).toEqual(["eastwest", "ingress"]);
        for (const purpose of ["eastwest", "ingress"]) {
            const pip = rec.one(PIP, `gamma-address-${purpose}`);
            expect(pip.inputs).toMatchObject({
                publicIpAddressName: `gamma-${purpose}-${suffix}`,
                sku: { name: "Standard" },
                publicIPAllocationMethod: "Static",
                publicIPAddressVersion: "IPv4",
            });
            const address = cluster.addresses[purpose];
            // Exactly these two: a health-probe annotation would probe the TLS ports over HTTP.
            expect((await resolve(address.annotations)).value).toEqual({
                "service.beta.kubernetes.io/azure-pip-name": `gamma-${purpose}-${suffix}`,
                "service.beta.kubernetes.io/azure-load-balancer-resource-group": group.inputs.resourceGroupName,
            });
            expect((await resolve(address.ip)).value).toBe(azurePublicIp(`gamma-${purpose}-${suffix}`));
            expect(address.loadBalancerIP).toBeUndefined();
            // The Service must go before the IP and before the role that lets AKS attach it.
            expect(address.dependencies.map((r) => (r as any).__name).sort()).toEqual(
                [`gamma-address-${purpose}`, "gamma-network-contributor", `gamma-${purpose}-released`].sort(),
            );
        }
    });

    it("gives every public IP 20 minutes to be released by the load balancer on delete", async () => {
        const { rec } = await build();
        const pips = rec.ofType(PIP);
        expect(pips).toHaveLength(2);
        for (const pip of pips) {
            expect({ name: pip.name, delete: pip.customTimeouts?.delete }).toEqual({ name: pip.name, delete: "20m" });
        }
    });
});

describe("AksCluster handle", () => {
    it("manages every Azure resource through the given provider, under the component", async () => {
        const { rec } = await build();
        const component = rec.one("istio-multicloud:clusters:AksCluster", "gamma");
        const azure = rec.all.filter((r) => r.type.startsWith("azure-native:"));
        expect(azure.length).toBeGreaterThanOrEqual(9);
        for (const r of azure) {
            expect({ name: r.name, provider: rec.providerOf(r)?.name }).toEqual({ name: r.name, provider: "azure-westeurope" });
            expect({ name: r.name, parent: r.parent }).toEqual({ name: r.name, parent: component.urn });
        }
    });

    it("hands the mesh a Kubernetes provider named after the cluster, fed the admin kubeconfig as a secret", async () => {
        const { rec, cluster } = await build();
        expect(cluster.name).toBe("gamma");
        expect(cluster.cloud).toBe("azure");
        expect(cluster.role).toBe("primary");
        expect(cluster.network).toBe("network-gamma");
        const provider = rec.one("pulumi:providers:kubernetes", "gamma");
        expect(isSecret(provider.inputs.kubeconfig)).toBe(true);
        expect(reveal<string>(provider.inputs.kubeconfig)).toContain("user: clusterAdmin_gamma");
        const kubeconfig = await resolve(cluster.kubeconfig);
        expect(kubeconfig.secret).toBe(true);
        expect(kubeconfig.value).toContain(`certificate-authority-data: ${AKS_CA_DATA}`);
    });

    it("identifies the cluster to its Kubernetes provider by resourceUID, so a rotated CA updates the provider instead of replacing every object", async () => {
        const { rec } = await build();
        const provider = rec.one("pulumi:providers:kubernetes", "gamma");
        // pulumi-kubernetes replaces a provider with a clusterIdentifier only when the identifier
        // changes; without one, a new CA in the kubeconfig (az aks rotate-certs) replaces it.
        expect(provider.inputs.clusterIdentifier).toBe(aksResourceUid("gamma"));
        expect(isSecret(provider.inputs.clusterIdentifier)).toBe(false);
        expect(reveal<string>(provider.inputs.kubeconfig)).not.toContain(provider.inputs.clusterIdentifier);
        // Added next to the unchanged kubeconfig: an update for providers deployed before.
        expect(Object.keys(provider.inputs).sort()).toEqual(["clusterIdentifier", "kubeconfig"]);
        expect(isSecret(provider.inputs.kubeconfig)).toBe(true);
        // Other clouds keep the kubeconfig heuristic (nothing changes for them).
        const { rec: mesh } = await runMesh(meshes["five-cluster"]);
        expect(mesh.one("pulumi:providers:kubernetes", "aks-east").inputs.clusterIdentifier).toBe(aksResourceUid("aks-east"));
        for (const other of ["eks-west", "gke-central", "eks-east"]) {
            expect(mesh.one("pulumi:providers:kubernetes", other).inputs.clusterIdentifier).toBeUndefined();
        }
    });

    it("reports the API server at its FQDN and the CA from the kubeconfig, neither secret", async () => {
        const { cluster, group } = await build();
        const url = await resolve(cluster.apiServerUrl);
        expect(url).toEqual({ value: `https://${aksFqdn(group.inputs.resourceGroupName, "westeurope")}:443`, secret: false });
        expect(await resolve(cluster.certificateAuthorityData)).toEqual({ value: AKS_CA_DATA, secret: false });
    });
});
