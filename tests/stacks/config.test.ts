import * as pulumi from "@pulumi/pulumi";
import { ConfigError, defaults, elasticIpsOf, loadMeshConfig, MeshConfig, parseMeshConfig } from "../../stacks/config";
import { nodeShape } from "../../stacks/nodeSizes";
import { startMockEngine } from "../harness";
import { existingKubeconfig as kubeconfig, stackFileConfig } from "./fixtures";
import { leafCertPem, leafKeyPem, otherKeyPem, rootCertPem, rootKeyPem } from "./pki";
import { kubeconfigEndpoint } from "../../components/clusters/cluster";
import { validateEksClusterArgs } from "../../components/clusters/eks";

type Raw = Record<string, any>;

/** A small valid mesh: an EKS primary, an AKS remote of it, a GKE primary. */
function base(): Raw {
    return {
        clusters: [
            { name: "alpha", cloud: "aws", region: "us-west-2" },
            { name: "beta", cloud: "azure", region: "eastus", role: "remote", primary: "alpha" },
            { name: "gamma", cloud: "gcp", region: "us-central1", project: "my-project" },
        ],
    };
}

/** `base()` with one cluster's keys changed; a key set to undefined is removed. */
function withCluster(index: number, patch: Raw, raw: Raw = base()): Raw {
    const merged = { ...raw.clusters[index], ...patch };
    for (const key of Object.keys(merged)) if (merged[key] === undefined) delete merged[key];
    raw.clusters[index] = merged;
    return raw;
}

/** `base()` with one more cluster appended. */
function plus(cluster: Raw, extra: Raw = {}): Raw {
    const raw = base();
    raw.clusters.push(cluster);
    return { ...raw, ...extra };
}

/** The problems a config is rejected with; fails the test when it is accepted. */
function problemsOf(raw: Raw, context: { gcpProject?: string; stack?: string } = {}): string[] {
    try {
        parseMeshConfig(raw, context);
    } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        return (err as ConfigError).problems;
    }
    throw new Error(`config was accepted: ${JSON.stringify(raw)}`);
}

/** Parses a config that must be accepted. */
function accepted(raw: Raw, context: { gcpProject?: string } = {}): { config: MeshConfig; warnings: string[] } {
    return parseMeshConfig(raw, context);
}

const clusterKeys =
    "name, cloud, region, network, role, primary, kubernetesVersion, nodeCount, nodeSize, zones, project, singleNatGateway, deletionProtection, eastWestAddress, " +
    "eastWestSourceRanges, ingress, ingressAddress, ingressSourceRanges, helloworldVersion, nodeImage, diskSizeGb, diskType, creatorArn";
const topKeys =
    "meshId, istioVersion, revisions, defaultRevision, chartRepository, imageHub, protectRootCa, demo, mtlsMode, trafficPolicy, ingressTls, clusters, peers, rootCaFrom, rootCa, kubeconfigs, adminPrincipals";
const dnsRule = "is not a DNS-1123 label (lowercase letters, digits and '-', starting with a letter, at most 63 characters)";

describe("the base config", () => {
    it("is valid and gives no warnings", () => {
        const { warnings } = accepted(base());
        expect(warnings).toEqual([]);
    });
});

describe("cluster names", () => {
    it("must be unique", () => {
        expect(problemsOf(withCluster(2, { name: "alpha" }))).toEqual([
            `clusters[2].name: "alpha" is already the name of clusters[0]; names must be unique`,
        ]);
    });

    it.each([
        ["uppercase", "Gamma"],
        ["underscore", "gke_central"],
        ["too long", "g".repeat(64)],
        ["leading digit", "1gamma"],
        ["trailing dash", "gamma-"],
        ["empty", ""],
    ])("must be DNS-1123 labels (%s)", (_, name) => {
        expect(problemsOf(withCluster(2, { name }))).toEqual([`clusters[2].name: ${JSON.stringify(name)} ${dnsRule}`]);
    });

    it("may be as long as the cloud's own names allow", () => {
        expect(accepted(withCluster(2, { name: "g".repeat(33) })).config.clusters[2].name).toBe("g".repeat(33));
        expect(accepted(withCluster(1, { name: "b".repeat(47) })).config.clusters[1].name).toBe("b".repeat(47));
    });

    it.each([
        [2, "gcp", 34, 33],
        [1, "azure", 48, 47],
    ])("rejects names too long for the cloud (clusters[%i], %s)", (index, cloud, length, max) => {
        const name = "n".repeat(length);
        expect(problemsOf(withCluster(index, { name }))).toEqual([
            `clusters[${index}].name: "${name}" has ${length} characters; a ${cloud} cluster name may have at most ${max} (cloud names add a 7-character suffix)`,
        ]);
    });
});

describe("cloud and region", () => {
    it("rejects an unknown cloud, listing the valid ones", () => {
        expect(problemsOf(withCluster(2, { cloud: "ibm", project: undefined }))).toEqual([
            `clusters[2].cloud: "ibm" is not valid (valid: aws, azure, gcp, existing, kind)`,
        ]);
    });

    it.each([
        [0, "aws", "an AWS region such as us-west-2"],
        [1, "azure", "an Azure location such as eastus"],
        [2, "gcp", "a GCP region such as us-central1"],
    ])("requires a region for clusters[%d] on %s", (index, cloud, what) => {
        expect(problemsOf(withCluster(index, { region: undefined }))).toEqual([
            `clusters[${index}].region: is required for cloud "${cloud}" (${what})`,
        ]);
    });

    it("requires no region for an existing cluster", () => {
        const { config } = accepted(plus({ name: "delta", cloud: "existing" }, { kubeconfigs: { delta: kubeconfig } }));
        expect(config.clusters[3]).toMatchObject({ name: "delta", cloud: "existing", role: "primary", kubeconfig });
        expect(config.clusters[3].region).toBeUndefined();
    });

    it("rejects an empty region", () => {
        expect(problemsOf(withCluster(0, { region: "" }))).toEqual([
            `clusters[0].region: is required for cloud "aws" (an AWS region such as us-west-2)`,
        ]);
    });
});

describe("roles", () => {
    it("requires a remote to name its primary", () => {
        expect(problemsOf(withCluster(1, { primary: undefined }))).toEqual([
            `clusters[1].primary: a remote needs the name of the primary that controls it (primaries: alpha, gamma)`,
        ]);
    });

    it("rejects a primary that is not a cluster of the stack", () => {
        expect(problemsOf(withCluster(1, { primary: "zeta" }))).toEqual([
            `clusters[1].primary: "zeta" is not a cluster in this stack or its peers (primaries: alpha, gamma)`,
        ]);
    });

    it("rejects a remote whose primary is a remote", () => {
        const raw = plus({ name: "delta", cloud: "azure", region: "westeurope", role: "remote", primary: "beta" });
        expect(problemsOf(raw)).toEqual([
            `clusters[3].primary: "beta" is itself a remote; a remote's primary must have role primary (primaries: alpha, gamma)`,
        ]);
    });

    it("rejects a remote that names itself", () => {
        expect(problemsOf(withCluster(1, { primary: "beta" }))).toEqual([
            `clusters[1].primary: "beta" is the cluster itself; a cluster cannot be its own primary (primaries: alpha, gamma)`,
        ]);
    });

    it("rejects a primary that names a primary", () => {
        expect(problemsOf(withCluster(2, { primary: "alpha" }))).toEqual([
            `clusters[2].primary: "alpha" is set but clusters[2] has role primary; only a remote names a primary (set role: remote or remove primary)`,
        ]);
        expect(problemsOf(withCluster(2, { role: "primary", primary: "alpha" }))).toEqual([
            `clusters[2].primary: "alpha" is set but clusters[2] has role primary; only a remote names a primary (set role: remote or remove primary)`,
        ]);
    });

    it("requires at least one primary", () => {
        const raw = {
            clusters: [
                { name: "beta", cloud: "azure", region: "eastus", role: "remote", primary: "delta" },
                { name: "delta", cloud: "azure", region: "westeurope", role: "remote", primary: "beta" },
            ],
        };
        expect(problemsOf(raw)).toEqual([
            `clusters[0].primary: "delta" is itself a remote; a remote's primary must have role primary (primaries: none)`,
            `clusters[1].primary: "beta" is itself a remote; a remote's primary must have role primary (primaries: none)`,
            `clusters: no cluster has role primary; a mesh needs at least one primary to run istiod`,
        ]);
    });

    it("rejects an unknown role, listing the valid ones", () => {
        // The role alone is reported: no follow-up complaint that a primary names a primary.
        expect(problemsOf(withCluster(1, { role: "Remote" }))).toEqual([
            `clusters[1].role: "Remote" is not valid (valid: primary, remote)`,
        ]);
    });
});

describe("existing clusters and kubeconfigs", () => {
    it("requires a kubeconfigs entry for an existing cluster", () => {
        expect(problemsOf(plus({ name: "delta", cloud: "existing" }))).toEqual([
            `kubeconfigs.delta: missing; cluster "delta" is "existing" and needs its kubeconfig (pulumi config set --secret --path 'kubeconfigs.delta' "$(cat kubeconfig)")`,
        ]);
    });

    it("rejects a kubeconfigs entry for a cluster that is not existing", () => {
        expect(problemsOf({ ...base(), kubeconfigs: { alpha: kubeconfig } })).toEqual([
            `kubeconfigs.alpha: no "existing" cluster of that name (existing clusters: none)`,
        ]);
        expect(problemsOf(plus({ name: "delta", cloud: "existing" }, { kubeconfigs: { delta: kubeconfig, zeta: kubeconfig } }))).toEqual([
            `kubeconfigs.zeta: no "existing" cluster of that name (existing clusters: delta)`,
        ]);
    });

    it("rejects an empty kubeconfig", () => {
        expect(problemsOf(plus({ name: "delta", cloud: "existing" }, { kubeconfigs: { delta: "" } }))).toEqual([
            `kubeconfigs.delta: must not be empty`,
        ]);
    });

    it("rejects an eastWestAddress that is not an IPv4 address", () => {
        for (const address of ["10.0.0.256", "10.0.0", "lb.example.com", "2001:db8::1"]) {
            const raw = plus({ name: "delta", cloud: "existing", eastWestAddress: address }, { kubeconfigs: { delta: kubeconfig } });
            expect(problemsOf(raw)).toEqual([`clusters[3].eastWestAddress: ${JSON.stringify(address)} is not an IPv4 address`]);
        }
        const ok = plus({ name: "delta", cloud: "existing", eastWestAddress: "10.0.0.255" }, { kubeconfigs: { delta: kubeconfig } });
        expect(accepted(ok).config.clusters[3].eastWestAddress).toBe("10.0.0.255");
    });

    it("requires an eastWestAddress for an existing primary that serves remotes", () => {
        const raw = withCluster(
            1,
            { primary: "delta" },
            plus({ name: "delta", cloud: "existing" }, { kubeconfigs: { delta: kubeconfig } }),
        );
        expect(problemsOf(raw)).toEqual([
            `clusters[3].eastWestAddress: required for existing primary "delta": its remotes use it as remotePilotAddress (an IPv4 your load balancer can take)`,
        ]);
        const withAddress = withCluster(3, { eastWestAddress: "203.0.113.10" }, raw);
        expect(accepted(withAddress).config.clusters[1].primary).toBe("delta");
    });
});

describe("networks", () => {
    it.each(["", "  "])("rejects an empty network name (%j)", (network) => {
        expect(problemsOf(withCluster(0, { network }))).toEqual([
            `clusters[0].network: must not be empty (omit it to give the cluster a network of its own)`,
        ]);
    });
});

describe("node sizes", () => {
    const tooSmall = (at: string, size: string, shape: string, suggestion: string) =>
        `${at}.nodeSize: "${size}" (${shape}) is too small for a primary: istiod alone requests 500m CPU and 2Gi (use at least 2 vCPU and 8 GiB, e.g. ${suggestion})`;

    it("rejects t3.medium for an EKS primary and accepts it for an EKS remote", () => {
        expect(problemsOf(withCluster(0, { nodeSize: "t3.medium" }))).toEqual([
            tooSmall("clusters[0]", "t3.medium", "2 vCPU, 4 GiB", "m5.large"),
        ]);
        const remote = plus({ name: "delta", cloud: "aws", region: "us-east-1", role: "remote", primary: "alpha", nodeSize: "t3.medium" });
        const { config, warnings } = accepted(remote);
        expect(config.clusters[3].nodeSize).toBe("t3.medium");
        expect(warnings).toEqual([
            `clusters[3]: an EKS cluster as a remote is a risk: upstream reports its API server's webhook calls to a public IP being refused, so sidecar injection may fail (prefer EKS as a primary)`,
        ]);
    });

    it("rejects Standard_B2s for an AKS primary and accepts it for an AKS remote", () => {
        expect(problemsOf(withCluster(1, { role: undefined, primary: undefined, nodeSize: "Standard_B2s" }))).toEqual([
            tooSmall("clusters[1]", "Standard_B2s", "2 vCPU, 4 GiB", "Standard_D2s_v5"),
        ]);
        expect(accepted(withCluster(1, { nodeSize: "Standard_B2s" })).config.clusters[1].nodeSize).toBe("Standard_B2s");
    });

    it("rejects e2-medium for a GKE primary and accepts it for a GKE remote", () => {
        expect(problemsOf(withCluster(2, { nodeSize: "e2-medium" }))).toEqual([
            tooSmall("clusters[2]", "e2-medium", "2 vCPU, 4 GiB", "e2-standard-2"),
        ]);
        const remote = withCluster(2, { role: "remote", primary: "alpha", nodeSize: "e2-medium" });
        expect(accepted(remote).config.clusters[2]).toMatchObject({ role: "remote", nodeSize: "e2-medium" });
    });

    it("warns about a size it cannot tell instead of rejecting it", () => {
        const { config, warnings } = accepted(withCluster(0, { nodeSize: "x9.huge" }));
        expect(config.clusters[0].nodeSize).toBe("x9.huge");
        expect(warnings).toEqual([
            `clusters[0].nodeSize: cannot tell the size of "x9.huge"; a primary needs at least 2 vCPU and 8 GiB per node`,
        ]);
    });

    it("rejects an empty node size", () => {
        expect(problemsOf(withCluster(0, { nodeSize: "" }))).toEqual([`clusters[0].nodeSize: must not be empty`]);
    });

    it.each([
        ["aws", "m5.large", { vcpus: 2, memoryGiB: 8 }],
        ["aws", "c5.large", { vcpus: 2, memoryGiB: 4 }],
        ["aws", "m6g.2xlarge", { vcpus: 8, memoryGiB: 32 }],
        ["aws", "t3.large", { vcpus: 2, memoryGiB: 8 }],
        ["azure", "Standard_D2s_v5", { vcpus: 2, memoryGiB: 8 }],
        ["azure", "Standard_E4as_v5", { vcpus: 4, memoryGiB: 32 }],
        ["azure", "Standard_F2s_v2", { vcpus: 2, memoryGiB: 4 }],
        // Low-memory D sizes (the l) hold 2 GiB per vCPU.
        ["azure", "Standard_D2ls_v5", { vcpus: 2, memoryGiB: 4 }],
        ["azure", "Standard_B2ms", { vcpus: 2, memoryGiB: 8 }],
        // Bsv2 is a different series from B (B2s_v2 has 8 GiB): not told from its name.
        ["azure", "Standard_B2s_v2", undefined],
        // Dv2 sizes do not follow the 4 GiB per vCPU rule (D2_v2 has 7 GiB, D11_v2 is memory-optimized).
        ["azure", "Standard_D2_v2", undefined],
        ["gcp", "e2-standard-2", { vcpus: 2, memoryGiB: 8 }],
        ["gcp", "n2-highcpu-8", { vcpus: 8, memoryGiB: 8 }],
        // Third- and fourth-generation highcpu sizes hold 2 GB per vCPU.
        ["gcp", "c3-highcpu-4", { vcpus: 4, memoryGiB: 8 }],
        ["gcp", "n4-highcpu-4", { vcpus: 4, memoryGiB: 8 }],
        // C4 standard holds 3.75 GB per vCPU: c4-standard-2 is below the primary minimum.
        ["gcp", "c4-standard-2", { vcpus: 2, memoryGiB: 7.5 }],
        ["existing", "anything", undefined],
    ] as const)("nodeShape(%s, %s)", (cloud, size, shape) => {
        expect(nodeShape(cloud, size)).toEqual(shape);
    });
});

describe("Kubernetes versions", () => {
    it.each(["1.32", "1.38", "1.31.4"])("rejects %s, outside what Istio 1.31 (the default) supports", (version) => {
        expect(problemsOf(withCluster(0, { kubernetesVersion: version }))).toEqual([
            `clusters[0].kubernetesVersion: "${version}" is outside what Istio 1.31 supports (1.33 to 1.37)`,
        ]);
    });

    it("checks the range of the configured minor: 1.30 takes 1.32 to 1.36", () => {
        const on130 = (kubernetesVersion: string) => withCluster(0, { kubernetesVersion }, { ...base(), istioVersion: "1.30.4" });
        expect(problemsOf(on130("1.37"))).toEqual([
            `clusters[0].kubernetesVersion: "1.37" is outside what Istio 1.30 supports (1.32 to 1.36)`,
        ]);
        expect(accepted(on130("1.32")).config.clusters[0].kubernetesVersion).toBe("1.32");
        expect(accepted(withCluster(0, { kubernetesVersion: "1.37" })).config.clusters[0].kubernetesVersion).toBe("1.37");
    });

    it.each(["v1.35", "1.35.x", "1", "2.35", "latest"])("rejects the malformed version %s", (version) => {
        expect(problemsOf(withCluster(0, { kubernetesVersion: version }))).toEqual([
            `clusters[0].kubernetesVersion: "${version}" is not a Kubernetes version such as 1.35`,
        ]);
    });

    it("rejects 1.32 on a remote but accepts it on a primary (Istio 1.30)", () => {
        const on130 = (i: number, kubernetesVersion: string) =>
            withCluster(i, { kubernetesVersion }, { ...base(), istioVersion: "1.30.4" });
        expect(problemsOf(on130(1, "1.32"))).toEqual([
            `clusters[1].kubernetesVersion: "1.32" is too old for a remote: its API server must resolve the injection webhook through EndpointSlices (1.33 to 1.36)`,
        ]);
        expect(accepted(on130(0, "1.32")).config.clusters[0].kubernetesVersion).toBe("1.32");
        expect(accepted(withCluster(1, { kubernetesVersion: "1.33" })).config.clusters[1].kubernetesVersion).toBe("1.33");
        // A patch is taken on GKE (and AKS); EKS takes major.minor only (issue 13, see "EKS versions").
        expect(accepted(withCluster(2, { kubernetesVersion: "1.36.1" })).config.clusters[2].kubernetesVersion).toBe("1.36.1");
    });

    it("rejects a version that is not a string", () => {
        // YAML reads an unquoted 1.35 as a number.
        expect(problemsOf(withCluster(0, { kubernetesVersion: 1.35 }))).toEqual([`clusters[0].kubernetesVersion: 1.35 is not a string`]);
    });
});

describe("Elastic IPs", () => {
    const twoEks = () => plus({ name: "delta", cloud: "aws", region: "us-west-2" });
    const message =
        `Elastic IPs: the EKS clusters in us-west-2 (alpha, delta) need 8 Elastic IPs (NAT gateways and gateway addresses), ` +
        `reaching the default quota of 5 per region; Elastic IPs of other stacks in the account count too. Request a quota increase, set singleNatGateway, or use fewer zones (at least 2).`;

    it("counts NAT gateways and each gateway's addresses per cluster", () => {
        expect(elasticIpsOf({ zones: 2, singleNatGateway: false, ingress: false })).toBe(4);
        expect(elasticIpsOf({ zones: 2, singleNatGateway: true, ingress: false })).toBe(3);
        expect(elasticIpsOf({ zones: 3, singleNatGateway: false, ingress: false })).toBe(6);
        expect(elasticIpsOf({ zones: 2, singleNatGateway: true, ingress: true })).toBe(5);
    });

    it("counts the ingress gateway's Elastic IPs in the warning", () => {
        const { warnings } = accepted(withCluster(0, { singleNatGateway: true, ingress: true }));
        expect(warnings).toEqual([expect.stringContaining("the EKS clusters in us-west-2 (alpha) need 5 Elastic IPs")]);
    });

    it("warns when the EKS clusters of one region need 5 or more", () => {
        const { warnings } = accepted(twoEks());
        expect(warnings).toEqual([message]);
        expect(warnings[0]).toContain("us-west-2");
        expect(warnings[0]).toContain("alpha, delta");
        expect(warnings[0]).toContain("need 8 Elastic IPs");
        expect(warnings[0]).toContain("other stacks");
    });

    it("gives GKE nodes 50 GB pd-standard disks unless configured, and says when they are the defaults", () => {
        const { config } = accepted(base());
        expect(config.clusters[2].nodeDisk).toEqual({ sizeGb: 50, type: "pd-standard", explicit: false });
        expect(config.clusters[0].nodeDisk).toBeUndefined();
        const set = accepted(withCluster(2, { diskType: "pd-balanced" })).config.clusters[2].nodeDisk;
        expect(set).toEqual({ sizeGb: 50, type: "pd-balanced", explicit: true });
    });

    it("warns when a region's GKE SSD disks pass the 250 GB SSD_TOTAL_GB of new projects", () => {
        // GKE's old default: 3 zones x (2 nodes + the temporary default pool's 1) x 100 GB.
        const { warnings } = accepted(withCluster(2, { diskType: "pd-balanced", diskSizeGb: 100 }));
        expect(warnings).toEqual([
            `SSD quota: the GKE clusters in my-project/us-central1 (gamma) need up to 900 GB of SSD-backed node disks (3 zones, the temporary default pool included), ` +
                `over the 250 GB SSD_TOTAL_GB of many new projects; other disks in the region count too. Request a quota increase or set diskType: pd-standard / a smaller diskSizeGb.`,
        ]);
        expect(accepted(withCluster(2, { diskType: "pd-balanced", diskSizeGb: 20 })).warnings).toEqual([]);
        expect(accepted(withCluster(2, { diskSizeGb: 500 })).warnings).toEqual([]);
    });

    it.each([
        [
            { diskType: "hyperdisk-extreme" },
            `clusters[2].diskType: "hyperdisk-extreme" is not valid (valid: pd-standard, pd-balanced, pd-ssd)`,
        ],
        [{ diskSizeGb: 5 }, `clusters[2].diskSizeGb: 5 is too small (minimum 10)`],
    ])("rejects GKE disk %j", (patch, message) => {
        expect(problemsOf(withCluster(2, patch))).toEqual([message]);
    });

    it("rejects disk keys on other clouds", () => {
        expect(problemsOf(withCluster(1, { diskSizeGb: 50 }))).toEqual([
            `clusters[1].diskSizeGb: not used for cloud "azure" (only for gcp)`,
        ]);
    });

    it("warns for a single EKS cluster that needs 5", () => {
        const { warnings } = accepted(withCluster(0, { zones: 4, singleNatGateway: true }));
        expect(warnings).toEqual([expect.stringContaining("the EKS clusters in us-west-2 (alpha) need 5 Elastic IPs")]);
    });

    it("does not warn below 5 or across regions", () => {
        expect(accepted(withCluster(0, { zones: 3, singleNatGateway: true })).warnings).toEqual([]);
        expect(accepted(plus({ name: "delta", cloud: "aws", region: "us-east-1" })).warnings).toEqual([]);
    });

    it("does not warn for the dev stack's single-NAT EKS cluster", () => {
        expect(accepted(withCluster(0, { singleNatGateway: true })).warnings).toEqual([]);
    });
});

describe("Istio version", () => {
    const supported = "supported: 1.30.4 or a later 1.30.x, 1.31.x; default 1.31.1";

    it.each(["1.29.7", "1.32.0", "1.3.0", "2.0.0"])("refuses %s, a minor without chart data", (istioVersion) => {
        expect(problemsOf({ ...base(), istioVersion })).toEqual([
            `istioVersion: "${istioVersion}" is not a supported Istio minor: chart values change between minors and this program carries chart data for 1.30 and 1.31 only (${supported})`,
        ]);
    });

    it.each(["1.30.0", "1.30.3"])("refuses %s, without 1.30.4's security and remote-secret fixes", (istioVersion) => {
        expect(problemsOf({ ...base(), istioVersion })).toEqual([
            `istioVersion: "${istioVersion}" is older than 1.30.4: 1.30.4 carries the fixes of ISTIO-SECURITY-2026-006 and of remote-secret rotation (istiod ignoring a changed remote secret until restarted) (${supported})`,
        ]);
    });

    it("refuses a pre-release", () => {
        expect(problemsOf({ ...base(), istioVersion: "1.31.0-rc.0" })).toEqual([
            `istioVersion: "1.31.0-rc.0" is a pre-release; install a release (${supported})`,
        ]);
    });

    it.each(["1.30.4", "1.30.5", "1.30.12", "1.31.0", "1.31.1", "1.31.9"])("accepts %s without a warning", (istioVersion) => {
        const { config, warnings } = accepted({ ...base(), istioVersion });
        expect(config.istioVersion).toBe(istioVersion);
        expect(warnings).toEqual([]);
    });

    it("rejects a version that is not a full Istio version", () => {
        expect(problemsOf({ ...base(), istioVersion: "1.31" })).toEqual([
            `istioVersion: "1.31" is not valid (expected a full Istio version such as 1.31.1)`,
        ]);
    });
});

describe("where charts and images come from", () => {
    it.each([
        [
            "https://istio-release.storage.googleapis.com/charts",
            "https://blob.istio.io/istio-release/charts",
            "istio-release.storage.googleapis.com",
        ],
        ["oci://gcr.io/istio-release/charts", "oci://ghcr.io/istio/release/charts", "gcr.io/istio-release"],
        ["oci://registry.istio.io/release/charts", "oci://ghcr.io/istio/release/charts", "registry.istio.io/release"],
    ])("refuses the retired chart repository %s, naming its replacement", (chartRepository, replacement, host) => {
        expect(problemsOf({ ...base(), chartRepository })).toEqual([
            `chartRepository: "${chartRepository}" is ${host}, which Istio retired in December 2026 (Istio 1.31 was never published there); use "${replacement}" (or its OCI form oci://ghcr.io/istio/release/charts) or a mirror of it`,
        ]);
    });

    it.each([
        ["gcr.io/istio-release", "gcr.io/istio-release"],
        ["registry.istio.io/release", "registry.istio.io/release"],
        ["registry.istio.io/release/team", "registry.istio.io/release"],
    ])("refuses the retired image hub %s", (imageHub, host) => {
        expect(problemsOf({ ...base(), imageHub })).toEqual([
            `imageHub: "${imageHub}" is ${host}, which Istio retired in December 2026 (Istio 1.31 was never published there); use "docker.io/istio" or a mirror of it`,
        ]);
    });

    it("takes a mirror or pull-through cache as the image hub", () => {
        const imageHub = "123456789012.dkr.ecr.us-west-2.amazonaws.com/docker-hub/istio";
        expect(accepted({ ...base(), imageHub }).config.imageHub).toBe(imageHub);
        expect(accepted({ ...base(), imageHub: "mirror.corp.example:5000/istio" }).config.imageHub).toBe("mirror.corp.example:5000/istio");
    });

    it.each(["https://docker.io/istio", "docker.io/istio:1.31.1", "Docker.io/Istio", ""])("rejects the malformed hub %s", (imageHub) => {
        expect(problemsOf({ ...base(), imageHub })).toEqual([
            `imageHub: ${JSON.stringify(imageHub)} is not valid (expected an image registry path without scheme or tag, such as docker.io/istio or 123456789012.dkr.ecr.us-west-2.amazonaws.com/istio)`,
        ]);
    });

    it("defaults to Istio's live locations", () => {
        const { config } = accepted(base());
        expect(config.chartRepository).toBe("https://blob.istio.io/istio-release/charts");
        expect(config.imageHub).toBe("docker.io/istio");
    });
});

describe("keys", () => {
    it("rejects an unknown top-level key, listing the valid keys", () => {
        expect(problemsOf({ ...base(), meshID: "mesh1" })).toEqual([`meshID: unknown key (valid keys: ${topKeys})`]);
    });

    it("rejects an unknown key in a cluster entry, listing the valid keys", () => {
        expect(problemsOf(withCluster(0, { nodesize: "m5.large" }))).toEqual([
            `clusters[0].nodesize: unknown key (valid keys: ${clusterKeys})`,
        ]);
    });

    it("rejects an unknown key in adminPrincipals, listing the valid keys", () => {
        expect(problemsOf({ ...base(), adminPrincipals: { oci: [] } })).toEqual([
            `adminPrincipals.oci: unknown key (valid keys: aws, azure, gcp)`,
        ]);
    });

    it.each([
        [0, { project: "my-project" }, `clusters[0].project: not used for cloud "aws" (only for gcp)`],
        [2, { zones: 3 }, `clusters[2].zones: not used for cloud "gcp" (only for aws)`],
        [1, { singleNatGateway: true }, `clusters[1].singleNatGateway: not used for cloud "azure" (only for aws)`],
        [0, { deletionProtection: false }, `clusters[0].deletionProtection: not used for cloud "aws" (only for gcp)`],
        [0, { eastWestAddress: "203.0.113.10" }, `clusters[0].eastWestAddress: not used for cloud "aws" (only for existing, kind)`],
        [2, { creatorArn: "arn:aws:iam::123456789012:role/admin" }, `clusters[2].creatorArn: not used for cloud "gcp" (only for aws)`],
    ])("rejects a key of another cloud on clusters[%d]", (index, patch, message) => {
        expect(problemsOf(withCluster(index, patch))).toEqual([message]);
    });

    it("rejects cloud keys on an existing cluster", () => {
        const raw = plus({ name: "delta", cloud: "existing", region: "eu-west-1", nodeCount: 3 }, { kubeconfigs: { delta: kubeconfig } });
        expect(problemsOf(raw)).toEqual([
            `clusters[3].region: not used for cloud "existing" (only for aws, azure, gcp)`,
            `clusters[3].nodeCount: not used for cloud "existing" (only for aws, azure, gcp)`,
        ]);
    });
});

describe("types and ranges", () => {
    it.each([
        [{ nodeCount: "two" }, `clusters[0].nodeCount: "two" is not a number`],
        [{ nodeCount: 0 }, `clusters[0].nodeCount: 0 is too small (minimum 1)`],
        [{ nodeCount: 101 }, `clusters[0].nodeCount: 101 is too large (maximum 100)`],
        [{ zones: 0 }, `clusters[0].zones: 0 is too few: EKS needs subnets in at least 2 availability zones (2 to 4)`],
        [{ zones: 1 }, `clusters[0].zones: 1 is too few: EKS needs subnets in at least 2 availability zones (2 to 4)`],
        [{ zones: 5 }, `clusters[0].zones: 5 is too large (maximum 4)`],
        [{ singleNatGateway: "yes" }, `clusters[0].singleNatGateway: "yes" is not a boolean`],
        [{ region: 5 }, `clusters[0].region: 5 is not a string`],
        [
            { creatorArn: "arn:aws:sts::123456789012:assumed-role/admin/alice" },
            `clusters[0].creatorArn: "arn:aws:sts::123456789012:assumed-role/admin/alice" is not valid (expected the IAM role or user ARN that created the EKS cluster, such as arn:aws:iam::123456789012:role/admin)`,
        ],
    ])("rejects %j", (patch, message) => {
        expect(problemsOf(withCluster(0, patch))).toEqual([message]);
    });

    it("rejects a fractional node count", () => {
        expect(problemsOf(withCluster(0, { nodeCount: 2.5 }))).toEqual([`clusters[0].nodeCount: 2.5 is not an integer`]);
    });

    it("rejects a missing or empty cluster list", () => {
        expect(problemsOf({})).toEqual([`clusters: is required (array)`]);
        expect(problemsOf({ clusters: [] })).toEqual([`clusters: needs at least 1 entry`]);
        expect(problemsOf({ clusters: "alpha" })).toEqual([`clusters: "alpha" is not an array`]);
    });

    it("rejects a cluster entry without a name or cloud", () => {
        expect(problemsOf(withCluster(2, { name: undefined }))).toEqual([`clusters[2].name: is required (string)`]);
        expect(problemsOf(withCluster(2, { cloud: undefined, project: undefined }))).toEqual([
            `clusters[2].cloud: is required (valid: aws, azure, gcp, existing, kind)`,
        ]);
    });

    it("rejects top-level values of the wrong kind", () => {
        expect(problemsOf({ ...base(), meshId: "Mesh_1" })).toEqual([
            `meshId: "Mesh_1" is not valid (expected a DNS-1123 label such as mesh1)`,
        ]);
        expect(problemsOf({ ...base(), chartRepository: "http://charts.example.com" })).toEqual([
            `chartRepository: "http://charts.example.com" is not valid (expected an https:// or oci:// URL)`,
        ]);
        expect(problemsOf({ ...base(), protectRootCa: "false" })).toEqual([`protectRootCa: "false" is not a boolean`]);
        expect(problemsOf({ ...base(), adminPrincipals: { aws: ["alice"] } })).toEqual([
            `adminPrincipals.aws[0]: "alice" is not valid (expected IAM ARNs such as arn:aws:iam::123456789012:role/ci)`,
        ]);
    });
});

describe("GCP project", () => {
    it("is required when gcp:project is not set", () => {
        expect(problemsOf(withCluster(2, { project: undefined }))).toEqual([
            `clusters[2].project: is required for cloud "gcp" when gcp:project is not set`,
        ]);
    });

    it("falls back to gcp:project", () => {
        const { config } = accepted(withCluster(2, { project: undefined }), { gcpProject: "from-provider" });
        expect(config.clusters[2].project).toBe("from-provider");
        expect(accepted(base(), { gcpProject: "from-provider" }).config.clusters[2].project).toBe("my-project");
    });

    it("rejects an empty project", () => {
        expect(problemsOf(withCluster(2, { project: "" }), { gcpProject: "from-provider" })).toEqual([
            `clusters[2].project: must not be empty`,
        ]);
    });
});

describe("all problems of a config", () => {
    it("are reported together", () => {
        const raw = withCluster(0, { region: undefined }, withCluster(1, { primary: "zeta" }, withCluster(2, { project: undefined })));
        expect(problemsOf(raw)).toEqual([
            `clusters[0].region: is required for cloud "aws" (an AWS region such as us-west-2)`,
            `clusters[2].project: is required for cloud "gcp" when gcp:project is not set`,
            `clusters[1].primary: "zeta" is not a cluster in this stack or its peers (primaries: alpha, gamma)`,
        ]);
    });

    it("include the cross-field problems when a value has the wrong type", () => {
        const raw = withCluster(0, { nodeCount: "two" }, withCluster(1, { primary: "zeta" }, withCluster(2, { project: undefined })));
        expect(problemsOf(raw)).toEqual([
            `clusters[0].nodeCount: "two" is not a number`,
            `clusters[2].project: is required for cloud "gcp" when gcp:project is not set`,
            `clusters[1].primary: "zeta" is not a cluster in this stack or its peers (primaries: alpha, gamma)`,
        ]);
    });

    it("include every unknown key and bad value", () => {
        const raw = withCluster(0, { nodesize: "m5.large", zones: 0 }, { ...base(), meshID: "mesh1", istioVersion: "latest" });
        const problems = problemsOf(raw);
        expect([...problems].sort()).toEqual(
            [
                `meshID: unknown key (valid keys: ${topKeys})`,
                `istioVersion: "latest" is not valid (expected a full Istio version such as 1.31.1)`,
                `clusters[0].nodesize: unknown key (valid keys: ${clusterKeys})`,
                `clusters[0].zones: 0 is too few: EKS needs subnets in at least 2 availability zones (2 to 4)`,
            ].sort(),
        );
    });

    it("include problems beside a rejected list entry", () => {
        const raw = withCluster(1, { primary: "zeta" }, { ...base(), adminPrincipals: { aws: ["alice"] } });
        expect(problemsOf(raw)).toEqual([
            `adminPrincipals.aws[0]: "alice" is not valid (expected IAM ARNs such as arn:aws:iam::123456789012:role/ci)`,
            `clusters[1].primary: "zeta" is not a cluster in this stack or its peers (primaries: alpha, gamma)`,
        ]);
    });

    it("leave out what only follows from a rejected value", () => {
        // The rejected value counts as unset: no second message for the same key.
        expect(problemsOf(withCluster(2, { project: 7 }))).toEqual([`clusters[2].project: 7 is not a string`]);
        expect(problemsOf(withCluster(1, { primary: 7 }))).toEqual([`clusters[1].primary: 7 is not a string`]);
        const existing = (extra: Raw) =>
            withCluster(
                1,
                { primary: "delta" },
                plus({ name: "delta", cloud: "existing", ...extra }, { kubeconfigs: { delta: kubeconfig } }),
            );
        expect(problemsOf(existing({ eastWestAddress: 10 }))).toEqual([`clusters[3].eastWestAddress: 10 is not a string`]);
        // kubeconfigs is secret: the message names the key and what is wrong, not the value.
        expect(problemsOf({ ...existing({ eastWestAddress: "203.0.113.10" }), kubeconfigs: "k" })).toEqual([
            `kubeconfigs: is not a record (a map of existing cluster name to kubeconfig) (secret: its value is not shown)`,
        ]);
    });

    it("stop at a rejected name or cloud", () => {
        const raw = withCluster(1, { primary: "zeta" }, withCluster(2, { cloud: "ibm", project: undefined }));
        expect(problemsOf(raw)).toEqual([`clusters[2].cloud: "ibm" is not valid (valid: aws, azure, gcp, existing, kind)`]);
    });

    it("are listed in the error message", () => {
        const raw = withCluster(0, { region: undefined }, withCluster(1, { primary: "zeta" }, withCluster(2, { project: undefined })));
        expect(() => parseMeshConfig(raw)).toThrow(
            "Stack config is not valid (3 problems):\n" +
                `  - clusters[0].region: is required for cloud "aws" (an AWS region such as us-west-2)\n` +
                `  - clusters[2].project: is required for cloud "gcp" when gcp:project is not set\n` +
                `  - clusters[1].primary: "zeta" is not a cluster in this stack or its peers (primaries: alpha, gamma)`,
        );
    });
});

describe("defaults", () => {
    const { config } = accepted(base());

    it("apply to the mesh", () => {
        expect(config.meshId).toBe("mesh1");
        expect(config.istioVersion).toBe("1.31.1");
        expect(config.chartRepository).toBe("https://blob.istio.io/istio-release/charts");
        expect(config.imageHub).toBe("docker.io/istio");
        expect(config.protectRootCa).toBe(true);
        expect(config.adminPrincipals).toEqual({ aws: [], azure: [], gcp: [] });
    });

    it("give each cluster a network of its own", () => {
        const networks = config.clusters.map((c) => c.network);
        expect(networks.every((n) => typeof n === "string" && n.length > 0)).toBe(true);
        expect(new Set(networks).size).toBe(networks.length);
        const explicit = accepted(withCluster(0, { network: "network1" })).config.clusters.map((c) => c.network);
        expect(explicit[0]).toBe("network1");
        expect(new Set(explicit).size).toBe(3);
    });

    it("make a cluster a primary", () => {
        expect(config.clusters.map((c) => c.role)).toEqual(["primary", "remote", "primary"]);
        expect(config.clusters[0].primary).toBeUndefined();
        expect(config.clusters[1].primary).toBe("alpha");
    });

    it("size nodes per cloud", () => {
        expect(config.clusters.map((c) => [c.nodeSize, c.nodeCount])).toEqual([
            ["m5.large", 2],
            ["Standard_D2s_v5", 2],
            ["e2-standard-2", 2],
        ]);
        expect(defaults.nodeSize).toEqual({ aws: "m5.large", azure: "Standard_D2s_v5", gcp: "e2-standard-2" });
        // Each default is large enough for a primary.
        for (const cloud of ["aws", "azure", "gcp"] as const) {
            expect(nodeShape(cloud, defaults.nodeSize[cloud])).toEqual({ vcpus: 2, memoryGiB: 8 });
        }
    });

    it("pick a Kubernetes version every cluster role supports", () => {
        for (const cluster of config.clusters) {
            const minor = Number(/^1\.(\d+)$/.exec(cluster.kubernetesVersion!)![1]);
            // Inside both supported minors' ranges (1.30: 1.32-1.36, 1.31: 1.33-1.37) and a remote's.
            expect(minor).toBeGreaterThanOrEqual(33);
            expect(minor).toBeLessThanOrEqual(36);
            expect(cluster.kubernetesVersion).toBe(defaults.kubernetesVersion);
        }
    });

    it("apply to EKS, GKE and existing clusters", () => {
        expect(config.clusters[0]).toMatchObject({ zones: 2, singleNatGateway: false });
        expect(config.clusters[2]).toMatchObject({ deletionProtection: true, project: "my-project" });
        const existing = accepted(plus({ name: "delta", cloud: "existing" }, { kubeconfigs: { delta: kubeconfig } })).config.clusters[3];
        expect(existing.nodeSize).toBeUndefined();
        expect(existing.kubernetesVersion).toBeUndefined();
    });
});

describe("loadMeshConfig", () => {
    const clusters = base().clusters;

    /** The error loadMeshConfig throws for a stack config; fails the test when it returns. */
    function loadError(config: Record<string, unknown>): ConfigError {
        startMockEngine(config);
        try {
            loadMeshConfig();
        } catch (err) {
            return err as ConfigError;
        }
        throw new Error("config was accepted");
    }

    it("reads values Pulumi hands over as strings and JSON", () => {
        startMockEngine({
            clusters: JSON.stringify(clusters),
            protectRootCa: "false",
            meshId: "mesh7",
            istioVersion: "1.31.10",
        });
        const { config, warnings } = loadMeshConfig();
        expect(warnings).toEqual([]);
        expect(config.protectRootCa).toBe(false);
        expect(config.meshId).toBe("mesh7");
        expect(config.istioVersion).toBe("1.31.10");
        expect(config.clusters.map((c) => c.name)).toEqual(["alpha", "beta", "gamma"]);
    });

    it("keeps scalars that look like numbers as strings", () => {
        const err = loadError({ clusters, meshId: "1234" });
        expect(err.problems).toEqual([`meshId: "1234" is not valid (expected a DNS-1123 label such as mesh1)`]);
    });

    it("takes the GCP project from gcp:project", () => {
        startMockEngine({ clusters: withCluster(2, { project: undefined }).clusters, "gcp:project": "from-provider" });
        expect(loadMeshConfig().config.clusters[2].project).toBe("from-provider");
    });

    it("reads kubeconfigs set as secrets", () => {
        startMockEngine(
            { clusters: [...clusters, { name: "delta", cloud: "existing" }], kubeconfigs: { delta: kubeconfig } },
            { secretKeys: ["kubeconfigs"] },
        );
        expect(loadMeshConfig().config.clusters[3].kubeconfig).toBe(kubeconfig);
    });

    it("rejects unknown keys of its namespace", () => {
        const err = loadError({ clusters, cluster: "alpha", "istio-multicloud:meshID": "mesh1" });
        expect(err.problems).toEqual([`cluster: unknown key (valid keys: ${topKeys})`, `meshID: unknown key (valid keys: ${topKeys})`]);
    });

    it("ignores keys of other namespaces", () => {
        startMockEngine({
            clusters,
            "aws:region": "us-west-2",
            "gcp:project": "p",
            "azure-native:location": "eastus",
            "other:clusters": "not a list",
            "pulumi:disable-default-providers": JSON.stringify(["kubernetes"]),
        });
        expect(loadMeshConfig().config.clusters).toHaveLength(3);
    });

    it("throws a ConfigError that Pulumi prints without a stack trace", () => {
        const err = loadError({ clusters: withCluster(1, { primary: "zeta" }).clusters, protectRootCa: "maybe" });
        expect(err).toBeInstanceOf(ConfigError);
        expect(pulumi.RunError.isInstance(err)).toBe(true);
        expect(err.name).toBe("ConfigError");
        expect(err.problems).toEqual([
            `protectRootCa: "maybe" is not a boolean`,
            `clusters[1].primary: "zeta" is not a cluster in this stack or its peers (primaries: alpha, gamma)`,
        ]);
        expect(err.message).toContain(`  - protectRootCa: "maybe" is not a boolean`);
    });
});

describe("demo, mTLS and gateway keys", () => {
    it("defaults to no demo, STRICT mTLS, no traffic policy, no ingress, open gateways", () => {
        const { config } = accepted(base());
        expect(config).toMatchObject({ demo: false, mtlsMode: "STRICT", trafficPolicy: { localityFailover: false, versionHeader: false } });
        expect(config.ingressTls).toBeUndefined();
        for (const c of config.clusters) {
            expect(c).toMatchObject({ ingress: false, eastWestSourceRanges: [], ingressSourceRanges: [] });
        }
    });

    // Issue 13: the default no longer follows the list order (reordering replaced Deployments).
    it("gives primaries helloworld v1 and remotes v2 unless a cluster names one", () => {
        expect(accepted(base()).config.clusters.map((c) => c.helloworldVersion)).toEqual(["v1", "v2", "v1"]);
        expect(accepted(withCluster(2, { helloworldVersion: "v2" })).config.clusters[2].helloworldVersion).toBe("v2");
    });

    it("gives each cluster the same helloworld version whatever the clusters' order", () => {
        const versions = (raw: Raw) => Object.fromEntries(accepted(raw).config.clusters.map((c) => [c.name, c.helloworldVersion]));
        const reversed = { ...base(), clusters: [...base().clusters].reverse() };
        expect(versions(reversed)).toEqual(versions(base()));
        const multiPrimary = {
            clusters: [
                { name: "beta", cloud: "gcp", region: "europe-west1", project: "acme-mesh" },
                { name: "alpha", cloud: "azure", region: "westeurope" },
            ],
        };
        // Without remotes, primaries by name take v1 and v2 in turn: the demo still shows both.
        expect(versions(multiPrimary)).toEqual({ alpha: "v1", beta: "v2" });
        expect(versions({ clusters: [...multiPrimary.clusters].reverse() })).toEqual({ alpha: "v1", beta: "v2" });
    });

    it("keeps the dev stack's versions: both v1 and v2 are served", () => {
        const { "gcp:project": gcpProject, ...dev } = stackFileConfig("dev") as Raw;
        const { config } = accepted(dev, { gcpProject });
        expect(Object.fromEntries(config.clusters.map((c) => [c.name, c.helloworldVersion]))).toEqual({
            "eks-west": "v1",
            "aks-east": "v2",
            "gke-central": "v1",
        });
    });

    it("warns loudly when mTLS is PERMISSIVE", () => {
        expect(accepted({ ...base(), mtlsMode: "PERMISSIVE" }).warnings).toEqual([
            `mtlsMode: PERMISSIVE — every primary accepts PLAINTEXT traffic mesh-wide. Use it only while migrating workloads into the mesh, then set it back to STRICT.`,
        ]);
        expect(problemsOf({ ...base(), mtlsMode: "strict" })).toEqual([`mtlsMode: "strict" is not valid (valid: STRICT, PERMISSIVE)`]);
    });

    it("rejects a traffic policy without the demo it acts on", () => {
        expect(problemsOf({ ...base(), trafficPolicy: { localityFailover: true } })).toEqual([
            `trafficPolicy: applies to the helloworld demo, which is off (set demo: true or remove trafficPolicy)`,
        ]);
        expect(problemsOf({ ...base(), demo: true, trafficPolicy: { failover: true } })).toEqual([
            `trafficPolicy.failover: unknown key (valid keys: localityFailover, versionHeader)`,
        ]);
    });

    it("rejects TLS for ingress when no cluster runs an ingress gateway, and bad TLS names", () => {
        expect(problemsOf({ ...base(), ingressTls: { host: "hello.example.com", credentialName: "hello-tls" } })).toEqual([
            `ingressTls: no cluster has ingress on (set ingress: true on a cluster or remove ingressTls)`,
        ]);
        expect(problemsOf({ ...withCluster(0, { ingress: true }), ingressTls: { host: "Hello", credentialName: "hello-tls" } })).toEqual([
            `ingressTls.host: "Hello" is not valid (expected a DNS name such as hello.example.com)`,
        ]);
    });

    it("rejects ingress settings on a cluster without ingress, and addresses that are not IPv4", () => {
        expect(problemsOf(withCluster(0, { ingressSourceRanges: ["10.0.0.0/8"] }))).toEqual([
            `clusters[0].ingress: ingressAddress/ingressSourceRanges are set but ingress is off (set ingress: true)`,
        ]);
        expect(problemsOf(withCluster(0, { ingress: true, ingressAddress: "198.51.100.7" }))).toEqual([
            `clusters[0].ingressAddress: not used for cloud "aws" (only for existing, kind)`,
        ]);
        expect(problemsOf(withCluster(0, { eastWestSourceRanges: ["10.0.0.0/33"] }))).toEqual([
            `clusters[0].eastWestSourceRanges[0]: "10.0.0.0/33" is not valid (expected IPv4 CIDRs such as 203.0.113.0/24)`,
        ]);
    });
});

describe("kind clusters", () => {
    const kind = (extra: Record<string, unknown> = {}) => ({
        clusters: [
            { name: "kind-a", cloud: "kind", nodeImage: "kindest/node:v1.34.0", eastWestAddress: "172.18.255.200", ...extra },
            {
                name: "kind-b",
                cloud: "kind",
                role: "remote",
                primary: "kind-a",
                nodeImage: "kindest/node:v1.34.0",
                eastWestAddress: "172.18.255.210",
            },
        ],
    });

    it("need no region, and take their Kubernetes version from the node image", () => {
        const { config, warnings } = accepted(kind());
        expect(warnings).toEqual([]);
        expect(config.clusters.map((c) => [c.cloud, c.kubernetesVersion, c.nodeImage])).toEqual([
            ["kind", "1.34", "kindest/node:v1.34.0"],
            ["kind", "1.34", "kindest/node:v1.34.0"],
        ]);
    });

    it("need their gateways' addresses on the Docker network", () => {
        const raw = kind({ ingress: true });
        delete (raw.clusters[0] as any).eastWestAddress;
        expect(problemsOf(raw)).toEqual([
            `clusters[0].eastWestAddress: required for cloud "kind" (a free IPv4 on kind's Docker network, see: docker network inspect kind)`,
            `clusters[0].ingressAddress: required for cloud "kind" with ingress on (a free IPv4 on kind's Docker network)`,
        ]);
    });

    it("check the node image's Kubernetes version like any other", () => {
        expect(problemsOf(kind({ nodeImage: "kindest/node:v1.32.2" }))).toEqual([
            `clusters[0].nodeImage: "kindest/node:v1.32.2" is outside what Istio 1.31 supports (1.33 to 1.37)`,
        ]);
        expect(problemsOf(kind({ nodeImage: "kindest/node:latest" }))).toEqual([
            `clusters[0].nodeImage: "kindest/node:latest" is not valid (expected a kind node image such as kindest/node:v1.34.0)`,
        ]);
    });

    it("warn when a remote's Kubernetes version is left to kind's default", () => {
        const raw = kind();
        delete (raw.clusters[1] as any).nodeImage;
        expect(accepted(raw).warnings).toEqual([
            `clusters[1].nodeImage: not set, so kind's default node image decides the Kubernetes version; a remote needs 1.33 or newer (e.g. kindest/node:v1.34.0)`,
        ]);
    });

    it("do not mesh with cloud clusters, which cannot reach the Docker network", () => {
        const raw = kind();
        (raw.clusters as any[]).push({ name: "eks", cloud: "aws", region: "us-west-2" });
        expect(problemsOf(raw)).toEqual([
            `clusters[0].cloud: "kind" clusters mesh only with kind or existing clusters on the same Docker network (this stack also has aws)`,
            `clusters[1].cloud: "kind" clusters mesh only with kind or existing clusters on the same Docker network (this stack also has aws)`,
        ]);
    });

    it("reject cloud settings", () => {
        expect(problemsOf(kind({ region: "local", kubernetesVersion: "1.34" }))).toEqual([
            `clusters[0].region: not used for cloud "kind" (only for aws, azure, gcp)`,
            `clusters[0].kubernetesVersion: not used for cloud "kind" (only for aws, azure, gcp, existing)`,
        ]);
    });
});

describe("rootCa", () => {
    // A real CA and its key: the model reads both (issue 13).
    const certPem = rootCertPem;
    const keyPem = rootKeyPem;

    it("takes a PEM certificate and key", () => {
        expect(accepted({ ...base(), rootCa: { certPem, keyPem } }).config.rootCa).toEqual({ certPem, keyPem });
    });

    it("rejects a missing or malformed key", () => {
        expect(problemsOf({ ...base(), rootCa: { certPem } })).toEqual([`rootCa.keyPem: is required (string)`]);
        // rootCa is secret: the message never shows the value (issue 13).
        expect(problemsOf({ ...base(), rootCa: { certPem, keyPem: "secret" } })).toEqual([
            `rootCa.keyPem: is not a PEM private key (-----BEGIN ... PRIVATE KEY-----) (secret: its value is not shown)`,
        ]);
    });

    it("rejects bringing a root and taking one from another stack at once", () => {
        expect(
            problemsOf({
                ...base(),
                rootCa: { certPem, keyPem },
                rootCaFrom: "acme/istio-multicloud/x",
                peers: [{ name: "x", stack: "acme/istio-multicloud/x", role: "primary", network: "n" }],
            }),
        ).toEqual([
            `rootCa: a stack either brings the mesh root (rootCa) or takes its intermediates from another stack (rootCaFrom), not both`,
        ]);
    });
});

// ---- Issue 13: rules the model checks before any resource -----------------------------------

describe("secrets in messages", () => {
    const token = "eyJhbGciOiJSUzI1NiJ9.c2VjcmV0LXRva2VuLW9mLW9ucHJlbQ.c2lnbmF0dXJl";
    const withToken = kubeconfig.replace("client-key-data: a2V5", `token: ${token}`);
    const existing = (kubeconfigs: unknown) => ({ ...plus({ name: "delta", cloud: "existing" }), kubeconfigs });

    it("names kubeconfigs given as one string without printing it", () => {
        const problems = problemsOf(existing(withToken));
        expect(problems).toEqual([
            `kubeconfigs: is not a record (a map of existing cluster name to kubeconfig) (secret: its value is not shown)`,
        ]);
    });

    it("names a kubeconfig that is not YAML by line, without the parser's excerpt", () => {
        const broken = `${withToken}\n  - [${token}`;
        const problems = problemsOf(existing({ delta: broken }));
        expect(problems).toEqual([
            expect.stringMatching(/^kubeconfigs\.delta: is not valid YAML \(parse error at line \d+\) \(secret: its value is not shown\)$/),
        ]);
        expect(problems.join("\n")).not.toContain(token);
    });

    // The model refuses all that kubeconfigEndpoint (the component's guard, mid-deploy) would,
    // and more: an http server or a CA that is no certificate fail later, at the API server.
    it.each([
        ["no server", kubeconfig.replace(/ {4}server: .*\n/, ""), "names no API server: its current context's cluster has no server", true],
        [
            "an http server",
            kubeconfig.replace("https://", "http://"),
            "has a server that is not an https:// URL; other clusters' istiod reach the API server over TLS",
            false,
        ],
        [
            "no inline CA",
            kubeconfig.replace(/ {4}certificate-authority-data: .*\n/, ""),
            "does not inline its CA: the current context's cluster needs certificate-authority-data (other clusters' istiod reach it with a bearer token and this CA)",
            true,
        ],
        [
            "CA data that is no certificate",
            kubeconfig.replace(/certificate-authority-data: .*/, "certificate-authority-data: bm90IGEgY2VydA=="),
            "has certificate-authority-data that is not base64 of a PEM certificate",
            false,
        ],
    ])("refuses a kubeconfig with %s up front", (_, text, why, componentRefuses) => {
        expect(problemsOf(existing({ delta: text }))).toEqual([`kubeconfigs.delta: ${why} (secret: its value is not shown)`]);
        if (componentRefuses) expect(() => kubeconfigEndpoint(text)).toThrow();
        expect(() => kubeconfigEndpoint(kubeconfig)).not.toThrow();
    });

    it("never prints a key Pulumi holds as secret", () => {
        const arn = "arn:aws:iam::123456789012:group/very-secret-admins";
        const err = (() => {
            try {
                parseMeshConfig({ ...base(), adminPrincipals: { aws: [arn] } }, { secretKeys: ["adminPrincipals"] });
            } catch (e) {
                return e as ConfigError;
            }
            throw new Error("accepted");
        })();
        expect(err.problems).toEqual([expect.stringMatching(/^adminPrincipals\.aws\[0\]: /)]);
        expect(err.message).not.toContain("very-secret-admins");
    });

    it("refuses a root whose key is not its certificate's, or that is no CA", () => {
        expect(problemsOf({ ...base(), rootCa: { certPem: rootCertPem, keyPem: otherKeyPem } })).toEqual([
            `rootCa.keyPem: is not the key of the certificate in rootCa.certPem (secret: its value is not shown)`,
        ]);
        expect(problemsOf({ ...base(), rootCa: { certPem: leafCertPem, keyPem: leafKeyPem } })).toEqual([
            `rootCa.certPem: is not a CA certificate (basicConstraints CA:TRUE): it cannot issue the primaries' intermediate CAs (secret: its value is not shown)`,
        ]);
    });
});

describe("regions", () => {
    it.each([
        [
            0,
            "us-west-99",
            `clusters[0].region: "us-west-99" is not an AWS region (the aws.Region enum of @pulumi/aws; nearest: us-west-1, us-west-2, ca-west-1)`,
        ],
        [0, "eastus", `clusters[0].region: "eastus" is not an AWS region such as us-west-2 (it is an Azure location)`],
        [0, "US-WEST-2", `clusters[0].region: "US-WEST-2" is not an AWS region such as us-west-2`],
        [2, "us-central1-a", `clusters[2].region: "us-central1-a" is a GCP zone, not a region (use "us-central1": clusters are regional)`],
        [1, "East US", `clusters[1].region: "East US" is not an Azure location such as eastus`],
    ])("refuses clusters[%d].region %s", (index, region, message) => {
        expect(problemsOf(withCluster(index, { region }))).toEqual([message]);
    });

    it("warns about a well-formed GCP region or Azure location it does not know, with the nearest names", () => {
        const { warnings } = accepted(withCluster(1, { region: "eastus9" }, withCluster(2, { region: "us-centrl1" })));
        expect(warnings).toEqual([
            `clusters[1].region: "eastus9" is not in the list of az account list-locations vendored in stacks/regions.ts (2025) (nearest: eastus, eastus2, eastasia); if it is a region opened since, ignore this`,
            `clusters[2].region: "us-centrl1" is not in the list of cloud.google.com/compute/docs/regions-zones vendored in stacks/regions.ts (2025) (nearest: us-central1, me-central1, me-central2); if it is a region opened since, ignore this`,
        ]);
    });

    it("refuses more zones than an AWS region offers", () => {
        expect(problemsOf(withCluster(0, { region: "us-west-1", zones: 3 }))).toEqual([
            `clusters[0].zones: 3 is more than the 2 availability zones us-west-1 offers an account (1 to 2; per-region counts in stacks/regions.ts)`,
        ]);
        expect(accepted(withCluster(0, { zones: 4 })).config.clusters[0].zones).toBe(4);
    });
});

describe("EKS versions and admins", () => {
    it("refuses a patch version on EKS", () => {
        expect(problemsOf(withCluster(0, { kubernetesVersion: "1.35.2" }))).toEqual([
            `clusters[0].kubernetesVersion: "1.35.2" has a patch; EKS takes major.minor only (use "1.35", EKS applies patches itself)`,
        ]);
        expect(accepted(withCluster(1, { kubernetesVersion: "1.35.2" })).config.clusters[1].kubernetesVersion).toBe("1.35.2");
    });

    const eksArgs = {
        role: "primary",
        network: "n",
        provider: {} as any,
        region: "us-west-2",
        kubernetesVersion: "1.35",
        nodeCount: 2,
        nodeSize: "m5.large",
        zones: 2,
        singleNatGateway: false,
        loadBalancerAddresses: ["eastwest"],
    } as any;
    it.each([
        [
            ["arn:aws:sts::123456789012:assumed-role/ci/session-1"],
            `adminPrincipals.aws[0]: "arn:aws:sts::123456789012:assumed-role/ci/session-1" is an STS assumed-role session, which EKS access entries refuse; use the role's ARN, arn:aws:iam::123456789012:role/ci (with the role's path, if it has one)`,
        ],
        [
            ["arn:aws:iam::123456789012:role/ci", "arn:aws:iam::123456789012:role/ci"],
            `adminPrincipals.aws[1]: "arn:aws:iam::123456789012:role/ci" is listed twice (also adminPrincipals.aws[0])`,
        ],
        [
            ["arn:aws:iam::123456789012:role/team/ci", "arn:aws:iam::123456789012:role/team-ci"],
            `adminPrincipals.aws[1]: "arn:aws:iam::123456789012:role/team-ci" and adminPrincipals.aws[0] "arn:aws:iam::123456789012:role/team/ci" would be one EKS access entry ("123456789012-role-team-ci"); keep one of them`,
        ],
    ])("refuses EKS admins %j, as the EKS component does", (aws, message) => {
        expect(problemsOf({ ...base(), adminPrincipals: { aws } })).toEqual([message]);
        expect(() => validateEksClusterArgs("alpha", { ...eksArgs, adminPrincipalArns: aws })).toThrow();
    });
});

describe("names, networks, addresses and collisions", () => {
    it("budgets the names EKS derives: 50 characters leave room for the nodes' IAM role", () => {
        const named = (name: string) => withCluster(1, { primary: name }, withCluster(0, { name }));
        expect(accepted(named("a".repeat(50))).config.clusters[0].name).toHaveLength(50);
        expect(problemsOf(named("a".repeat(51)))).toEqual([
            `clusters[0].name: "${"a".repeat(51)}" has 51 characters; an aws cluster name may have at most 50 (the IAM role of its nodes (auto-named from <name>-nodes), <name>-nodes-xxxxxxx, would have 65 characters, over 64)`,
        ]);
    });

    it("refuses a network that is not a label value, the default network-<name> too", () => {
        expect(problemsOf(withCluster(0, { network: "Net_2!" }))).toEqual([
            `clusters[0].network: "Net_2!" is not a Kubernetes label value: at most 63 characters, letters, digits, '-', '_' and '.', starting and ending with a letter or digit; it becomes the topology.istio.io/network label`,
        ]);
        const long = "e".repeat(60);
        expect(problemsOf(plus({ name: long, cloud: "existing" }, { kubeconfigs: { [long]: kubeconfig } }))).toEqual([
            `clusters[3].network: the default "network-${long}" (network-<name>) has 68 characters, over a label value's 63; set network (a Kubernetes label value: at most 63 characters, letters, digits, '-', '_' and '.', starting and ending with a letter or digit)`,
        ]);
    });

    it("refuses addresses no load balancer can take and one address on two gateways", () => {
        const existing = (extra: Raw) => plus({ name: "delta", cloud: "existing", ...extra }, { kubeconfigs: { delta: kubeconfig } });
        expect(problemsOf(existing({ eastWestAddress: "169.254.0.9" }))).toEqual([
            `clusters[3].eastWestAddress: "169.254.0.9" is a link-local address; a load balancer or an EndpointSlice cannot take it (use an address your load balancer announces)`,
        ]);
        expect(problemsOf(existing({ eastWestAddress: "203.0.113.9", ingress: true, ingressAddress: "203.0.113.9" }))).toEqual([
            `clusters[3].ingressAddress: "203.0.113.9" is also its eastWestAddress; each gateway needs an address of its own`,
        ]);
        const two = existing({ eastWestAddress: "203.0.113.9" });
        two.clusters.push({ name: "epsilon", cloud: "existing", eastWestAddress: "203.0.113.9" });
        two.kubeconfigs.epsilon = kubeconfig;
        expect(problemsOf(two)).toEqual([
            `clusters[4].eastWestAddress: "203.0.113.9" is already clusters[3].eastWestAddress; each gateway needs an address of its own`,
        ]);
    });

    it("refuses clusters whose remote secrets would share a resource name, keeping the names", () => {
        const raw = {
            clusters: [
                { name: "x", cloud: "gcp", region: "us-central1", project: "my-project" },
                { name: "x-y", cloud: "gcp", region: "us-east1", project: "my-project" },
                { name: "y-z", cloud: "azure", region: "eastus", role: "remote", primary: "x" },
                { name: "z", cloud: "azure", region: "westeurope", role: "remote", primary: "x" },
            ],
        };
        expect(problemsOf(raw)).toEqual([
            `clusters[1].name: the remote secret of "x-y" for "z" (clusters[3]) and that of "x" for "y-z" (clusters[2]) would both be named "x-y-z"; rename one of these clusters (resource names stay as they are, so that live remote secrets are not replaced)`,
        ]);
    });

    it("refuses duplicate Azure and GCP admins and GCP members of no valid form", () => {
        const id = "00000000-0000-0000-0000-000000000001";
        expect(problemsOf({ ...base(), adminPrincipals: { azure: [id, id] } })).toEqual([
            `adminPrincipals.azure[1]: "${id}" is listed twice (also adminPrincipals.azure[0])`,
        ]);
        expect(problemsOf({ ...base(), adminPrincipals: { gcp: ["user:alice"] } })).toEqual([
            `adminPrincipals.gcp[0]: "user:alice" is not a valid IAM member: user: takes an email address (user:alice@example.com)`,
        ]);
    });

    it("refuses an invalid GCP project ID, from the cluster or gcp:project", () => {
        expect(problemsOf(withCluster(2, { project: "My_Project" }))).toEqual([
            `clusters[2].project: "My_Project" is not a GCP project ID: 6 to 30 lowercase letters, digits and '-', starting with a letter and not ending with '-'`,
        ]);
        expect(problemsOf(withCluster(2, { project: undefined }), { gcpProject: "abc" })).toEqual([
            `gcp:project: "abc" (the project of clusters[2]) is not a GCP project ID: 6 to 30 lowercase letters, digits and '-', starting with a letter and not ending with '-'`,
        ]);
    });

    it("refuses a peer or rootCaFrom naming this very stack", () => {
        const self = "acme/istio-multicloud/dev";
        const peer = { name: "delta", stack: self, role: "primary", network: "net-delta" };
        expect(problemsOf({ ...base(), peers: [peer], rootCaFrom: self }, { stack: self } as any)).toEqual([
            `peers[0].stack: "${self}" is this stack; a peer is a cluster of another stack (list this stack's own clusters under clusters)`,
            `rootCaFrom: "${self}" is this stack; unset rootCaFrom for the stack that owns the mesh root`,
        ]);
    });

    it("takes ingressTls without the demo: it then only opens 443 for the user's own HTTPS Gateways", () => {
        const { config } = accepted({
            ...withCluster(0, { ingress: true }),
            ingressTls: { host: "hello.example.com", credentialName: "hello-tls" },
        });
        expect(config.demo).toBe(false);
        expect(config.ingressTls).toEqual({ host: "hello.example.com", credentialName: "hello-tls" });
    });
});
