/** GCP: regional GKE clusters, one gcp provider per project and region. */
import * as gcp from "@pulumi/gcp";
import { z } from "zod";
import { GkeCluster } from "../components/clusters/gke";
import type { NodeShape } from "../stacks/nodeSizes";
import { gcpRegions, regionListSource } from "../stacks/regions";
import { isLoadBalancer, isType } from "../tools/plan/durationRules";
import { gcpCalls, gcpResources } from "../tools/synthetic/outputs/gcp";
import { CloudModule, createdCluster, createdVersion, sharedDurations, sizing } from "./cloud";

/** SSD_TOTAL_GB per region on many new GCP projects (pd-balanced and pd-ssd count). */
export const gcpSsdQuotaGb = 250;
/** Boot disks of GKE nodes unless configured: pd-standard stays out of the SSD quota. */
export const gcpNodeDiskDefaults = { sizeGb: 50, type: "pd-standard" };

/** GCP zones a regional cluster's node pools usually span. */
const gcpZonesPerRegion = 3;

/** GCP project IDs: 6 to 30 lowercase letters, digits and hyphens, starting with a letter, not ending with a hyphen. */
export const gcpProjectId = /^[a-z][-a-z0-9]{4,28}[a-z0-9]$/;
const projectRule = "a GCP project ID: 6 to 30 lowercase letters, digits and '-', starting with a letter and not ending with '-'";

/** The name of the GKE IAM binding of an admin member (components/clusters/gke.ts). */
function gkeAdminName(member: string): string {
    return member.replace(/[^A-Za-z0-9.@-]/g, "-");
}

const email = /^[^@\s:]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/;

/** Why a GCP IAM member cannot be granted, if it cannot. */
function gcpMemberProblem(member: string): string | undefined {
    const [kind, ...rest] = member.split(":");
    const id = rest.join(":");
    switch (kind) {
        case "user":
        case "group":
            return email.test(id) ? undefined : `${kind}: takes an email address (${kind}:alice@example.com)`;
        case "serviceAccount":
            return email.test(id) && /\.gserviceaccount\.com$/.test(id)
                ? undefined
                : "serviceAccount: takes a service account's email (serviceAccount:ci@my-project.iam.gserviceaccount.com)";
        case "domain":
            return /^([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,}$/.test(id) ? undefined : "domain: takes a DNS domain (domain:example.com)";
        case "principal":
        case "principalSet":
            return id.startsWith("//iam.googleapis.com/")
                ? undefined
                : `${kind}: takes a workload or workforce identifier (${kind}://iam.googleapis.com/...)`;
        default:
            return "use user:, group:, serviceAccount:, domain:, principal:// or principalSet://";
    }
}

const gcpRatio: Record<string, number> = { standard: 4, highmem: 8, highcpu: 1 };
// Families whose ratios differ from those: highcpu is 2 GB per vCPU from C3/N4 on, C4 standard 3.75.
const gcpFamilyRatio: Record<string, Record<string, number>> = {
    c3: { highcpu: 2 },
    c3d: { highcpu: 2 },
    n4: { highcpu: 2 },
    c4: { highcpu: 2, standard: 3.75, highmem: 7.75 },
};
const gcpShared: Record<string, NodeShape> = {
    "e2-micro": { vcpus: 2, memoryGiB: 1 },
    "e2-small": { vcpus: 2, memoryGiB: 2 },
    "e2-medium": { vcpus: 2, memoryGiB: 4 },
};

/** The shape of a GCE machine type, for the families whose names encode it. */
function nodeShape(size: string): NodeShape | undefined {
    if (gcpShared[size]) return gcpShared[size];
    const m = /^(e2|n2|n2d|n4|c3|c3d|c4|t2d)-(standard|highmem|highcpu)-(\d+)$/.exec(size);
    if (!m) return undefined;
    const vcpus = Number(m[3]);
    return { vcpus, memoryGiB: vcpus * (gcpFamilyRatio[m[1]]?.[m[2]] ?? gcpRatio[m[2]]) };
}

const variant = z.strictObject({
    ...createdCluster("gcp", "e2-standard-2"),
    project: z.string().min(1).optional(),
    deletionProtection: z.boolean().default(true),
    diskSizeGb: z.number().int().min(10).max(65536).optional(),
    diskType: z.enum(["pd-standard", "pd-balanced", "pd-ssd"]).optional(),
});

export const gcpCloud: CloudModule<typeof variant> = {
    name: "gcp",
    title: "GCP GKE",
    variant,
    keyDocs: {
        project: {
            doc: "GCP project ID (6 to 30 lowercase letters, digits and `-`, starting with a letter)",
            defaultText: "`gcp:project`",
        },
        deletionProtection: { doc: "GKE deletion protection (dev sets `false`)" },
        diskSizeGb: {
            doc: "GB of each node's boot disk; on a deployed pool only when set (a change recreates the pool's nodes)",
            defaultText: "`50`",
        },
        diskType: {
            doc: "`pd-standard` (outside the SSD quota), `pd-balanced` or `pd-ssd`; on a deployed pool only when set",
            defaultText: "`pd-standard`",
        },
    },
    defaultNodeSize: "e2-standard-2",
    resolve: (c, _input, context) => ({
        ...createdVersion(c),
        project: c.project ?? context.gcpProject,
        nodeDisk: {
            sizeGb: c.diskSizeGb ?? gcpNodeDiskDefaults.sizeGb,
            type: c.diskType ?? gcpNodeDiskDefaults.type,
            explicit: c.diskSizeGb !== undefined || c.diskType !== undefined,
        },
    }),
    // Read from components/clusters/gke.ts.
    derivedNames: [
        { what: "the GKE cluster name", name: (n) => `${n}-xxxxxx`, max: 40 },
        { what: "the static address of its ingress gateway", name: (n) => `${n}-ingress-xxxxxx`, max: 63 },
    ],
    nameLimitNote: "cloud names add a 7-character suffix",
    regions: {
        pattern: /^[a-z]+-[a-z]+\d+$/,
        example: "us-central1",
        called: "a GCP region",
        known: gcpRegions,
        source: regionListSource.gcp,
        unknown: "warning",
        misnamed: (region, at) =>
            /^[a-z]+-[a-z]+\d+-[a-z]$/.test(region)
                ? `${at}: ${JSON.stringify(region)} is a GCP zone, not a region (use ${JSON.stringify(region.replace(/-[a-z]$/, ""))}: clusters are regional)`
                : undefined,
    },
    inCloud: true,
    nodeShape,
    clusterFactory(config) {
        // One provider per project and region, shared by the clusters there.
        const providers = new Map<string, gcp.Provider>();
        const providerFor = (project: string, region: string) => {
            const key = `${project}-${region}`;
            if (!providers.has(key)) providers.set(key, new gcp.Provider(`gcp-${key}`, { project, region }));
            return providers.get(key)!;
        };
        return (c, common) =>
            new GkeCluster(c.name, {
                role: common.role,
                network: common.network,
                ...sizing(c),
                provider: providerFor(c.project!, c.region!),
                project: c.project!,
                region: c.region!,
                deletionProtection: c.deletionProtection,
                nodeDisk: c.nodeDisk!,
                adminMembers: config.adminPrincipals.gcp,
                loadBalancerAddresses: common.loadBalancerAddresses,
            });
    },
    rules: {
        cluster(c, at, { raw }) {
            if (c.project === undefined) return { problems: [`${at}.project: is required for cloud "gcp" when gcp:project is not set`] };
            if (gcpProjectId.test(c.project)) return {};
            return {
                problems: [
                    raw.project === undefined
                        ? `gcp:project: ${JSON.stringify(c.project)} (the project of ${at}) is not ${projectRule}`
                        : `${at}.project: ${JSON.stringify(c.project)} is not ${projectRule}`,
                ],
            };
        },
        // SSD quota per GCP project and region: a regional cluster's disks in every zone, and at
        // creation its temporary default pool (one node per zone).
        quotas(own) {
            const ssdByRegion = new Map<string, { gb: number; names: string[] }>();
            for (const { c } of own.filter(({ c }) => c.nodeDisk && c.nodeDisk.type !== "pd-standard")) {
                const key = `${c.project} ${c.region}`;
                const entry = ssdByRegion.get(key) ?? { gb: 0, names: [] };
                entry.gb += gcpZonesPerRegion * (c.nodeCount + 1) * c.nodeDisk!.sizeGb;
                entry.names.push(c.name);
                ssdByRegion.set(key, entry);
            }
            const warnings: string[] = [];
            for (const [key, { gb, names }] of ssdByRegion) {
                const [project, region] = key.split(" ");
                if (gb > gcpSsdQuotaGb) {
                    warnings.push(
                        `SSD quota: the GKE clusters in ${project}/${region} (${names.join(", ")}) need up to ${gb} GB of SSD-backed node disks (${gcpZonesPerRegion} zones, the temporary default pool included), ` +
                            `over the ${gcpSsdQuotaGb} GB SSD_TOTAL_GB of many new projects; other disks in the region count too. Request a quota increase or set diskType: pd-standard / a smaller diskSizeGb.`,
                    );
                }
            }
            return { warnings };
        },
    },
    adminPrincipals: {
        schema: z.string().regex(/^(user|serviceAccount|group|domain|principal|principalSet):\S+$/),
        called: "IAM members",
        expected: "IAM members such as serviceAccount:ci@my-project.iam.gserviceaccount.com",
        problem: (member) => {
            const problem = gcpMemberProblem(member);
            return problem && `is not a valid IAM member: ${problem}`;
        },
        resourceName: gkeAdminName,
        what: "GKE IAM binding",
    },
    plan: { eastWestAddressKind: "regional static address", allocatesAddresses: true },
    durations: [
        {
            what: "GKE regional cluster",
            matches: isType("gcp:container/cluster:Cluster"),
            seconds: 600,
            range: "8-12 min",
            source: "https://github.com/GoogleCloudPlatform/cluster-toolkit/pull/4215 (regional cluster: 8 min 49 s and 10 min 30 s)",
        },
        {
            what: "GKE node pool",
            matches: isType("gcp:container/nodePool:NodePool"),
            seconds: 240,
            range: "3-5 min",
            source: "estimate",
        },
        {
            what: "GCP Cloud NAT",
            matches: isType("gcp:compute/routerNat:RouterNat"),
            seconds: 30,
            range: "20-60 s",
            source: "estimate",
        },
        { ...sharedDurations.cloudLoadBalancer, matches: isLoadBalancer(["gcp"]) },
        {
            what: "GCP API enablement",
            matches: isType("gcp:projects/service:Service"),
            seconds: 45,
            range: "30-90 s",
            source: "estimate",
        },
        {
            what: "GCP network, subnetwork, router, address, firewall rule, IAM member",
            matches: (r) => r.type.startsWith("gcp:"),
            seconds: 20,
            range: "10-40 s",
            source: "estimate",
        },
    ],
    synthetic: { resources: gcpResources, calls: gcpCalls },
};
