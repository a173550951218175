import { createHash } from "crypto";
import type { CallResult, ResourceOutputs } from "./types";
import { secretValue } from "./types";

/** Project the mocked gcp provider uses when a resource names none. */
export const GCP_PROJECT = "mock-project";
/** CA (base64 PEM) the mocked GKE control plane presents. */
export const GKE_CA_DATA = Buffer.from("-----BEGIN CERTIFICATE-----\nMIIgke\n-----END CERTIFICATE-----\n").toString("base64");

const COMPUTE = "https://www.googleapis.com/compute/v1";

function bytes(seed: string): Buffer {
    return createHash("sha256").update(seed).digest();
}

/** A public IPv4 stable per seed, in Google's 34.x / 35.x ranges. */
export function gcpPublicIp(first: 34 | 35, seed: string): string {
    const b = bytes(`ip:${seed}`);
    return `${first}.${b[0]}.${b[1]}.${1 + (b[2] % 254)}`;
}

/** The GCP name: the explicit `name` input, or the Pulumi name (autonaming is skipped). */
function gcpName(args: { name: string; inputs: Record<string, any> }): string {
    return args.inputs.name ?? args.name;
}

function project(args: { inputs: Record<string, any> }): string {
    return args.inputs.project ?? GCP_PROJECT;
}

/** Self link of a global (`region` undefined) or regional compute resource. */
function selfLink(args: { name: string; inputs: Record<string, any> }, collection: string, region?: string): string {
    const scope = region ? `regions/${region}` : "global";
    return `${COMPUTE}/projects/${project(args)}/${scope}/${collection}/${gcpName(args)}`;
}

const created = "2025-01-01T00:00:00.000-08:00";

/** Outputs the gcp provider computes, by resource type. */
export const gcpResources: Record<string, ResourceOutputs> = {
    "gcp:projects/service:Service": (args) => ({ project: project(args) }),
    "gcp:compute/network:Network": (args) => ({
        name: gcpName(args),
        project: project(args),
        selfLink: selfLink(args, "networks"),
        numericId: String(bytes(`num:${args.name}`).readUInt32BE(0)),
        gatewayIpv4: "",
        routingMode: args.inputs.routingMode ?? "REGIONAL",
        mtu: args.inputs.mtu ?? 1460,
    }),
    "gcp:compute/subnetwork:Subnetwork": (args) => {
        const [a, b, c] = String(args.inputs.ipCidrRange ?? "10.0.0.0/20")
            .split("/")[0]
            .split(".");
        return {
            name: gcpName(args),
            project: project(args),
            selfLink: selfLink(args, "subnetworks", args.inputs.region),
            gatewayAddress: `${a}.${b}.${c}.1`,
            creationTimestamp: created,
            subnetworkId: bytes(`num:${args.name}`).readUInt32BE(0),
            stackType: args.inputs.stackType ?? "IPV4_ONLY",
        };
    },
    "gcp:compute/router:Router": (args) => ({
        name: gcpName(args),
        project: project(args),
        selfLink: selfLink(args, "routers", args.inputs.region),
        creationTimestamp: created,
    }),
    "gcp:compute/routerNat:RouterNat": (args) => ({
        name: gcpName(args),
        project: project(args),
        minPortsPerVm: args.inputs.minPortsPerVm ?? 64,
        enableEndpointIndependentMapping: args.inputs.enableEndpointIndependentMapping ?? false,
    }),
    "gcp:compute/address:Address": (args) => ({
        name: gcpName(args),
        project: project(args),
        address: args.inputs.address ?? gcpPublicIp(34, `${project(args)}/${args.inputs.region}/${gcpName(args)}`),
        selfLink: selfLink(args, "addresses", args.inputs.region),
        creationTimestamp: created,
        users: [],
        labelFingerprint: "42WmSpB8rSM=",
        // The SDK marks these secret itself (additionalSecretOutputs).
        effectiveLabels: {},
        pulumiLabels: {},
    }),
    "gcp:compute/firewall:Firewall": (args) => ({
        name: gcpName(args),
        project: project(args),
        selfLink: selfLink(args, "firewalls"),
        creationTimestamp: created,
        priority: args.inputs.priority ?? 1000,
    }),
    "gcp:container/cluster:Cluster": (args) => ({
        name: gcpName(args),
        project: project(args),
        endpoint: gcpPublicIp(35, `endpoint:${project(args)}/${gcpName(args)}`),
        // client_key is sensitive in the provider: the bridge marks it, which makes masterAuth a
        // secret output as a whole.
        masterAuth: {
            clusterCaCertificate: GKE_CA_DATA,
            clientCertificate: "",
            clientKey: secretValue(""),
            clientCertificateConfig: { issueClientCertificate: false },
        },
        masterVersion: `${args.inputs.minMasterVersion ?? "1.33"}.5-gke.1162000`,
        selfLink: `https://container.googleapis.com/v1/projects/${project(args)}/locations/${args.inputs.location}/clusters/${gcpName(args)}`,
        labelFingerprint: "a9dc16a7",
        servicesIpv4Cidr: "10.3.0.0/20",
        tpuIpv4CidrBlock: "",
        operation: null,
    }),
    "gcp:container/nodePool:NodePool": (args) => {
        const name = args.inputs.name ?? `${args.inputs.namePrefix ?? ""}${bytes(`np:${args.name}`).toString("hex").slice(0, 26)}`;
        const mig = `${COMPUTE}/projects/${project(args)}/zones/${args.inputs.location}-b/instanceGroupManagers/gke-${name}-grp`;
        return {
            name,
            project: project(args),
            version: "1.33.5-gke.1162000",
            instanceGroupUrls: [mig],
            managedInstanceGroupUrls: [mig.replace("instanceGroupManagers", "instanceGroups")],
            operation: null,
        };
    },
    "gcp:projects/iAMMember:IAMMember": (args) => ({
        etag: `BwY${bytes(`etag:${args.name}`).toString("base64").slice(0, 9)}=`,
    }),
};

/** Results of gcp provider functions. */
export const gcpCalls: Record<string, CallResult> = {};
