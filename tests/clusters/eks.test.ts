import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { accessEntryKey, EksCluster, EksClusterArgs, nlbAnnotations } from "../../components/clusters/eks";
import { isSecret, Recorder, Registration, resolve, reveal, settle, startMockEngine } from "../harness";
import { cloudMocks } from "../../tools/synthetic/outputs";

const adminPolicy = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy";

/** Args of a typical cluster; `provider` is filled in by `build`. */
function argsFor(overrides: Partial<EksClusterArgs> = {}): Omit<EksClusterArgs, "provider"> {
    return {
        role: "primary",
        network: "network-alpha",
        region: "us-west-2",
        kubernetesVersion: "1.35",
        nodeCount: 2,
        nodeSize: "m5.large",
        zones: 3,
        singleNatGateway: false,
        adminPrincipalArns: ["arn:aws:iam::123456789012:role/platform-admins", "arn:aws:iam::123456789012:user/alice"],
        loadBalancerAddresses: ["eastwest"],
        ...overrides,
    };
}

/**
 * Records the per-package provider map each registration carried: remote components (eks) get
 * their AWS provider that way, not through the single `provider` field the recorder keeps.
 */
function recordProviderMaps(): Map<string, Record<string, string>> {
    const maps = new Map<string, Record<string, string>>();
    const monitor: any = pulumi.runtime.getMonitor();
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: any, callback: (err: any, resp: any) => void) =>
        register(req, (err: any, resp: any) => {
            if (!err) {
                maps.set(resp.getUrn(), Object.fromEntries(req.getProvidersMap().toArray()));
            }
            callback(err, resp);
        });
    return maps;
}

interface Built {
    rec: Recorder;
    providerMaps: Map<string, Record<string, string>>;
    clusters: EksCluster[];
}

/** Runs a program of one EKS cluster per spec, each with its own AWS provider, and settles it. */
async function build(...specs: { name: string; args?: Partial<EksClusterArgs> }[]): Promise<Built> {
    const rec = startMockEngine({});
    const providerMaps = recordProviderMaps();
    const clusters = specs.map(({ name, args }) => {
        const a = argsFor(args);
        const provider = new aws.Provider(`aws-${a.region}`, { region: a.region as aws.Region });
        return new EksCluster(name, { ...a, provider });
    });
    await settle();
    return { rec, providerMaps, clusters };
}

let defaultProgram: Promise<Built> | undefined;

/**
 * The program most tests read: cluster "alpha" with the default args. Built once; it is only
 * read afterwards, so sharing it costs no isolation.
 */
function alpha(): Promise<Built> {
    defaultProgram ??= build({ name: "alpha" });
    return defaultProgram;
}

/** The registration whose engine id (`<name>-id` under the mocks) is `id`. */
function byId(rec: Recorder, type: string, id: string): Registration {
    const found = rec.ofType(type).filter((r) => `${r.name}-id` === id);
    expect(found).toHaveLength(1);
    return found[0];
}

const idOf = (r: Registration) => `${r.name}-id`;
const SUBNET = "aws:ec2/subnet:Subnet";
const EIP = "aws:ec2/eip:Eip";
const NAT = "aws:ec2/natGateway:NatGateway";
const ROUTE = "aws:ec2/route:Route";
const ASSOCIATION = "aws:ec2/routeTableAssociation:RouteTableAssociation";
const EKS = "eks:index:Cluster";
const NODE_GROUP = "eks:index:ManagedNodeGroup";

describe("EksCluster network", () => {
    it("puts one public and one private subnet in each available zone of the provider's region", async () => {
        const { rec, clusters } = await alpha();
        const eksName = (await resolve(clusters[0].eksName)).value;
        const publics = rec.ofType(SUBNET, /^alpha-public-/).sort((a, b) => a.name.localeCompare(b.name));
        const privates = rec.ofType(SUBNET, /^alpha-private-/).sort((a, b) => a.name.localeCompare(b.name));

        expect(publics.map((s) => s.inputs.availabilityZone)).toEqual(["us-west-2a", "us-west-2b", "us-west-2c"]);
        expect(privates.map((s) => s.inputs.availabilityZone)).toEqual(["us-west-2a", "us-west-2b", "us-west-2c"]);
        for (const s of publics) {
            expect(s.inputs.mapPublicIpOnLaunch).toBe(true);
            expect(s.inputs.tags).toMatchObject({
                "kubernetes.io/role/elb": "1",
                [`kubernetes.io/cluster/${eksName}`]: "shared",
            });
            expect(s.inputs.tags["kubernetes.io/role/internal-elb"]).toBeUndefined();
            expect(s.inputs.tags.Name).toBeTruthy();
        }
        for (const s of privates) {
            expect(s.inputs.mapPublicIpOnLaunch).toBeFalsy();
            expect(s.inputs.tags).toMatchObject({
                "kubernetes.io/role/internal-elb": "1",
                [`kubernetes.io/cluster/${eksName}`]: "shared",
            });
            expect(s.inputs.tags["kubernetes.io/role/elb"]).toBeUndefined();
        }
        const cidrs = [...publics, ...privates].map((s) => s.inputs.cidrBlock);
        expect(new Set(cidrs).size).toBe(6);
        const vpc = rec.one("aws:ec2/vpc:Vpc", "alpha-vpc");
        expect(vpc.inputs).toMatchObject({ enableDnsHostnames: true, enableDnsSupport: true });
        expect(vpc.inputs.cidrBlock).toMatch(/\/16$/);
        for (const s of [...publics, ...privates]) {
            expect(s.inputs.vpcId).toBe(idOf(vpc));
        }
    });

    it("follows the zone count", async () => {
        const { rec } = await build({ name: "alpha", args: { zones: 2 } });
        expect(
            rec
                .ofType(SUBNET, /^alpha-public-/)
                .map((s) => s.inputs.availabilityZone)
                .sort(),
        ).toEqual(["us-west-2a", "us-west-2b"]);
        expect(rec.ofType(SUBNET, /^alpha-private-/)).toHaveLength(2);
    });

    it("routes public subnets to the internet gateway", async () => {
        const { rec } = await alpha();
        const igw = rec.one("aws:ec2/internetGateway:InternetGateway", "alpha-igw");
        const publicRoutes = rec.ofType(ROUTE).filter((r) => r.inputs.gatewayId === idOf(igw));
        expect(publicRoutes).toHaveLength(1);
        expect(publicRoutes[0].inputs.destinationCidrBlock).toBe("0.0.0.0/0");
        for (const subnet of rec.ofType(SUBNET, /^alpha-public-/)) {
            const assoc = rec.ofType(ASSOCIATION).filter((a) => a.inputs.subnetId === idOf(subnet));
            expect(assoc.map((a) => a.inputs.routeTableId)).toEqual([publicRoutes[0].inputs.routeTableId]);
        }
    });

    it("egresses all private subnets through one NAT gateway when singleNatGateway is set", async () => {
        const { rec, clusters } = await build({ name: "alpha", args: { singleNatGateway: true } });
        const nats = rec.ofType(NAT);
        expect(nats).toHaveLength(1);
        const natEip = await eipWithAllocation(rec, nats[0].inputs.allocationId);
        for (const subnet of rec.ofType(SUBNET, /^alpha-private-/)) {
            const [assoc] = rec.ofType(ASSOCIATION).filter((a) => a.inputs.subnetId === idOf(subnet));
            const route = rec.ofType(ROUTE).find((r) => r.inputs.routeTableId === assoc.inputs.routeTableId);
            expect(route?.inputs).toMatchObject({ destinationCidrBlock: "0.0.0.0/0", natGatewayId: idOf(nats[0]) });
        }
        expect((await resolve(clusters[0].egressIps)).value).toEqual([await eipPublicIp(natEip)]);
    });

    it("gives each zone its own NAT gateway, in that zone's public subnet, when singleNatGateway is off", async () => {
        const { rec, clusters } = await build({ name: "alpha", args: { singleNatGateway: false } });
        const nats = rec.ofType(NAT);
        expect(nats).toHaveLength(3);
        const publicZones = nats.map((n) => byId(rec, SUBNET, n.inputs.subnetId).inputs.availabilityZone).sort();
        expect(publicZones).toEqual(["us-west-2a", "us-west-2b", "us-west-2c"]);
        for (const subnet of rec.ofType(SUBNET, /^alpha-private-/)) {
            const [assoc] = rec.ofType(ASSOCIATION).filter((a) => a.inputs.subnetId === idOf(subnet));
            const route = rec.ofType(ROUTE).find((r) => r.inputs.routeTableId === assoc.inputs.routeTableId)!;
            const nat = byId(rec, NAT, route.inputs.natGatewayId);
            expect(byId(rec, SUBNET, nat.inputs.subnetId).inputs.availabilityZone).toBe(subnet.inputs.availabilityZone);
        }
        const natEips = await Promise.all(nats.map((n) => eipWithAllocation(rec, n.inputs.allocationId)));
        for (const eip of natEips) {
            expect(eip.inputs.domain).toBe("vpc");
        }
        const egress = (await resolve(clusters[0].egressIps)).value;
        expect([...egress].sort()).toEqual((await Promise.all(natEips.map(eipPublicIp))).sort());
    });
});

/** The Elastic IP registration the aws mocks gave this allocation id, as AWS would resolve it. */
async function eipWithAllocation(rec: Recorder, allocationId: string): Promise<Registration> {
    const found: Registration[] = [];
    for (const eip of rec.ofType(EIP)) {
        const result = await cloudMocks.newResource({ type: EIP, name: eip.name, inputs: eip.inputs, custom: true });
        if (result.state.allocationId === allocationId) {
            found.push(eip);
        }
    }
    expect(found).toHaveLength(1);
    return found[0];
}

/** The public IP the aws mocks give an Elastic IP registration, as the real provider would report it. */
async function eipPublicIp(eip: Registration): Promise<string> {
    const result = await cloudMocks.newResource({ type: EIP, name: eip.name, inputs: eip.inputs, custom: true });
    return result.state.publicIp;
}

describe("EksCluster control plane", () => {
    it("names the EKS cluster after the component plus a stable random suffix", async () => {
        const { rec, clusters } = await alpha();
        const suffix = rec.one("random:index/randomString:RandomString", "alpha-suffix");
        expect(suffix.inputs).toMatchObject({ length: 6, upper: false, special: false });
        expect(suffix.inputs.lower).not.toBe(false);
        expect(suffix.inputs.numeric).not.toBe(false);
        expect(suffix.parent).toBe(rec.one("istio-multicloud:clusters:EksCluster", "alpha").urn);
        const eksName = (await resolve(clusters[0].eksName)).value;
        expect(eksName).toMatch(/^alpha-[a-z0-9]{6}$/);
        expect(rec.one(EKS, "alpha").inputs.name).toBe(eksName);
    });

    it("runs the requested version in the cluster's VPC, nodes private, load balancers public", async () => {
        const { rec } = await alpha();
        const cluster = rec.one(EKS, "alpha").inputs;
        const ids = (pattern: RegExp) =>
            rec
                .ofType(SUBNET, pattern)
                .sort((a, b) => a.name.localeCompare(b.name))
                .map(idOf);
        expect(cluster.version).toBe("1.35");
        expect(cluster.vpcId).toBe(idOf(rec.one("aws:ec2/vpc:Vpc", "alpha-vpc")));
        expect(cluster.publicSubnetIds).toEqual(ids(/^alpha-public-/));
        expect(cluster.privateSubnetIds).toEqual(ids(/^alpha-private-/));
        expect(cluster.subnetIds).toBeUndefined();
    });

    it("keeps the API server reachable from other clouds and authenticates by access entries only", async () => {
        const { rec } = await alpha();
        const cluster = rec.one(EKS, "alpha").inputs;
        expect(cluster.endpointPublicAccess).toBe(true);
        expect(cluster.endpointPrivateAccess).toBe(true);
        expect(cluster.publicAccessCidrs).toBeUndefined();
        expect(cluster.authenticationMode).toBe("API");
        expect(cluster.createOidcProvider).toBe(false);
    });

    it("leaves nodes on the single EKS security group and creates no default node group", async () => {
        const { rec } = await alpha();
        const cluster = rec.one(EKS, "alpha").inputs;
        expect(cluster.skipDefaultSecurityGroups).toBe(true);
        expect(cluster.skipDefaultNodeGroup).toBe(true);
    });

    it("makes exactly the given principals cluster-admin", async () => {
        const arns = ["arn:aws:iam::123456789012:role/platform-admins", "arn:aws:iam::123456789012:user/alice"];
        const { rec } = await build({ name: "alpha", args: { adminPrincipalArns: arns } });
        const entries = Object.values(reveal<Record<string, any>>(rec.one(EKS, "alpha").inputs.accessEntries));
        expect(entries.map((e) => e.principalArn).sort()).toEqual([...arns].sort());
        for (const entry of entries) {
            expect(Object.values(entry.accessPolicies)).toEqual([{ policyArn: adminPolicy, accessScope: { type: "cluster" } }]);
            expect(entry.type ?? "STANDARD").toBe("STANDARD");
        }
    });

    it("keys each access entry by its principal, so removing one admin leaves the others alone", async () => {
        const { rec } = await alpha();
        const entries = reveal<Record<string, any>>(rec.one(EKS, "alpha").inputs.accessEntries);
        expect(Object.keys(entries).sort()).toEqual(["123456789012-role-platform-admins", "123456789012-user-alice"]);
        for (const [key, entry] of Object.entries(entries)) {
            expect(key).toBe(accessEntryKey(entry.principalArn));
        }
    });

    it("adds no access entry when no extra admin is given", async () => {
        const { rec } = await build({ name: "alpha", args: { adminPrincipalArns: [] } });
        expect(Object.keys(rec.one(EKS, "alpha").inputs.accessEntries ?? {})).toEqual([]);
    });
});

describe("EksCluster nodes", () => {
    it("runs the node group in the private subnets at the requested size", async () => {
        const { rec } = await build({ name: "alpha", args: { nodeCount: 3, nodeSize: "m6i.xlarge" } });
        const group = rec.one(NODE_GROUP, "alpha-nodes");
        const privateIds = rec
            .ofType(SUBNET, /^alpha-private-/)
            .map(idOf)
            .sort();
        expect([...group.inputs.subnetIds].sort()).toEqual(privateIds);
        expect(group.inputs.instanceTypes).toEqual(["m6i.xlarge"]);
        expect(group.inputs.scalingConfig).toEqual({ desiredSize: 3, minSize: 3, maxSize: 4 });
    });

    it("gives nodes a role with the worker, CNI and ECR policies before the node group is created", async () => {
        const { rec } = await alpha();
        const role = rec.one("aws:iam/role:Role", "alpha-nodes");
        const trust = JSON.parse(role.inputs.assumeRolePolicy);
        expect(trust.Statement[0].Principal).toEqual({ Service: "ec2.amazonaws.com" });
        const attachments = rec.ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment");
        expect(attachments.map((a) => a.inputs.policyArn).sort()).toEqual([
            "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
            "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
            "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
        ]);
        const group = rec.one(NODE_GROUP, "alpha-nodes");
        expect(rec.dependsOn(group, role)).toBe(true);
        for (const attachment of attachments) {
            expect(rec.dependsOn(attachment, role)).toBe(true);
            expect(rec.dependsOn(group, attachment)).toBe(true);
        }
    });

    it("creates the node group only once private subnets can reach the internet through NAT", async () => {
        const { rec } = await alpha();
        const group = rec.one(NODE_GROUP, "alpha-nodes");
        for (const nat of rec.ofType(NAT)) {
            expect(rec.dependsOn(group, nat)).toBe(true);
        }
        for (const assoc of rec.ofType(ASSOCIATION)) {
            expect(rec.dependsOn(group, assoc)).toBe(true);
        }
    });

    it("reports the node group as what must exist before installing anything", async () => {
        const { rec, clusters } = await alpha();
        const urns = await Promise.all(clusters[0].nodesReady.map((r) => resolve(r.urn)));
        expect(urns.map((u) => u.value)).toEqual([rec.one(NODE_GROUP, "alpha-nodes").urn]);
    });
});

describe("EksCluster handle", () => {
    it("carries name, cloud, role and network", async () => {
        const { clusters } = await build({ name: "alpha", args: { role: "remote", network: "net-west" } });
        const c = clusters[0];
        expect([c.name, c.cloud, c.role, c.network]).toEqual(["alpha", "aws", "remote", "net-west"]);
    });

    it("hands over a Kubernetes provider named after the cluster, fed its kubeconfig as a secret", async () => {
        const { rec, clusters } = await alpha();
        const provider = rec.one("pulumi:providers:kubernetes", "alpha");
        expect(provider.parent).toBe(rec.one("istio-multicloud:clusters:EksCluster", "alpha").urn);
        expect(isSecret(provider.inputs.kubeconfig)).toBe(true);
        const kubeconfig = JSON.parse(reveal<string>(provider.inputs.kubeconfig));
        const eksName = (await resolve(clusters[0].eksName)).value;
        expect(kubeconfig.users[0].user.exec.args).toContain(eksName);
        expect(await resolve(clusters[0].provider.urn)).toMatchObject({ value: provider.urn });
    });

    it("keeps the runner's AWS_PROFILE out of the kubeconfig its Kubernetes provider stores", async () => {
        const before = process.env.AWS_PROFILE;
        process.env.AWS_PROFILE = "laptop-sso";
        try {
            const { rec } = await alpha();
            expect(rec.one("eks:index:Cluster", "alpha").inputs.providerCredentialOpts).toEqual({});
            const stored = reveal<string>(rec.one("pulumi:providers:kubernetes", "alpha").inputs.kubeconfig);
            expect(stored).not.toContain("laptop-sso");
            const kubeconfig = JSON.parse(stored);
            expect(kubeconfig.users[0].user.exec.args).not.toContain("--profile");
            // The cluster section is the one @pulumi/eks always wrote: the provider is updated, not replaced.
            expect(kubeconfig.clusters.map((c: any) => c.name)).toEqual(["kubernetes"]);
            expect(Object.keys(kubeconfig.clusters[0].cluster).sort()).toEqual(["certificate-authority-data", "server"]);
        } finally {
            if (before === undefined) delete process.env.AWS_PROFILE;
            else process.env.AWS_PROFILE = before;
        }
    });

    it("exposes the API server, its CA and a secret kubeconfig", async () => {
        const { clusters } = await alpha();
        const url = await resolve(clusters[0].apiServerUrl);
        expect(url.value).toMatch(/^https:\/\/[0-9A-F]+\.gr7\.us-west-2\.eks\.amazonaws\.com$/);
        const ca = (await resolve(clusters[0].certificateAuthorityData)).value;
        expect(Buffer.from(ca, "base64").toString()).toContain("BEGIN CERTIFICATE");
        const kubeconfig = await resolve(clusters[0].kubeconfig);
        expect(kubeconfig.secret).toBe(true);
        expect(JSON.parse(kubeconfig.value).clusters[0].cluster.server).toBe(url.value);
    });
});

describe("EksCluster static addresses", () => {
    it("reserves one Elastic IP per public subnet and names both, in the same order, for the NLB", async () => {
        const { rec, clusters } = await build({ name: "alpha", args: { zones: 3 } });
        const address = clusters[0].addresses.eastwest;
        expect(address).toBeDefined();
        const eips = rec.ofType(EIP, /^alpha-eastwest-/);
        expect(eips).toHaveLength(3);
        const annotations = (await resolve(address.annotations)).value;
        expect(annotations["service.beta.kubernetes.io/aws-load-balancer-type"]).toBe("nlb");
        expect(annotations["service.beta.kubernetes.io/aws-load-balancer-cross-zone-load-balancing-enabled"]).toBe("true");
        expect(annotations["service.beta.kubernetes.io/aws-load-balancer-internal"]).toBeUndefined();
        const allocations = annotations["service.beta.kubernetes.io/aws-load-balancer-eip-allocations"].split(",");
        const subnets = annotations["service.beta.kubernetes.io/aws-load-balancer-subnets"].split(",");
        expect(allocations).toHaveLength(3);
        expect(subnets).toHaveLength(3);

        // Allocation i is the Elastic IP made for public subnet i, and every zone is covered.
        const eipByAllocation = new Map<string, Registration>();
        for (const eip of (address.dependencies as aws.ec2.Eip[]).filter((d) => d instanceof aws.ec2.Eip)) {
            const [allocation, urn] = await Promise.all([resolve(eip.allocationId), resolve(eip.urn)]);
            eipByAllocation.set(allocation.value, rec.byUrn(urn.value)!);
        }
        const zones: string[] = [];
        for (let i = 0; i < 3; i++) {
            const subnet = byId(rec, SUBNET, subnets[i]);
            const eip = eipByAllocation.get(allocations[i]);
            expect(subnet.name).toMatch(/^alpha-public-\d$/);
            expect(eip?.name).toBe(`alpha-eastwest-${subnet.name.split("-").pop()}`);
            zones.push(subnet.inputs.availabilityZone);
        }
        expect(zones.sort()).toEqual(["us-west-2a", "us-west-2b", "us-west-2c"]);
    });

    it("takes the first Elastic IP's address and lists the Elastic IPs and their release wait as dependencies", async () => {
        const { rec, clusters } = await alpha();
        const address = clusters[0].addresses.eastwest;
        const eips = rec.ofType(EIP, /^alpha-eastwest-/);
        const depUrns = (await Promise.all(address.dependencies.map((d) => resolve(d.urn)))).map((u) => u.value);
        const wait = rec.one("command:local:Command", "alpha-eastwest-released");
        expect(depUrns.sort()).toEqual([...eips.map((e) => e.urn), wait.urn].sort());
        const first = rec.one(EIP, "alpha-eastwest-0");
        expect((await resolve(address.ip)).value).toBe(await eipPublicIp(first));
        const [firstEip] = address.dependencies as aws.ec2.Eip[];
        expect((await resolve(firstEip.urn)).value).toBe(first.urn);
        const annotations = (await resolve(address.annotations)).value;
        const allocations = annotations["service.beta.kubernetes.io/aws-load-balancer-eip-allocations"].split(",");
        expect(allocations[0]).toBe((await resolve(firstEip.allocationId)).value);
    });

    it("gives Elastic IPs time to outlive lingering interfaces, and releases them before the gateway", async () => {
        const { rec } = await alpha();
        const igw = rec.one("aws:ec2/internetGateway:InternetGateway", "alpha-igw");
        const eips = rec.ofType(EIP);
        expect(eips.length).toBe(3 + 3);
        for (const eip of eips) {
            expect(eip.inputs.domain).toBe("vpc");
            expect(eip.customTimeouts?.delete).toBe("15m");
            expect(rec.dependsOn(eip, igw)).toBe(true);
            expect(eip.inputs.tags?.Name).toBeTruthy();
        }
    });

    it("creates one address per requested purpose and none otherwise", async () => {
        const none = await build({ name: "alpha", args: { loadBalancerAddresses: [] } });
        expect(Object.keys(none.clusters[0].addresses)).toEqual([]);
        expect(none.rec.ofType(EIP)).toHaveLength(3); // NAT only
        const two = await build({ name: "alpha", args: { loadBalancerAddresses: ["eastwest", "ingress"], zones: 2 } });
        expect(Object.keys(two.clusters[0].addresses).sort()).toEqual(["eastwest", "ingress"]);
        expect(two.rec.ofType(EIP, /^alpha-ingress-/)).toHaveLength(2);
    });

    it("refuses an NLB whose Elastic IPs and subnets differ in number", () => {
        expect(() => nlbAnnotations(["eipalloc-1", "eipalloc-2"], ["subnet-1"])).toThrow(/one Elastic IP per subnet/);
        expect(nlbAnnotations(["eipalloc-1", "eipalloc-2"], ["subnet-1", "subnet-2"])).toMatchObject({
            "service.beta.kubernetes.io/aws-load-balancer-eip-allocations": "eipalloc-1,eipalloc-2",
            "service.beta.kubernetes.io/aws-load-balancer-subnets": "subnet-1,subnet-2",
        });
    });
});

describe("EksCluster providers", () => {
    it("creates every AWS resource, and both eks components, through the given provider", async () => {
        const { rec, providerMaps } = await alpha();
        const awsProvider = rec.one("pulumi:providers:aws", "aws-us-west-2");
        const awsResources = rec.all.filter((r) => r.custom && r.type.startsWith("aws:"));
        expect(awsResources.length).toBeGreaterThan(20);
        for (const r of awsResources) {
            expect(r.provider).not.toBe("");
            expect(rec.providerOf(r)?.urn).toBe(awsProvider.urn);
        }
        for (const r of [rec.one(EKS, "alpha"), rec.one(NODE_GROUP, "alpha-nodes")]) {
            const awsRef = providerMaps.get(r.urn)?.aws ?? "";
            expect(awsRef.split("::").slice(0, -1).join("::")).toBe(awsProvider.urn);
        }
    });

    it("parents everything to the component", async () => {
        const { rec } = await alpha();
        const component = rec.one("istio-multicloud:clusters:EksCluster", "alpha");
        const children = rec.all.filter((r) => r !== component && !r.type.startsWith("pulumi:providers:aws"));
        for (const r of children) {
            expect(rec.ancestors(r).map((a) => a.urn)).toContain(component.urn);
        }
    });

    it("lets two clusters in two regions coexist", async () => {
        const { rec, clusters } = await build(
            { name: "alpha", args: { region: "us-west-2" } },
            { name: "beta", args: { region: "eu-central-1", network: "network-beta" } },
        );
        const urns = rec.all.map((r) => r.urn);
        expect(new Set(urns).size).toBe(urns.length);
        const names = await Promise.all(clusters.map((c) => resolve(c.eksName)));
        expect(names[0].value).not.toBe(names[1].value);
        expect(
            rec
                .ofType(SUBNET, /^beta-public-/)
                .map((s) => s.inputs.availabilityZone)
                .sort(),
        ).toEqual(["eu-central-1a", "eu-central-1b", "eu-central-1c"]);
        const west = rec.one("pulumi:providers:aws", "aws-us-west-2");
        const central = rec.one("pulumi:providers:aws", "aws-eu-central-1");
        for (const r of rec.all.filter((x) => x.custom && x.type.startsWith("aws:"))) {
            const expected = r.name.startsWith("alpha-") ? west : central;
            expect(rec.providerOf(r)?.urn).toBe(expected.urn);
        }
        expect(
            rec
                .ofType("pulumi:providers:kubernetes")
                .map((p) => p.name)
                .sort(),
        ).toEqual(["alpha", "beta"]);
        const servers = await Promise.all(clusters.map((c) => resolve(c.apiServerUrl)));
        expect(servers[1].value).toContain(".eu-central-1.eks.amazonaws.com");
    });
});

describe("EksCluster validation", () => {
    it.each([
        [{ zones: 0 }, /zones: 0 is not allowed/],
        [{ zones: 1 }, /zones: 1 is not allowed \(an integer from 2 to 4: EKS needs subnets in at least 2 availability zones\)/],
        [{ zones: 5 }, /zones: 5 is not allowed/],
        [{ nodeCount: 0 }, /nodeCount: 0 is not allowed/],
        [{ loadBalancerAddresses: ["eastwest", "eastwest"] }, /"eastwest" is listed twice/],
        [{ adminPrincipalArns: ["alice"] }, /adminPrincipalArns: "alice" is not an IAM principal ARN/],
    ])("rejects %j before creating anything", async (override, message) => {
        const rec = startMockEngine({});
        const provider = new aws.Provider("aws", { region: "us-west-2" });
        expect(() => new EksCluster("alpha", { ...argsFor(override as Partial<EksClusterArgs>), provider })).toThrow(message);
        await settle();
        expect(rec.all.filter((r) => r.type !== "pulumi:providers:aws")).toEqual([]);
    });
});
