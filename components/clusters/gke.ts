import * as gcp from "@pulumi/gcp";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { clusterProvider, MeshClusterResource, MeshRole } from "./cluster";
import { releaseWait } from "./releaseWait";

/** Primary range of the subnet: node IPs. */
export const GKE_NODE_CIDR = "10.2.0.0/20";
/** Secondary range for pod IPs (VPC-native cluster). */
export const GKE_POD_CIDR = "10.4.0.0/14";
/** Secondary range for Service cluster IPs. */
export const GKE_SERVICE_CIDR = "10.3.0.0/20";
/** Private range of the control plane's endpoint; nodes see its calls coming from here. */
export const GKE_MASTER_CIDR = "172.16.0.0/28";
const POD_RANGE = "pods";
const SERVICE_RANGE = "services";

/**
 * Start of the maintenance exclusion. A fixed past date keeps previews stable (a `new Date()`
 * would change on every run); with `UNTIL_END_OF_SUPPORT` GKE computes the end itself.
 */
export const NO_MINOR_UPGRADES_SINCE = "2025-01-01T00:00:00Z";

/** Everything one GKE cluster needs. */
export interface GkeClusterArgs {
    /** The cluster's role in the mesh. */
    role: MeshRole;
    /** Istio network of the cluster (`topology.istio.io/network`). */
    network: string;
    /** gcp provider (created by the caller) for the project the cluster lives in. */
    provider: gcp.Provider;
    /** Project ID the cluster, its network and its addresses live in. */
    project: string;
    /** Region of the (regional) cluster, e.g. `europe-west1`. */
    region: string;
    /**
     * Minimum control-plane version, e.g. `1.33`; the REGULAR channel must offer it. The channel
     * upgrades patches; minor upgrades are held back by a maintenance exclusion and happen when
     * this changes.
     */
    kubernetesVersion: string;
    /**
     * Nodes per zone: the cluster is regional and its node pool spans every zone the region
     * gives it (usually 3), so the cluster runs `3 × nodeCount` nodes.
     */
    nodeCount: number;
    /** Machine type of the nodes, e.g. `e2-standard-4`. */
    nodeSize: string;
    /**
     * Boot disk of every node. GKE's default, 100 GB pd-balanced, counts against the regional
     * SSD_TOTAL_GB quota (250 GB on many new projects) in each of the region's zones.
     */
    nodeDisk: {
        sizeGb: number;
        /** `pd-standard` (not SSD quota), `pd-balanced`, `pd-ssd`. */
        type: string;
        /**
         * False when these are the program's defaults: they then apply to pools created from now
         * on, and a deployed pool keeps its disks (changing them would recreate every node). True
         * when the user set them: a change rolls the pool's nodes as GKE decides.
         */
        explicit: boolean;
    };
    /** Refuse to delete the cluster (GKE's own flag; set it to false before destroying). */
    deletionProtection: boolean;
    /**
     * IAM members (e.g. `serviceAccount:ci@p.iam.gserviceaccount.com`) made admins of this
     * cluster: `user:` and `serviceAccount:` members get Kubernetes RBAC cluster-admin in this
     * cluster plus `roles/container.clusterViewer` (what GKE needs to let them authenticate) in
     * a binding of this cluster's own. Every member also keeps `roles/container.admin` on the
     * project, as stacks deployed before had it; it is never removed on destroy.
     */
    adminMembers: string[];
    /** Purposes of the static IPs to reserve for LoadBalancer Services, e.g. `["eastwest"]`. */
    loadBalancerAddresses: string[];
}

const GCP_NAME = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** Throws early, naming the property, when the args cannot make a valid GKE cluster. */
export function validateGkeClusterArgs(name: string, args: GkeClusterArgs): void {
    // The GKE cluster is named `${name}-${suffix}` and may have at most 40 characters.
    if (!GCP_NAME.test(name) || name.length > 33) {
        throw new Error(
            `GKE cluster name "${name}" must be 1 to 33 lowercase letters, digits or hyphens, starting with a letter and not ending with a hyphen`,
        );
    }
    if (!Number.isInteger(args.nodeCount) || args.nodeCount < 1) {
        throw new Error(`GKE cluster ${name}: nodeCount must be a positive integer, got ${args.nodeCount}`);
    }
    if (!Number.isInteger(args.nodeDisk.sizeGb) || args.nodeDisk.sizeGb < 10) {
        throw new Error(`GKE cluster ${name}: nodeDisk.sizeGb must be an integer of at least 10, got ${args.nodeDisk.sizeGb}`);
    }
    const seen = new Set<string>();
    for (const purpose of args.loadBalancerAddresses) {
        // Address names are `${name}-${purpose}-${suffix}`: GCP names of at most 63 characters.
        if (!GCP_NAME.test(purpose) || name.length + purpose.length + 8 > 63) {
            throw new Error(
                `GKE cluster ${name}: loadBalancerAddresses entry "${purpose}" must be lowercase letters, digits and hyphens, starting with a letter, and short enough for a 63-character address name`,
            );
        }
        if (seen.has(purpose)) {
            throw new Error(`GKE cluster ${name}: loadBalancerAddresses lists "${purpose}" twice`);
        }
        seen.add(purpose);
    }
}

/** A resource-name-safe form of an IAM member. */
const memberSlug = (member: string) => member.replace(/[^A-Za-z0-9.@-]/g, "-");

/**
 * The Kubernetes user GKE authenticates an IAM member as, for RBAC: the email of a `user:` or
 * `serviceAccount:` member. Groups need Google Groups for RBAC, other principals have no email:
 * undefined (they keep only the project role).
 */
export function gkeRbacUser(member: string): string | undefined {
    const match = /^(user|serviceAccount):(\S+)$/.exec(member);
    return match ? match[2] : undefined;
}

/**
 * The condition that gives a grant a binding of its own. IAM keys a binding by role and
 * condition, and the gcp provider deletes an IAMMember by removing the member from the binding
 * with its role and condition only: a condition titled after the (project-unique) GKE cluster
 * name keeps one stack's destroy from touching another stack's grant. The expression is always
 * true and uses a date attribute, which every Google Cloud service evaluates.
 */
export function clusterScopedCondition(gkeClusterName: pulumi.Input<string>) {
    return {
        title: pulumi.interpolate`istio-multicloud ${gkeClusterName}`,
        description: pulumi.interpolate`Access to GKE cluster ${gkeClusterName} (its RBAC grants the rest); removed with that cluster's stack`,
        expression: `request.time < timestamp("2999-12-31T00:00:00Z")`,
    };
}

/** A kubeconfig that authenticates through `gke-gcloud-auth-plugin`, as `gcloud` writes it. */
export function gkeKubeconfig(name: string, endpoint: string, caData: string): string {
    return JSON.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name, cluster: { server: `https://${endpoint}`, "certificate-authority-data": caData } }],
        contexts: [{ name, context: { cluster: name, user: name } }],
        "current-context": name,
        users: [
            {
                name,
                user: {
                    exec: {
                        apiVersion: "client.authentication.k8s.io/v1beta1",
                        command: "gke-gcloud-auth-plugin",
                        installHint:
                            "Install gke-gcloud-auth-plugin for use with kubectl by following https://cloud.google.com/kubernetes-engine/docs/how-to/cluster-access-for-kubectl#install_plugin",
                        provideClusterInfo: true,
                    },
                },
            },
        ],
    });
}

/** A regional GKE cluster with private nodes behind Cloud NAT and static load-balancer addresses. */
export class GkeCluster extends MeshClusterResource {
    public readonly cloud = "gcp" as const;

    constructor(name: string, args: GkeClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("istio-multicloud:clusters:GkeCluster", name, args, opts);
        validateGkeClusterArgs(name, args);
        const project = args.project;
        const region = args.region;

        // Stable suffix: GCP names are per project, and several stacks may share one.
        const suffix = new random.RandomString(
            `${name}-suffix`,
            { length: 6, upper: false, special: false, lower: true, numeric: true },
            { parent: this },
        ).result;
        const named = (part?: string) => pulumi.interpolate`${name}${part ? `-${part}` : ""}-${suffix}`;

        // APIs stay enabled on destroy: other clusters and stacks in the project may use them.
        const apis = ["container.googleapis.com", "compute.googleapis.com"].map(
            (service) =>
                new gcp.projects.Service(
                    `${name}-${service.split(".")[0]}-api`,
                    { project, service, disableOnDestroy: false, disableDependentServices: false },
                    { provider: args.provider, parent: this },
                ),
        );
        const cloud = { provider: args.provider, parent: this, dependsOn: apis };
        // GCP lags releasing an address from a deleted load balancer or NAT.
        const addressOpts = { ...cloud, customTimeouts: { delete: "20m" } };

        const vpc = new gcp.compute.Network(`${name}-vpc`, { project, name: named(), autoCreateSubnetworks: false }, cloud);
        const subnet = new gcp.compute.Subnetwork(
            `${name}-subnet`,
            {
                project,
                region,
                name: named(),
                network: vpc.id,
                ipCidrRange: GKE_NODE_CIDR,
                secondaryIpRanges: [
                    { rangeName: POD_RANGE, ipCidrRange: GKE_POD_CIDR },
                    { rangeName: SERVICE_RANGE, ipCidrRange: GKE_SERVICE_CIDR },
                ],
                // Private nodes reach Google APIs (Artifact Registry, logging) without NAT.
                privateIpGoogleAccess: true,
            },
            cloud,
        );

        // Private nodes have no public IPs: Cloud NAT from one static address, so peers can
        // allow-list the cluster's egress.
        const egress = new gcp.compute.Address(
            `${name}-egress`,
            { project, region, name: named("egress"), addressType: "EXTERNAL", networkTier: "PREMIUM" },
            addressOpts,
        );
        const router = new gcp.compute.Router(`${name}-router`, { project, region, name: named(), network: vpc.id }, cloud);
        const nat = new gcp.compute.RouterNat(
            `${name}-nat`,
            {
                project,
                region,
                name: named(),
                router: router.name,
                natIpAllocateOption: "MANUAL_ONLY",
                natIps: [egress.selfLink],
                sourceSubnetworkIpRangesToNat: "ALL_SUBNETWORKS_ALL_IP_RANGES",
            },
            cloud,
        );

        // With private nodes GKE opens only 443 and 10250 from the control plane. Istio's
        // sidecar-injection webhook listens on 15017: without this rule injection times out.
        const webhookFirewall = new gcp.compute.Firewall(
            `${name}-webhook`,
            {
                project,
                name: named("webhook"),
                network: vpc.id,
                direction: "INGRESS",
                sourceRanges: [GKE_MASTER_CIDR],
                allows: [{ protocol: "tcp", ports: ["15017"] }],
            },
            cloud,
        );

        const cluster = new gcp.container.Cluster(
            name,
            {
                project,
                name: named(),
                location: region,
                // The default pool cannot be managed separately; create the smallest and drop it.
                removeDefaultNodePool: true,
                initialNodeCount: 1,
                network: vpc.id,
                subnetwork: subnet.id,
                ipAllocationPolicy: {
                    clusterSecondaryRangeName: POD_RANGE,
                    servicesSecondaryRangeName: SERVICE_RANGE,
                },
                privateClusterConfig: {
                    enablePrivateNodes: true,
                    enablePrivateEndpoint: false,
                    masterIpv4CidrBlock: GKE_MASTER_CIDR,
                },
                minMasterVersion: args.kubernetesVersion,
                releaseChannel: { channel: "REGULAR" },
                maintenancePolicy: {
                    dailyMaintenanceWindow: { startTime: "03:00" },
                    // A release channel upgrades minors automatically; Istio supports a fixed range
                    // of Kubernetes minors, so minor upgrades wait for a deliberate version change.
                    maintenanceExclusions: [
                        {
                            exclusionName: "no-minor-upgrades",
                            startTime: NO_MINOR_UPGRADES_SINCE,
                            exclusionOptions: { scope: "NO_MINOR_UPGRADES", endTimeBehavior: "UNTIL_END_OF_SUPPORT" },
                        },
                    ],
                },
                deletionProtection: args.deletionProtection,
                workloadIdentityConfig: { workloadPool: `${project}.svc.id.goog` },
                // The temporary default pool (one node per zone) counts against disk quotas too.
                nodeConfig: { diskSizeGb: args.nodeDisk.sizeGb, diskType: args.nodeDisk.type },
            },
            // The cluster's nodeConfig only shapes that temporary pool, and changing it would
            // replace the cluster: it is read at creation only (existing clusters never had one).
            { ...cloud, ignoreChanges: ["nodeConfig"] },
        );

        const nodePool = new gcp.container.NodePool(
            `${name}-pool`,
            {
                project,
                // A prefix, not a name: changes GKE cannot make in place replace the pool, and the
                // new one must be created (under another name) before the old one goes.
                namePrefix: "nodes-",
                cluster: cluster.name,
                location: region,
                nodeCount: args.nodeCount,
                nodeConfig: {
                    machineType: args.nodeSize,
                    oauthScopes: ["https://www.googleapis.com/auth/cloud-platform"],
                    diskSizeGb: args.nodeDisk.sizeGb,
                    diskType: args.nodeDisk.type,
                },
                // Release channels require auto-upgrade (and auto-repair) on every node pool.
                management: { autoRepair: true, autoUpgrade: true },
            },
            // Nodes pull images through the NAT; whatever waits for the nodes also gets the
            // webhook firewall rule.
            {
                ...cloud,
                dependsOn: [...apis, nat, webhookFirewall],
                // Default disks apply to new pools only: a pool deployed with GKE's 100 GB
                // pd-balanced keeps it instead of recreating its nodes.
                ignoreChanges: args.nodeDisk.explicit ? [] : ["nodeConfig.diskSizeGb", "nodeConfig.diskType"],
            },
        );
        this.nodesReady = [nodePool];

        for (const member of args.adminMembers) {
            // Project-wide, as stacks deployed before have it. Non-authoritative, but deleting it
            // would remove the member from the role's one unconditional binding, which every stack
            // of the project (and whoever granted it by hand) shares: never deleted, only forgotten.
            new gcp.projects.IAMMember(
                `${name}-admin-${memberSlug(member)}`,
                { project, role: "roles/container.admin", member },
                { provider: args.provider, parent: this, retainOnDelete: true },
            );
        }

        // masterAuth is secret as a whole (it holds the client key); the CA in it is public.
        this.certificateAuthorityData = pulumi.unsecret(cluster.masterAuth.clusterCaCertificate);
        this.apiServerUrl = pulumi.interpolate`https://${cluster.endpoint}`;
        this.kubeconfig = pulumi.secret(
            pulumi.all([cluster.endpoint, this.certificateAuthorityData]).apply(([endpoint, ca]) => gkeKubeconfig(name, endpoint, ca)),
        );
        // Cluster-scoped admin access: RBAC in this cluster, and the project role GKE needs to let
        // the identity authenticate in a binding no other stack or cluster shares.
        const rbacAdmins = args.adminMembers.filter((m) => gkeRbacUser(m) !== undefined);
        const viewers = rbacAdmins.map(
            (member) =>
                new gcp.projects.IAMMember(
                    `${name}-viewer-${memberSlug(member)}`,
                    { project, role: "roles/container.clusterViewer", member, condition: clusterScopedCondition(cluster.name) },
                    { provider: args.provider, parent: this },
                ),
        );
        // Every object in the cluster goes before these grants on destroy: an admin that reaches
        // the cluster through them keeps its access until the last object is deleted.
        this.provider = clusterProvider(name, this.kubeconfig, { parent: this, dependsOn: viewers });
        this.egressIps = pulumi.all([egress.address]);
        if (rbacAdmins.length > 0) {
            new k8s.rbac.v1.ClusterRoleBinding(
                `${name}-admins`,
                {
                    metadata: { name: "istio-multicloud-admins" },
                    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" },
                    subjects: rbacAdmins.map((m) => ({ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: gkeRbacUser(m)! })),
                },
                { parent: this, provider: this.provider },
            );
        }

        this.addresses = {};
        for (const purpose of args.loadBalancerAddresses) {
            const address = new gcp.compute.Address(
                `${name}-address-${purpose}`,
                {
                    project,
                    region,
                    name: named(purpose),
                    addressType: "EXTERNAL",
                    ipVersion: "IPV4",
                    networkTier: "PREMIUM",
                },
                addressOpts,
            );
            // GKE's controller deletes the forwarding rule and its `k8s-fw-*` firewall rule (whose
            // description names the IP) after the Service is gone; a leftover rule blocks deleting
            // the network. Wait, while the cluster still runs, until the address is only reserved
            // and no firewall rule names it.
            const released = releaseWait(
                `${name}-${purpose}-released`,
                {
                    what: pulumi.interpolate`address ${address.name} (${address.address})`,
                    released: pulumi.interpolate`[ "$(gcloud compute addresses list --project ${project} --filter='name=${address.name} AND region:${region}' --format='value(status)')" != "IN_USE" ] && [ -z "$(gcloud compute firewall-rules list --project ${project} --filter='name~^k8s-fw- AND description~${address.address}' --format='value(name)')" ]`,
                },
                { parent: this, dependsOn: [address, nodePool] },
            );
            this.addresses[purpose] = {
                ip: address.address,
                loadBalancerIP: address.address,
                // GKE binds the address through spec.loadBalancerIP alone.
                annotations: pulumi.output<Record<string, string>>({}),
                dependencies: [address, released],
            };
        }

        this.registerHandle();
    }
}
