import { createHash } from "crypto";
import type { CallResult, ResourceOutputs } from "./types";
import { secretValue } from "./types";

/** Account the mocked credentials belong to. */
export const mockAccountId = "123456789012";

/** Hex digest of a name: stands in for the random parts of AWS identifiers, stable across runs. */
function hex(name: string, length: number): string {
    return createHash("sha256").update(name).digest("hex").slice(0, length);
}

/**
 * Region of each explicit aws provider, by provider name, remembered when the provider is
 * registered: a real resource or call lands in the region its provider is configured for.
 */
const providerRegions = new Map<string, string>();
const defaultRegion = "us-east-1";

/** Region of each VPC, by engine id: an EKS cluster lives in its VPC's region. */
const vpcRegions = new Map<string, string>();

/** Region a resource or call runs in, from its provider reference (`<urn>::<id>`). */
function regionOf(providerRef: string | undefined): string {
    const urn = providerRef ? providerRef.split("::").slice(0, -1).join("::") : "";
    const name = urn.split("::").pop() ?? "";
    return providerRegions.get(name) ?? defaultRegion;
}

/** A deterministic public IPv4 in 52.0.0.0/8, derived from the name. */
function publicIpv4(name: string): string {
    const h = createHash("sha256").update(name).digest();
    return `52.${h[0]}.${h[1]}.${1 + (h[2] % 254)}`;
}

/** Outputs the aws provider computes, by resource type. */
export const awsResources: Record<string, ResourceOutputs> = {
    "pulumi:providers:aws": (args) => {
        if (typeof args.inputs.region === "string") {
            providerRegions.set(args.name, args.inputs.region);
        }
        return {};
    },
    "aws:ec2/vpc:Vpc": (args) => {
        const region = regionOf(args.provider);
        vpcRegions.set(`${args.name}-id`, region);
        return {
            arn: `arn:aws:ec2:${region}:${mockAccountId}:vpc/vpc-${hex(args.name, 17)}`,
            ownerId: mockAccountId,
            mainRouteTableId: `rtb-${hex(`${args.name}/main`, 17)}`,
            defaultSecurityGroupId: `sg-${hex(`${args.name}/default`, 17)}`,
        };
    },
    "aws:ec2/subnet:Subnet": (args) => ({
        arn: `arn:aws:ec2:${regionOf(args.provider)}:${mockAccountId}:subnet/subnet-${hex(args.name, 17)}`,
        ownerId: mockAccountId,
    }),
    "aws:ec2/internetGateway:InternetGateway": (args) => ({
        arn: `arn:aws:ec2:${regionOf(args.provider)}:${mockAccountId}:internet-gateway/igw-${hex(args.name, 17)}`,
        ownerId: mockAccountId,
    }),
    "aws:ec2/routeTable:RouteTable": (args) => ({
        arn: `arn:aws:ec2:${regionOf(args.provider)}:${mockAccountId}:route-table/rtb-${hex(args.name, 17)}`,
        ownerId: mockAccountId,
    }),
    "aws:ec2/eip:Eip": (args) => ({
        allocationId: `eipalloc-${hex(args.name, 17)}`,
        publicIp: publicIpv4(args.name),
        publicDns: `ec2-${publicIpv4(args.name).replace(/\./g, "-")}.${regionOf(args.provider)}.compute.amazonaws.com`,
        arn: `arn:aws:ec2:${regionOf(args.provider)}:${mockAccountId}:elastic-ip/eipalloc-${hex(args.name, 17)}`,
    }),
    "aws:ec2/natGateway:NatGateway": (args) => ({
        networkInterfaceId: `eni-${hex(args.name, 17)}`,
        connectivityType: "public",
    }),
    "aws:iam/role:Role": (args) => {
        const roleName = args.inputs.name ?? `${args.name}-${hex(args.name, 7)}`;
        return {
            name: roleName,
            arn: `arn:aws:iam::${mockAccountId}:role/${roleName}`,
            uniqueId: `AROA${hex(args.name, 17).toUpperCase()}`,
        };
    },
    // eks components are remote: these are the outputs the eks provider plugin returns. They get
    // their aws provider in a per-package map the mocks do not see, so the region comes from the VPC.
    "eks:index:Cluster": (args) => {
        const region = vpcRegions.get(args.inputs.vpcId) ?? defaultRegion;
        const name = args.inputs.name ?? `${args.name}-eksCluster-${hex(args.name, 7)}`;
        const endpoint = `https://${hex(args.name, 32).toUpperCase()}.gr7.${region}.eks.amazonaws.com`;
        const caData = Buffer.from(`-----BEGIN CERTIFICATE-----\nMIIC${hex(`${args.name}/ca`, 40)}\n-----END CERTIFICATE-----\n`).toString(
            "base64",
        );
        // As @pulumi/eks does: without credential options the runner's AWS_PROFILE goes in (`--profile`).
        const credentialOpts =
            args.inputs.providerCredentialOpts ?? (process.env.AWS_PROFILE ? { profileName: process.env.AWS_PROFILE } : {});
        const profileArgs: string[] = credentialOpts.profileName ? ["--profile", credentialOpts.profileName] : [];
        const kubeconfig = {
            apiVersion: "v1",
            kind: "Config",
            clusters: [{ name: "kubernetes", cluster: { server: endpoint, "certificate-authority-data": caData } }],
            contexts: [{ name: "aws", context: { cluster: "kubernetes", user: "aws" } }],
            "current-context": "aws",
            users: [
                {
                    name: "aws",
                    user: {
                        exec: {
                            apiVersion: "client.authentication.k8s.io/v1beta1",
                            command: "aws",
                            args: ["--region", region, "eks", "get-token", "--cluster-name", name, "--output", "json", ...profileArgs],
                            env: [
                                {
                                    name: "KUBERNETES_EXEC_INFO",
                                    value: '{"apiVersion": "client.authentication.k8s.io/v1beta1"}',
                                },
                            ],
                        },
                    },
                },
            ],
        };
        return {
            kubeconfig: secretValue(kubeconfig),
            kubeconfigJson: secretValue(JSON.stringify(kubeconfig)),
            eksCluster: { name, endpoint, certificateAuthority: { data: caData } },
            clusterSecurityGroupId: `sg-${hex(`${args.name}/cluster`, 17)}`,
        };
    },
    "eks:index:ManagedNodeGroup": (args) => ({
        nodeGroup: {
            nodeGroupName: args.inputs.nodeGroupName ?? `${args.name}-${hex(args.name, 7)}`,
            status: "ACTIVE",
        },
    }),
};

/** `arn:aws:sts::ACCT:assumed-role/ROLE/SESSION` parts, or undefined for any other ARN. */
function assumedRole(arn: string): { partition: string; account: string; role: string; session: string } | undefined {
    const m = /^arn:(aws[-a-z]*):sts::(\d{12}):assumed-role\/([^/]+)\/(.+)$/.exec(arn);
    return m ? { partition: m[1], account: m[2], role: m[3], session: m[4] } : undefined;
}

/** The identity the mocked credentials resolve to: a role session, as in CI. */
const callerArn = `arn:aws:sts::${mockAccountId}:assumed-role/deployer/session-1`;

/** Results of aws provider functions. */
export const awsCalls: Record<string, CallResult> = {
    "aws:index/getAvailabilityZones:getAvailabilityZones": (args) => {
        const region = regionOf(args.provider);
        const names = ["a", "b", "c"].map((letter) => `${region}${letter}`);
        return {
            id: region,
            names,
            zoneIds: names.map((_, i) => `${region.replace(/-/g, "").slice(0, 4)}-az${i + 1}`),
            groupNames: names.map(() => region),
            region,
        };
    },
    "aws:index/getCallerIdentity:getCallerIdentity": () => ({
        id: mockAccountId,
        accountId: mockAccountId,
        arn: callerArn,
        userId: "AROA3EXAMPLEDEPLOYER:session-1",
    }),
    // As AWS does: a role session's issuer is the role itself; other principals are their own
    // issuer. (AWS also puts the role's path in issuerArn; the mocked roles have none.)
    "aws:iam/getSessionContext:getSessionContext": (args) => {
        const arn: string = args.inputs.arn;
        const session = assumedRole(arn);
        if (!session) {
            return { id: arn, arn, issuerArn: arn, issuerId: "", issuerName: "", sessionName: "" };
        }
        return {
            id: arn,
            arn,
            issuerArn: `arn:${session.partition}:iam::${session.account}:role/${session.role}`,
            issuerId: "AROA3EXAMPLEDEPLOYER",
            issuerName: session.role,
            sessionName: session.session,
        };
    },
};
