import * as aws from "@pulumi/aws";
import * as eks from "@pulumi/eks";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { clusterProvider, MeshClusterResource, MeshRole, StaticAddress } from "./cluster";
import { releaseWait } from "./releaseWait";

/** Everything one EKS cluster of the mesh needs; plain values, read from config by the caller. */
export interface EksClusterArgs {
    /** The cluster's role in the mesh; carried on the handle. */
    role: MeshRole;
    /** Istio network (`topology.istio.io/network`); carried on the handle. */
    network: string;
    /** AWS provider for the cluster's region, created by the caller. Every AWS resource here uses it. */
    provider: aws.Provider;
    /** AWS region the provider is configured for, e.g. `us-west-2`. */
    region: string;
    /** Kubernetes version of the control plane, e.g. `1.35`. */
    kubernetesVersion: string;
    /** Number of worker nodes; the node group may grow by one during upgrades. */
    nodeCount: number;
    /** EC2 instance type of the worker nodes, e.g. `m5.large`. */
    nodeSize: string;
    /** Number of availability zones to spread over (one public and one private subnet each), 2 to 4: EKS needs two. */
    zones: number;
    /** `true`: one NAT gateway for all zones (cheaper, for dev); `false`: one NAT gateway per zone. */
    singleNatGateway: boolean;
    /**
     * IAM principal ARNs that get cluster-admin through EKS access entries. Must not contain the
     * cluster's creator: EKS grants that one itself and a second entry for it conflicts. The list
     * must not depend on who runs the program: an entry no longer listed is deleted.
     */
    adminPrincipalArns: string[];
    /**
     * Purposes that need a static public address for a LoadBalancer Service, e.g. `["eastwest"]`.
     * Each takes one Elastic IP per zone (default quota: 5 per region, shared with NAT gateways).
     */
    loadBalancerAddresses: string[];
}

/** The AWS-managed access policy that makes a principal cluster-admin. */
export const clusterAdminPolicyArn = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy";

/** Managed policies every EKS worker node needs: join the cluster, run the VPC CNI, pull from ECR. */
const nodePolicyArns: Record<string, string> = {
    worker: "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
    cni: "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
    ecr: "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
};

/** EKS needs subnets in at least two availability zones. */
const minZones = 2;
/** Most zones the VPC layout below has room for. */
const maxZones = 4;

/** Throws, naming the property, the bad value and what is allowed, before any resource is created. */
export function validateEksClusterArgs(name: string, args: EksClusterArgs): void {
    const where = `EksCluster "${name}"`;
    if (!Number.isInteger(args.zones) || args.zones < minZones || args.zones > maxZones) {
        throw new Error(
            `${where}: zones: ${args.zones} is not allowed (an integer from ${minZones} to ${maxZones}: EKS needs subnets in at least ${minZones} availability zones)`,
        );
    }
    if (!Number.isInteger(args.nodeCount) || args.nodeCount < 1) {
        throw new Error(`${where}: nodeCount: ${args.nodeCount} is not allowed (an integer of at least 1)`);
    }
    const seen = new Set<string>();
    for (const purpose of args.loadBalancerAddresses) {
        if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(purpose)) {
            throw new Error(`${where}: loadBalancerAddresses: "${purpose}" is not a lowercase DNS label`);
        }
        if (seen.has(purpose)) {
            throw new Error(`${where}: loadBalancerAddresses: "${purpose}" is listed twice`);
        }
        seen.add(purpose);
    }
    // The same rules as the config model (stacks/configRules.ts), for callers of this component.
    for (const arn of args.adminPrincipalArns) {
        if (!/^arn:aws[-a-z]*:(iam|sts)::\d{12}:/.test(arn)) {
            throw new Error(`${where}: adminPrincipalArns: "${arn}" is not an IAM principal ARN`);
        }
        if (!/^arn:aws[-a-z]*:iam::\d{12}:(role|user)\/\S+$/.test(arn)) {
            throw new Error(
                `${where}: adminPrincipalArns: "${arn}" is not an IAM role or user ARN (EKS access entries refuse STS sessions and other principals)`,
            );
        }
    }
    // Access entries are keyed by accessEntryKey: two ARNs of one key would silently become one.
    const keys = args.adminPrincipalArns.map(accessEntryKey);
    if (new Set(keys).size !== keys.length) {
        throw new Error(`${where}: adminPrincipalArns: two ARNs give one access entry (${args.adminPrincipalArns.join(", ")})`);
    }
}

/**
 * Key of a principal's access entry (part of its resource name), stable for as long as the
 * principal is listed: `arn:aws:iam::123456789012:role/admins` -> `123456789012-role-admins`.
 */
export function accessEntryKey(principalArn: string): string {
    const [, , , , account, resource] = principalArn.split(":");
    return `${account}-${resource}`.replace(/[^A-Za-z0-9-]+/g, "-").toLowerCase();
}

/**
 * CIDRs of zone `index` in the 10.0.0.0/16 VPC: a /19 private subnet (pods take their IPs from it
 * through the VPC CNI) and a /22 public subnet (NAT gateways and load balancers only).
 */
export function subnetCidrs(index: number): { private: string; public: string } {
    return { private: `10.0.${index * 32}.0/19`, public: `10.0.${128 + index * 4}.0/22` };
}

/**
 * Service annotations that make the in-tree AWS controller build an internet-facing NLB on the
 * given Elastic IPs. The controller requires one allocation per subnet, matched by position, so
 * the subnets are named explicitly in the same order. Cross-zone load balancing lets the IP of
 * any zone reach gateway pods in every zone.
 */
export function nlbAnnotations(allocationIds: string[], subnetIds: string[]): Record<string, string> {
    if (allocationIds.length !== subnetIds.length || allocationIds.length === 0) {
        throw new Error(
            `an NLB needs exactly one Elastic IP per subnet: got ${allocationIds.length} allocations ` + `for ${subnetIds.length} subnets`,
        );
    }
    return {
        "service.beta.kubernetes.io/aws-load-balancer-type": "nlb",
        "service.beta.kubernetes.io/aws-load-balancer-eip-allocations": allocationIds.join(","),
        "service.beta.kubernetes.io/aws-load-balancer-subnets": subnetIds.join(","),
        "service.beta.kubernetes.io/aws-load-balancer-cross-zone-load-balancing-enabled": "true",
    };
}

/**
 * An EKS cluster in its own VPC (public and private subnet per zone, NAT egress), with a managed
 * node group and static addresses for its load balancers, handed to the mesh as a `MeshCluster`.
 */
export class EksCluster extends MeshClusterResource {
    public readonly cloud = "aws" as const;
    /** AWS region the cluster runs in. */
    public readonly region: string;
    /** Name of the EKS cluster in AWS: the component name plus a random suffix. */
    public readonly eksName: pulumi.Output<string>;

    constructor(name: string, args: EksClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        validateEksClusterArgs(name, args);
        super("istio-multicloud:clusters:EksCluster", name, args, opts);
        this.region = args.region;
        const child: pulumi.CustomResourceOptions = { parent: this, provider: args.provider };

        // EKS cluster names must be unique in the account and region, beyond this stack: the
        // suffix is random once, then stable in state.
        const suffix = new random.RandomString(
            `${name}-suffix`,
            { length: 6, lower: true, numeric: true, upper: false, special: false },
            { parent: this },
        );
        const eksName = pulumi.interpolate`${name}-${suffix.result}`;
        this.eksName = eksName;
        const tags = (label: string) => eksName.apply((n) => ({ Name: `${n}-${label}` }));
        const subnetTags = (label: string, roleTag: string) =>
            eksName.apply((n) => ({ Name: `${n}-${label}`, [roleTag]: "1", [`kubernetes.io/cluster/${n}`]: "shared" }));

        // Network: a VPC of our own, so the cluster owns every subnet its load balancers use.
        const vpc = new aws.ec2.Vpc(
            `${name}-vpc`,
            { cidrBlock: "10.0.0.0/16", enableDnsHostnames: true, enableDnsSupport: true, tags: tags("vpc") },
            child,
        );
        const igw = new aws.ec2.InternetGateway(`${name}-igw`, { vpcId: vpc.id, tags: tags("igw") }, child);
        const azs = aws.getAvailabilityZonesOutput({ state: "available" }, { provider: args.provider, parent: this });
        const zoneNames = azs.names.apply((names) => {
            if (names.length < args.zones) {
                throw new Error(
                    `EksCluster "${name}": zones: ${args.zones} is more than the ${names.length} available ` +
                        `availability zones of ${args.region} (${names.join(", ")})`,
                );
            }
            return names.slice(0, args.zones);
        });

        const publicRouteTable = new aws.ec2.RouteTable(`${name}-public`, { vpcId: vpc.id, tags: tags("public") }, child);
        // Everything nodes need to reach the internet (images, the EKS API) through NAT.
        const routing: pulumi.Resource[] = [];
        const publicRoute = new aws.ec2.Route(
            `${name}-public-default`,
            { routeTableId: publicRouteTable.id, destinationCidrBlock: "0.0.0.0/0", gatewayId: igw.id },
            child,
        );
        routing.push(publicRoute);
        const publicSubnets: aws.ec2.Subnet[] = [];
        const privateSubnets: aws.ec2.Subnet[] = [];
        for (let i = 0; i < args.zones; i++) {
            const zone = zoneNames[i];
            const cidrs = subnetCidrs(i);
            const publicSubnet = new aws.ec2.Subnet(
                `${name}-public-${i}`,
                {
                    vpcId: vpc.id,
                    availabilityZone: zone,
                    cidrBlock: cidrs.public,
                    mapPublicIpOnLaunch: true,
                    tags: subnetTags(`public-${i}`, "kubernetes.io/role/elb"),
                },
                child,
            );
            publicSubnets.push(publicSubnet);
            routing.push(
                new aws.ec2.RouteTableAssociation(
                    `${name}-public-${i}`,
                    { subnetId: publicSubnet.id, routeTableId: publicRouteTable.id },
                    child,
                ),
            );
            privateSubnets.push(
                new aws.ec2.Subnet(
                    `${name}-private-${i}`,
                    {
                        vpcId: vpc.id,
                        availabilityZone: zone,
                        cidrBlock: cidrs.private,
                        tags: subnetTags(`private-${i}`, "kubernetes.io/role/internal-elb"),
                    },
                    child,
                ),
            );
        }

        // Elastic IPs depend on the internet gateway, so they are released before it is detached
        // (detaching fails while the VPC has mapped public addresses). The AWS provider releases
        // an EIP once, without retrying: a load balancer's EIPs get a release wait (below).
        const eipOptions: pulumi.CustomResourceOptions = {
            ...child,
            dependsOn: [igw],
            customTimeouts: { delete: "15m" },
        };
        const elasticIp = (logicalName: string, label: string) =>
            new aws.ec2.Eip(logicalName, { domain: "vpc", tags: tags(label) }, eipOptions);

        // Egress: nodes sit in private subnets and leave through NAT gateways in public ones.
        const natCount = args.singleNatGateway ? 1 : args.zones;
        const natEips: aws.ec2.Eip[] = [];
        const privateRouteTables: aws.ec2.RouteTable[] = [];
        for (let i = 0; i < natCount; i++) {
            const eip = elasticIp(`${name}-nat-${i}`, `nat-${i}`);
            natEips.push(eip);
            const nat = new aws.ec2.NatGateway(
                `${name}-nat-${i}`,
                { allocationId: eip.allocationId, subnetId: publicSubnets[i].id, tags: tags(`nat-${i}`) },
                { ...child, dependsOn: [igw] },
            );
            const routeTable = new aws.ec2.RouteTable(`${name}-private-${i}`, { vpcId: vpc.id, tags: tags(`private-${i}`) }, child);
            privateRouteTables.push(routeTable);
            routing.push(
                new aws.ec2.Route(
                    `${name}-private-${i}-default`,
                    { routeTableId: routeTable.id, destinationCidrBlock: "0.0.0.0/0", natGatewayId: nat.id },
                    child,
                ),
            );
        }
        privateSubnets.forEach((subnet, i) =>
            routing.push(
                new aws.ec2.RouteTableAssociation(
                    `${name}-private-${i}`,
                    // Zone i's own NAT gateway, or the single one.
                    { subnetId: subnet.id, routeTableId: privateRouteTables[Math.min(i, natCount - 1)].id },
                    child,
                ),
            ),
        );

        // Keyed by principal, not position: removing one admin must not re-create the others.
        const accessEntries: Record<string, eks.types.input.AccessEntryArgs> = {};
        for (const arn of args.adminPrincipalArns) {
            accessEntries[accessEntryKey(arn)] = {
                principalArn: arn,
                accessPolicies: { admin: { policyArn: clusterAdminPolicyArn, accessScope: { type: "cluster" } } },
            };
        }
        // `eks` components run in the eks provider plugin; they reach AWS through this provider.
        const eksOptions: pulumi.ComponentResourceOptions = { parent: this, providers: { aws: args.provider } };
        const cluster = new eks.Cluster(
            name,
            {
                name: eksName,
                version: args.kubernetesVersion,
                vpcId: vpc.id,
                publicSubnetIds: publicSubnets.map((s) => s.id),
                privateSubnetIds: privateSubnets.map((s) => s.id),
                // Istiod in the other clouds reaches this API server over the internet.
                endpointPublicAccess: true,
                endpointPrivateAccess: true,
                authenticationMode: eks.AuthenticationMode.Api,
                accessEntries,
                skipDefaultNodeGroup: true,
                // Nodes then carry only the EKS cluster security group. The in-tree AWS load
                // balancer controller opens NLB ports on exactly one node security group tagged
                // kubernetes.io/cluster/<name> and fails when it finds several.
                skipDefaultSecurityGroups: true,
                createOidcProvider: false,
                // Without credential options @pulumi/eks writes the runner's AWS_PROFILE into the
                // kubeconfig, which the Kubernetes provider keeps in state: a later refresh or
                // destroy on another machine (CI) then fails on a profile it does not have. Empty
                // options keep the ambient credential chain and change only the user section, so
                // existing stacks' Kubernetes providers are updated, not replaced.
                providerCredentialOpts: {},
                clusterTags: eksName.apply((n) => ({ Name: n })),
            },
            eksOptions,
        );

        const nodeRole = new aws.iam.Role(
            `${name}-nodes`,
            {
                assumeRolePolicy: JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
                }),
                tags: tags("nodes"),
            },
            child,
        );
        const nodePolicies = Object.entries(nodePolicyArns).map(
            ([short, policyArn]) => new aws.iam.RolePolicyAttachment(`${name}-nodes-${short}`, { role: nodeRole.name, policyArn }, child),
        );
        // With API authentication, EKS itself creates the access entry of a managed node group's
        // role. Nodes need their policies to join, and NAT egress to pull images, before EKS
        // declares the node group failed.
        const nodeGroup = new eks.ManagedNodeGroup(
            `${name}-nodes`,
            {
                cluster,
                nodeRole,
                subnetIds: privateSubnets.map((s) => s.id),
                instanceTypes: [args.nodeSize],
                scalingConfig: { desiredSize: args.nodeCount, minSize: args.nodeCount, maxSize: args.nodeCount + 1 },
                tags: tags("nodes"),
            },
            { ...eksOptions, dependsOn: [...nodePolicies, ...routing] },
        );

        // Static addresses: one Elastic IP per public subnet, in subnet order (see nlbAnnotations).
        const addresses: Record<string, StaticAddress> = {};
        for (const purpose of args.loadBalancerAddresses) {
            const eips = publicSubnets.map((_, i) => elasticIp(`${name}-${purpose}-${i}`, `${purpose}-${i}`));
            // The in-tree controller returns once it asked AWS to delete the NLB, whose network
            // interfaces hold the EIPs for minutes more: wait until none is associated.
            const allocationIds = pulumi.all(eips.map((e) => e.allocationId)).apply((ids) => ids.join(","));
            const released = releaseWait(
                `${name}-${purpose}-released`,
                {
                    what: pulumi.interpolate`Elastic IPs ${allocationIds}`,
                    released: pulumi.interpolate`[ -z "$(aws ec2 describe-addresses --region ${args.region} --filters Name=allocation-id,Values=${allocationIds} --query 'Addresses[?AssociationId].AllocationId' --output text)" ]`,
                },
                { parent: this, dependsOn: [...eips, nodeGroup] },
            );
            addresses[purpose] = {
                ip: eips[0].publicIp,
                annotations: pulumi
                    .all([pulumi.all(eips.map((e) => e.allocationId)), pulumi.all(publicSubnets.map((s) => s.id))])
                    .apply(([allocationIds, subnetIds]) => nlbAnnotations(allocationIds, subnetIds)),
                dependencies: [...eips, released],
            };
        }

        this.provider = clusterProvider(name, cluster.kubeconfigJson, { parent: this });
        this.apiServerUrl = cluster.eksCluster.endpoint;
        this.certificateAuthorityData = cluster.eksCluster.certificateAuthority.data;
        this.kubeconfig = pulumi.secret(cluster.kubeconfigJson);
        this.egressIps = pulumi.all(natEips.map((e) => e.publicIp));
        this.nodesReady = [nodeGroup];
        this.addresses = addresses;
        this.registerHandle({ eksName: this.eksName });
    }
}
